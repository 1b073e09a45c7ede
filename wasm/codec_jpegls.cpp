// The lazydcm-jpegls codec module: JPEG-LS lossless and near-lossless (CharLS). Loaded by a page or
// worker the first time a frame needs it.
#include "codec/adapters.hpp"
#include "decoder.hpp"

namespace lazydcm::glue {

error module_decode(std::string_view ts, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                    size_t dst_size, decode_report& report, const decode_options& options) {
  const codec* c = ts == "1.2.840.10008.1.2.4.80" || ts == "1.2.840.10008.1.2.4.81" ? jpegls_codec() : nullptr;
  return decode_in("jpegls", c, ts, src, size, info, dst, dst_size, report, options);
}

}  // namespace lazydcm::glue
