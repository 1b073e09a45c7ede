// djxl's extras construct their PackedPixelFile with JxlEncoderInitBasicInfo, the one encoder
// function the decoder tool calls; libjxl's encoder is not built here, so this gives the same
// defaults (jxl/encode.h documents them: 8 bits, three colour channels, identity orientation,
// 10 ticks per second), and djxl then overwrites them with what the decoder reports.
#include <jxl/codestream_header.h>

#include <cstring>

extern "C" void JxlEncoderInitBasicInfo(JxlBasicInfo* info) {
  std::memset(info, 0, sizeof *info);
  info->bits_per_sample = 8;
  info->orientation = JXL_ORIENT_IDENTITY;
  info->num_color_channels = 3;
  info->animation.tps_numerator = 10;
  info->animation.tps_denominator = 1;
}
