// The codec instances the registry hands out (one translation unit each).
#pragma once
#include <string>
#include <vector>

#include "codec/codec.hpp"

namespace lazydcm {
const codec* native_codec();
const codec* rle_codec();
const codec* deflate_frame_codec();  // Deflated Image Frame Compression
const codec* jpeg_turbo_codec();   // baseline and extended, 8- and 12-bit
const codec* jpeg_lossless_codec();
const codec* jpegls_codec();
const codec* j2k_codec();          // JPEG 2000 (and HTJ2K that OpenJPH leaves to it)
const codec* htj2k_codec();        // HTJ2K with OpenJPH
const codec* jxl_codec();          // JPEG XL with libjxl
// A recompressed JPEG's original bytes (.4.111: JPEG XL with JPEG reconstruction data).
result<std::vector<uint8_t>> jxl_to_jpeg(const uint8_t* src, size_t size);
// A raw J2K codestream's SIZ marker against the frame, before a decoder reads the headers (they
// allocate per tile): empty when it agrees, else why not.
std::string j2k_siz_mismatch(const uint8_t* p, size_t n, const frame_info& info);
}  // namespace lazydcm
