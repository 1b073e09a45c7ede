// The bound Decoder: encoded frames decoded without an instance (decode workers, benchmarks).
#include <vector>

#include "codec/codec.hpp"
#include "glue.hpp"
#include "values.hpp"

namespace lazydcm::glue {

class decoder {
 public:
  val inputBuffer(size_t n) {
    input_.resize(n);
    return borrowed(input_);
  }
  // frame: Pixels.frameInfo's shape; options: {reduce, rgb}. Then output() and report().
  void decode(std::string transfer_syntax, val frame, size_t n, val options) {
    const frame_info info = frame_info_from(frame);
    const decode_options o = decode_options_from(options);
    output_.resize(size_t(stored_frame_size(info, o.reduce)));
    fail(decode_frame(transfer_syntax, input_.data(), std::min(n, input_.size()), info, output_.data(), output_.size(), report_, o));
  }
  val output() { return borrowed(output_); }
  val report() const { return report_value(report_); }

 private:
  std::vector<uint8_t> input_, output_;
  decode_report report_;
};

decoder* make_decoder() { return new decoder(); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_decoder) {
  using namespace lazydcm::glue;
  emscripten::class_<decoder>("Decoder")
      .constructor(LAZYDCM_ENTRY(&make_decoder, "Decoder"), emscripten::allow_raw_pointers())
      .function("inputBuffer", LAZYDCM_ENTRY(&decoder::inputBuffer, "Decoder.inputBuffer"))
      .function("decode", LAZYDCM_ENTRY(&decoder::decode, "Decoder.decode"))
      .function("output", LAZYDCM_ENTRY(&decoder::output, "Decoder.output"))
      .function("report", LAZYDCM_ENTRY(&decoder::report, "Decoder.report"));
}
