// The two libjpeg-turbo builds behind one codec: precision picks the build.
#pragma once
#include "codec/codec.hpp"

namespace lazydcm {
error decode_jpeg8(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report, bool to_rgb);
error decode_jpeg12(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report, bool to_rgb);
// A DCT codestream (SOF0/1/2) with the build its precision needs, never handing over to another
// adapter: what the lossless adapter calls for a mislabelled DCT frame. (Calling the jpeg_turbo
// codec there let a stream that each adapter's marker scan reads as the other's recurse without
// end: a stack overflow found by fuzzing.)
error decode_dct(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                 const decode_options& options);
}  // namespace lazydcm
