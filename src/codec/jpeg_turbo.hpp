// libjpeg-turbo 3.1.3 behind the JPEG codecs (jpeg_turbo.cpp: DCT; jpeg_lossless.cpp: process 14).
#pragma once
#include "codec/codec.hpp"

namespace lazydcm {
// Any JPEG codestream libjpeg-turbo decodes (precision 2-16, DCT or lossless). to_rgb converts
// YCbCr DCT data to RGB; `lossless` says the frame is process 14 (never colour-converted).
error decode_libjpeg(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                     bool to_rgb, bool lossless);
// A DCT codestream (SOF0/1/2), never handing over to another adapter: what the lossless adapter
// calls for a mislabelled DCT frame. (Calling the jpeg_turbo codec there let a stream that each
// adapter's marker scan reads as the other's recurse without end: a stack overflow found by fuzzing.)
error decode_dct(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                 const decode_options& options);
// Sample precision from the first SOFn marker, 0 when none; `sof` gets the marker.
int jpeg_precision(const uint8_t* p, size_t n, uint8_t* sof = nullptr);
}  // namespace lazydcm
