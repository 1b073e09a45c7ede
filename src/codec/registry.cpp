#include "codec/adapters.hpp"

namespace lazydcm {

namespace {
// In the WebAssembly core (LAZYDCM_CODEC_MODULES) the codecs of the modules are not linked.
#ifdef LAZYDCM_CODEC_MODULES
#define IN_MODULE(f) nullptr
#else
#define IN_MODULE(f) f
#endif
struct entry {
  const char* uid;
  const char* module;
  const codec* (*get)();
};
constexpr entry k_codecs[] = {
    {"1.2.840.10008.1.2", "core", native_codec},
    {"1.2.840.10008.1.2.1", "core", native_codec},
    {"1.2.840.10008.1.2.1.99", "core", native_codec},
    {"1.2.840.10008.1.2.2", "core", native_codec},
    {"1.2.840.10008.1.2.1.98", "core", native_codec},  // encapsulated uncompressed: fragments hold native frames
    {"1.2.840.10008.1.2.5", "core", rle_codec},
    {"1.2.840.10008.1.2.8.1", "core", deflate_frame_codec},
    {"1.2.840.10008.1.2.4.50", "core", jpeg_turbo_codec},
    {"1.2.840.10008.1.2.4.51", "core", jpeg_turbo_codec},
    {"1.2.840.10008.1.2.4.57", "core", jpeg_lossless_codec},
    {"1.2.840.10008.1.2.4.70", "core", jpeg_lossless_codec},
    {"1.2.840.10008.1.2.4.80", "jpegls", IN_MODULE(jpegls_codec)},
    {"1.2.840.10008.1.2.4.81", "jpegls", IN_MODULE(jpegls_codec)},
    {"1.2.840.10008.1.2.4.90", "j2k", IN_MODULE(j2k_codec)},
    {"1.2.840.10008.1.2.4.91", "j2k", IN_MODULE(j2k_codec)},
    {"1.2.840.10008.1.2.4.201", "j2k", IN_MODULE(htj2k_codec)},
    {"1.2.840.10008.1.2.4.202", "j2k", IN_MODULE(htj2k_codec)},
    {"1.2.840.10008.1.2.4.203", "j2k", IN_MODULE(htj2k_codec)},
    {"1.2.840.10008.1.2.4.110", "jxl", IN_MODULE(jxl_codec)},  // JPEG XL lossless
    {"1.2.840.10008.1.2.4.111", "jxl", IN_MODULE(jxl_codec)},  // JPEG XL JPEG recompression
    {"1.2.840.10008.1.2.4.112", "jxl", IN_MODULE(jxl_codec)},  // JPEG XL
};

const entry* find_entry(std::string_view uid) {
  for (const auto& e : k_codecs)
    if (uid == e.uid) return &e;
  return nullptr;
}
}  // namespace

const char* codec_module(std::string_view uid) {
  const entry* e = find_entry(uid);
  return e ? e->module : "";
}

const codec* find_codec(std::string_view uid) {
  const entry* e = find_entry(uid);
  return e && e->get ? e->get() : nullptr;
}

std::vector<std::string> supported_transfer_syntaxes() {
  std::vector<std::string> out;
  for (const auto& e : k_codecs) out.emplace_back(e.uid);
  return out;
}

error decode_frame(std::string_view uid, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                   size_t dst_size, decode_report& report, const decode_options& options) {
  const entry* e = find_entry(uid);
  if (!e)
    return make_error(errc::unsupported_transfer_syntax, error::no_offset,
                      "no decoder for transfer syntax " + std::string(uid));
  if (!e->get)
    return make_error(errc::unsupported_transfer_syntax, error::no_offset,
                      "transfer syntax " + std::string(uid) + " is decoded by the lazydcm-" + e->module +
                          " codec module, not by the core");
  return decode_with(*e->get(), src, size, info, dst, dst_size, report, options);
}

}  // namespace lazydcm
