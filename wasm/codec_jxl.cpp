// The lazydcm-jxl codec module: JPEG XL (libjxl 0.11.2) — lossless, JPEG recompression and lossy —
// and the original JPEG bytes of a recompressed JPEG (JpegReconstruction). Loaded by a page or
// worker the first time a frame needs it.
#include <vector>

#include "codec/adapters.hpp"
#include "decoder.hpp"
#include "glue.hpp"

namespace lazydcm::glue {

error module_decode(std::string_view ts, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                    size_t dst_size, decode_report& report, const decode_options& options) {
  const codec* c = ts == "1.2.840.10008.1.2.4.110" || ts == "1.2.840.10008.1.2.4.111" || ts == "1.2.840.10008.1.2.4.112"
                       ? jxl_codec()
                       : nullptr;
  return decode_in("jxl", c, ts, src, size, info, dst, dst_size, report, options);
}

// A .4.111 frame's JPEG XL codestream in (inputBuffer), its original JPEG bytes out (output).
class jpeg_reconstruction {
 public:
  val inputBuffer(size_t n) {
    input_.resize(n);
    return borrowed(input_);
  }
  void reconstruct(size_t n) {
    auto r = jxl_to_jpeg(input_.data(), std::min(n, input_.size()));
    if (!r) return fail(r.err());
    output_ = std::move(r.value());
  }
  val output() { return borrowed(output_); }

 private:
  std::vector<uint8_t> input_, output_;
};

jpeg_reconstruction* make_jpeg_reconstruction() { return new jpeg_reconstruction(); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_jxl) {
  using namespace lazydcm::glue;
  emscripten::class_<jpeg_reconstruction>("JpegReconstruction")
      .constructor(LAZYDCM_ENTRY(&make_jpeg_reconstruction, "JpegReconstruction"), emscripten::allow_raw_pointers())
      .function("inputBuffer", LAZYDCM_ENTRY(&jpeg_reconstruction::inputBuffer, "JpegReconstruction.inputBuffer"))
      .function("reconstruct", LAZYDCM_ENTRY(&jpeg_reconstruction::reconstruct, "JpegReconstruction.reconstruct"))
      .function("output", LAZYDCM_ENTRY(&jpeg_reconstruction::output, "JpegReconstruction.output"));
}
