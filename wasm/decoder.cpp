// The bound Decoder: encoded frames decoded without an instance (decode workers, benchmarks, and
// the frames of codecs that live in a codec module). The same class in the core and every module.
#include "decoder.hpp"

#include <vector>

#include "frame_values.hpp"
#include "glue.hpp"

namespace lazydcm::glue {

error decode_in(const char* module, const codec* c, std::string_view transfer_syntax, const uint8_t* src, size_t size,
                const frame_info& info, uint8_t* dst, size_t dst_size, decode_report& report, const decode_options& options) {
  if (!c)
    return make_error(errc::unsupported_transfer_syntax, error::no_offset,
                      "the lazydcm-" + std::string(module) + " codec module does not decode transfer syntax " +
                          std::string(transfer_syntax));
  return decode_with(*c, src, size, info, dst, dst_size, report, options);
}

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
    fail(module_decode(transfer_syntax, input_.data(), std::min(n, input_.size()), info, output_.data(), output_.size(), report_, o));
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
