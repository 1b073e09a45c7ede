// One codec adapter (the transfer syntax comes from the build: FUZZ_SYNTAX) fed a codestream with
// a frame description taken from the input's first 8 bytes, as a DICOM header would declare it:
// rows, columns, samples, bits allocated/stored, signedness, planar configuration, photometric.
#include <cstring>
#include <vector>

#include "codec/codec.hpp"

using namespace lazydcm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  static const uint32_t bits[] = {8, 16, 8, 16, 1, 32, 8, 16};
  static const char* photometric[] = {"MONOCHROME2", "MONOCHROME1", "RGB", "YBR_FULL", "YBR_FULL_422",
                                      "PALETTE COLOR", "YBR_RCT", "YBR_ICT"};
  frame_info info;
  info.rows = 1 + (data[0] | (data[1] & 1) << 8);        // 1..512
  info.columns = 1 + (data[2] | (data[1] & 2) << 7);     // 1..512
  info.samples_per_pixel = data[3] & 1 ? 3 : 1;
  info.bits_allocated = bits[data[3] >> 1 & 7];
  info.bits_stored = info.bits_allocated == 1 ? 1 : 1 + data[4] % info.bits_allocated;
  info.pixel_representation = data[5] & 1;
  info.planar_configuration = data[5] >> 1 & 1;
  info.big_endian = data[5] >> 2 & 1;
  info.bit_offset = data[5] >> 3 & 7;
  info.photometric_interpretation = photometric[data[6] & 7];
  decode_options options;
  options.reduce = data[7] & 3;
  options.rgb = data[7] >> 2 & 1;
  const uint64_t need = stored_frame_size(info, options.reduce);
  if (need == 0 || need > (uint64_t(16) << 20)) return 0;
  std::vector<uint8_t> dst(size_t(need) + (data[7] >> 3 & 1));  // sometimes one byte too many
  std::vector<uint8_t> src(data + 8, data + size);  // an exact-size heap copy: ASan sees overreads
  decode_report report;
  (void)decode_frame(FUZZ_SYNTAX, src.data(), src.size(), info, dst.data(), dst.size(), report, options);
  return 0;
}
