// The lazydcm-j2k codec module: JPEG 2000 Part 1 (OpenJPEG) and HTJ2K (OpenJPH; OpenJPEG for what
// OpenJPH does not take). Loaded by a page or worker the first time a frame needs it.
#include "codec/adapters.hpp"
#include "decoder.hpp"

namespace lazydcm::glue {

error module_decode(std::string_view ts, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                    size_t dst_size, decode_report& report, const decode_options& options) {
  const codec* c = ts == "1.2.840.10008.1.2.4.90" || ts == "1.2.840.10008.1.2.4.91" ? j2k_codec()
                   : ts == "1.2.840.10008.1.2.4.201" || ts == "1.2.840.10008.1.2.4.202" || ts == "1.2.840.10008.1.2.4.203"
                       ? htj2k_codec()
                       : nullptr;
  return decode_in("j2k", c, ts, src, size, info, dst, dst_size, report, options);
}

}  // namespace lazydcm::glue
