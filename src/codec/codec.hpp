// Decoders, one adapter per transfer syntax, found by UID (dicom-rs' PixelDataReader::decode_frame).
// A codec gets the encoded bytes of one frame (fragments already joined) and writes the frame's
// stored values into a buffer the caller owns, in the layout pydicom's pixel_array uses:
//   rows x columns x samples, interleaved (planar data is interleaved), C order, little-endian,
//   one value per pixel of bits_allocated bits (1-bit data: one uint8 0/1 per pixel).
// Colour is returned in the space the Photometric Interpretation names (YBR stays YBR; a JPEG
// whose stream is YCbCr under a DICOM "RGB" is converted, as libjpeg and pydicom/GDCM decide);
// decode_report says what was returned.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace lazydcm {

struct frame_info {
  uint32_t rows = 0, columns = 0, samples_per_pixel = 1;
  uint32_t bits_allocated = 8, bits_stored = 8, pixel_representation = 0, planar_configuration = 0;
  std::string photometric_interpretation;
  bool big_endian = false;   // native data of Explicit VR Big Endian (swap OW words)
  uint32_t bit_offset = 0;   // native 1-bit frames not starting on a byte boundary
  bool float_data = false;   // Float / Double Float Pixel Data
};

struct decode_options {
  int reduce = 0;  // JPEG 2000: discard this many resolution levels (each halves rows and columns)
  // JPEG: YCbCr streams come back as RGB, converted by libjpeg-turbo (what PIL and browsers show;
  // the report says RGB). Other codecs ignore it (their YBR goes through the pixel transforms).
  bool rgb = false;
};

struct decode_report {
  uint32_t rows = 0, columns = 0, samples_per_pixel = 0, bits_allocated = 0;
  std::string photometric_interpretation;  // of the values returned
  std::string decoder;                     // e.g. "libjpeg-turbo 2.1.5 (8-bit)"
};

// Bytes per stored value in the layout above (1-bit data: one byte per pixel).
inline uint32_t bytes_per_sample(uint32_t bits_allocated) { return bits_allocated == 1 ? 1 : bits_allocated / 8; }

// Bytes of one decoded frame in the layout above.
uint64_t stored_frame_size(const frame_info& info, int reduce = 0);

class codec {
 public:
  virtual ~codec() = default;
  virtual const char* name() const = 0;
  // Reduced-resolution decoding (decode_options::reduce > 0): JPEG 2000's resolution levels.
  virtual bool reduces() const { return false; }
  // dst must hold stored_frame_size(info, options.reduce) bytes.
  virtual error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
                       decode_report& report, const decode_options& options) const = 0;
};

// Which build decodes a transfer syntax. Native builds link every codec ("core" for all); the
// WebAssembly core leaves JPEG 2000/HTJ2K, JPEG-LS and JPEG XL to codec modules a page loads the first time
// a frame needs one (wasm/CMakeLists.txt): "core", "j2k", "jpegls", "jxl", or "" when nothing decodes it.
const char* codec_module(std::string_view transfer_syntax_uid);

// The codec linked into this build for a transfer syntax UID, or nullptr (unsupported, or in a
// codec module: decode_frame says which).
const codec* find_codec(std::string_view transfer_syntax_uid);
std::vector<std::string> supported_transfer_syntaxes();

// Convenience: find the codec, check sizes, decode. errc::unsupported_transfer_syntax names the UID
// (and the codec module that decodes it, in the WebAssembly core).
error decode_frame(std::string_view transfer_syntax_uid, const uint8_t* src, size_t size, const frame_info& info,
                   uint8_t* dst, size_t dst_size, decode_report& report, const decode_options& options = {});
// Check sizes and options, fill the report's defaults, decode with `c` (util.cpp).
error decode_with(const codec& c, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                  size_t dst_size, decode_report& report, const decode_options& options);

// Shared helpers for adapters.
namespace codec_util {
error check_destination(const frame_info& info, size_t dst_size, int reduce = 0);
// Stores one sample value at index i of a buffer of bits_allocated-bit values.
inline void put_sample(uint8_t* dst, size_t i, uint32_t bits_allocated, int32_t v) {
  switch (bits_allocated) {
    case 8: dst[i] = uint8_t(v); break;
    case 16: dst[2 * i] = uint8_t(v); dst[2 * i + 1] = uint8_t(v >> 8); break;
    default: for (int b = 0; b < 4; ++b) dst[4 * i + b] = uint8_t(uint32_t(v) >> (8 * b)); break;
  }
}
// Sign-extends n values of bits_allocated bits from bit `bits` (an unsigned codestream under
// Pixel Representation 1: follow the dataset, as pydicom and GDCM do).
void sign_extend(uint8_t* dst, size_t n, uint32_t bits_allocated, uint32_t bits);
}  // namespace codec_util

}  // namespace lazydcm
