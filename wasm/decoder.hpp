// The bound Decoder (decoder.cpp) is linked into the core and into every codec module; each module
// says here which transfer syntaxes it decodes (core_module.cpp, codec_j2k.cpp, codec_jpegls.cpp).
#pragma once
#include <string_view>

#include "codec/codec.hpp"

namespace lazydcm::glue {

// Decodes one frame with this module's codec for `transfer_syntax`; unsupported_transfer_syntax
// (naming the module that does decode it, where one does) otherwise.
error module_decode(std::string_view transfer_syntax, const uint8_t* src, size_t size, const frame_info& info,
                    uint8_t* dst, size_t dst_size, decode_report& report, const decode_options& options);

// A codec module's decode: `c` (nullptr: not this module's transfer syntax) with the shared checks.
error decode_in(const char* module, const codec* c, std::string_view transfer_syntax, const uint8_t* src, size_t size,
                const frame_info& info, uint8_t* dst, size_t dst_size, decode_report& report, const decode_options& options);

}  // namespace lazydcm::glue
