// The lazydcm-icc module: ICC colour transforms with lcms2 (a slide's profile to sRGB or Display P3,
// 8-bit RGB in place). Loaded the first time a patch asks for ICC colour.
#include <algorithm>
#include <memory>
#include <vector>

#include "glue.hpp"
#include "wsi/icc.hpp"

namespace lazydcm::glue {

class icc {
 public:
  // The profile written to profileBuffer(n); target 0 sRGB, 1 Display P3; intent as lcms (0-3).
  val profileBuffer(size_t n) {
    profile_.resize(n);
    return borrowed(profile_);
  }
  void create(size_t n, int target, int intent) {
    auto t = icc_transform::create(profile_.data(), std::min(n, profile_.size()),
                                   target == 1 ? icc_target::display_p3 : icc_target::srgb, icc_intent(std::clamp(intent, 0, 3)));
    if (!t) return fail(t.err());
    transform_ = std::make_unique<icc_transform>(std::move(t.value()));
    std::vector<uint8_t>().swap(profile_);
  }
  std::string description() const { return transform_ ? transform_->description() : std::string(); }
  // The RGB pixels written to inputBuffer(n) transformed in place; read them with pixels().
  val inputBuffer(size_t n) {
    pixels_.resize(n);
    return borrowed(pixels_);
  }
  void apply(size_t n) {
    if (!transform_) return fail(make_error(errc::icc_error, error::no_offset, "no ICC transform was created"));
    transform_->apply(pixels_.data(), std::min(n, pixels_.size()) / 3);
  }
  val pixels() { return borrowed(pixels_); }
  void release() { std::vector<uint8_t>().swap(pixels_); }

 private:
  std::vector<uint8_t> profile_, pixels_;
  std::unique_ptr<icc_transform> transform_;
};

icc* make_icc() { return new icc(); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_icc) {
  using namespace lazydcm::glue;
  emscripten::class_<icc>("Icc")
      .constructor(LAZYDCM_ENTRY(&make_icc, "Icc"), emscripten::allow_raw_pointers())
      .function("profileBuffer", LAZYDCM_ENTRY(&icc::profileBuffer, "Icc.profileBuffer"))
      .function("create", LAZYDCM_ENTRY(&icc::create, "Icc.create"))
      .function("description", LAZYDCM_ENTRY(&icc::description, "Icc.description"))
      .function("inputBuffer", LAZYDCM_ENTRY(&icc::inputBuffer, "Icc.inputBuffer"))
      .function("apply", LAZYDCM_ENTRY(&icc::apply, "Icc.apply"))
      .function("pixels", LAZYDCM_ENTRY(&icc::pixels, "Icc.pixels"))
      .function("release", LAZYDCM_ENTRY(&icc::release, "Icc.release"));
}
