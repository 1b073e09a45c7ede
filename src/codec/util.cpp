// What every codec adapter shares (frame sizes, destination checks, sign extension) and the one
// decode entry the registry and the codec modules' decoders call. No codec is referenced here, so
// a WASM codec module links its adapters with this file and nothing else of the registry.
#include <cstring>

#include "codec/codec.hpp"

namespace lazydcm {

uint64_t stored_frame_size(const frame_info& info, int reduce) {
  uint64_t rows = info.rows, cols = info.columns;
  for (int r = 0; r < reduce; ++r) {
    rows = (rows + 1) / 2;
    cols = (cols + 1) / 2;
  }
  return rows * cols * info.samples_per_pixel * bytes_per_sample(info.bits_allocated);
}

namespace codec_util {
error check_destination(const frame_info& info, size_t dst_size, int reduce) {
  if (info.rows == 0 || info.columns == 0 || info.samples_per_pixel == 0 ||
      !(info.bits_allocated == 1 || info.bits_allocated == 8 || info.bits_allocated == 16 ||
        info.bits_allocated == 32 || info.bits_allocated == 64))
    return make_error(errc::invalid_image_attributes, error::no_offset, "frame attributes out of range");
  if (dst_size < stored_frame_size(info, reduce))
    return make_error(errc::invalid_argument, error::no_offset, "destination smaller than the frame");
  return {};
}

void sign_extend(uint8_t* dst, size_t n, uint32_t bits_allocated, uint32_t bits) {
  if (bits == 0 || bits >= 32) return;
  const int32_t sign = int32_t(1) << (bits - 1), mask = (int32_t(1) << bits) - 1;
  for (size_t i = 0; i < n; ++i) {
    int32_t v = 0;
    if (bits_allocated == 8) v = dst[i];
    else if (bits_allocated == 16) v = int32_t(dst[2 * i]) | int32_t(dst[2 * i + 1]) << 8;
    else std::memcpy(&v, dst + 4 * i, 4);
    v &= mask;
    put_sample(dst, i, bits_allocated, (v ^ sign) - sign);
  }
}
}  // namespace codec_util

error decode_with(const codec& c, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                  size_t dst_size, decode_report& report, const decode_options& options) {
  if (error e = codec_util::check_destination(info, dst_size, options.reduce); e.code != errc::ok) return e;
  if (options.reduce < 0 || (options.reduce > 0 && !c.reduces()))
    return make_error(errc::invalid_argument, error::no_offset, "reduced-resolution decoding needs JPEG 2000");
  report = decode_report{};
  report.rows = info.rows;
  report.columns = info.columns;
  report.samples_per_pixel = info.samples_per_pixel;
  report.bits_allocated = info.bits_allocated;
  report.photometric_interpretation = info.photometric_interpretation;
  report.decoder = c.name();
  return c.decode(src, size, info, dst, dst_size, report, options);
}

}  // namespace lazydcm
