// The core module's decoder decodes what the core links (native, RLE, deflate, JPEG); codecModule
// tells TypeScript which codec module to load for the others (src/codec/registry.cpp decides).
#include "decoder.hpp"
#include "glue.hpp"

namespace lazydcm::glue {

error module_decode(std::string_view transfer_syntax, const uint8_t* src, size_t size, const frame_info& info,
                    uint8_t* dst, size_t dst_size, decode_report& report, const decode_options& options) {
  return decode_frame(transfer_syntax, src, size, info, dst, dst_size, report, options);
}

std::string codecModule(std::string transfer_syntax) { return codec_module(transfer_syntax); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_core_module) {
  emscripten::function("codecModule", &lazydcm::glue::codecModule);
}
