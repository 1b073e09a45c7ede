// The two libjpeg-turbo builds behind one codec: precision picks the build.
#pragma once
#include "codec/codec.hpp"

namespace lazydcm {
error decode_jpeg8(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report, bool to_rgb);
error decode_jpeg12(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report, bool to_rgb);
}  // namespace lazydcm
