// Whole-slide images: pyramids from their instances, level choice by spacing, magnifications, and
// the 8-bit pixel operations of PixelOps (resampling, luminance, the patch grid, ICC transforms).
#include <algorithm>
#include <memory>
#include <vector>

#include "glue.hpp"
#include "values.hpp"
#include "wsi/icc.hpp"
#include "wsi/pyramid.hpp"

namespace lazydcm::glue {
namespace {

// images: [Instance.wsiImage...] -> {levels, labels, overviews, thumbnails, warnings}
val buildPyramid(val images) {
  std::vector<wsi_image> w;
  for (const val& v : vector_of<val>(images)) w.push_back(wsi_image_from(v));
  auto p = build_pyramid(w);
  if (!p) return fail(p.err()), val::undefined();
  return pyramid_value(p.value());
}
// spacings: [[row, column] | null per level] -> the level index, or -1.
int levelBySpacing(val spacings, double target, double threshold, double maximum_downsample) {
  wsi_pyramid p;
  for (const val& s : vector_of<val>(spacings)) {
    wsi_level l;
    if (!s.isNull() && !s.isUndefined()) l.spacing = pixel_spacing{s[0].as<double>(), s[1].as<double>()};
    p.levels.push_back(l);
  }
  auto i = level_by_spacing(p, target, threshold, maximum_downsample);
  return i ? int(*i) : -1;
}
double spacingOfMagnification(std::string text) {  // mm per pixel
  auto s = spacing_from_magnification(text);
  if (!s) return fail(s.err()), 0.0;
  return s.value();
}
std::string magnificationString(double spacing) { return magnification_string(spacing); }
std::string nominalMagnification(double spacing) { return nominal_magnification(spacing); }
val resizeLevel(double rows, double columns, double source_row, double source_column, double target_row, double target_column) {
  auto r = resize_level(uint32_t(rows), uint32_t(columns), {source_row, source_column}, {target_row, target_column});
  return object().set("rows", r.rows).set("columns", r.columns).set("factorRow", r.factor_row).set("factorColumn", r.factor_column).done();
}

}  // namespace

class pixel_ops {
 public:
  val inputBuffer(size_t n) {
    input_.resize(n);
    return borrowed(input_);
  }
  // kind 0: area, 1: cubic. The source is in inputBuffer; returns a borrowed view of the output.
  val resize(int kind, double src_rows, double src_columns, double samples, double origin_x, double origin_y, double scale_x,
             double scale_y, double dst_rows, double dst_columns) {
    output_.assign(size_t(dst_rows) * size_t(dst_columns) * size_t(samples), 0);
    if (size_t(src_rows) * size_t(src_columns) * size_t(samples) > input_.size())
      return fail(make_error(errc::invalid_argument, error::no_offset, "resize: the source is larger than its buffer")), val::undefined();
    (kind == 1 ? resize_cubic : resize_area)(input_.data(), uint32_t(src_rows), uint32_t(src_columns), uint32_t(samples),
                                             resample_box{origin_x, origin_y, scale_x, scale_y}, output_.data(), uint32_t(dst_rows),
                                             uint32_t(dst_columns));
    return borrowed(output_);
  }
  // RGB in inputBuffer -> its luminance, in place at the start of inputBuffer (for patchGrid).
  void rgbToGray(double pixels) {
    const size_t n = std::min(size_t(pixels), input_.size() / 3);
    const auto gray = rgb_to_gray(input_.data(), n);
    std::copy(gray.begin(), gray.end(), input_.begin());
  }
  // The mask (luminance) in inputBuffer -> [[row, column]...] of the patches to read.
  val patchGrid(double mask_rows, double mask_columns, double rows, double columns, val options) {
    if (size_t(mask_rows) * size_t(mask_columns) > input_.size())
      return fail(make_error(errc::invalid_argument, error::no_offset, "mask larger than its buffer")), val::undefined();
    auto g = patch_grid(input_.data(), uint32_t(mask_rows), uint32_t(mask_columns), uint32_t(rows), uint32_t(columns),
                        patch_grid_options_from(options));
    if (!g) return fail(g.err()), val::undefined();
    val out = val::array();
    for (size_t k = 0; k < g->size(); ++k) out.set(k, js(std::array<int64_t, 2>{(*g)[k].row, (*g)[k].column}));
    return out;
  }
  // The ICC profile in inputBuffer(n); target 0 sRGB, 1 Display P3; intent as lcms. Then applyIcc
  // on RGB pixels written to inputBuffer.
  void createIcc(size_t n, int target, int intent) {
    auto t = icc_transform::create(input_.data(), std::min(n, input_.size()), target == 1 ? icc_target::display_p3 : icc_target::srgb,
                                   icc_intent(std::clamp(intent, 0, 3)));
    if (!t) return fail(t.err());
    icc_ = std::make_unique<icc_transform>(std::move(t.value()));
  }
  std::string iccDescription() const { return icc_ ? icc_->description() : std::string(); }
  val applyIcc(double pixels) {
    const size_t n = std::min(size_t(pixels), input_.size() / 3);
    if (icc_) icc_->apply(input_.data(), n);
    return borrowed_bytes(input_.data(), n * 3);
  }

 private:
  std::vector<uint8_t> input_, output_;
  std::unique_ptr<icc_transform> icc_;
};

pixel_ops* make_pixel_ops() { return new pixel_ops(); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_wsi) {
  using namespace lazydcm::glue;
  emscripten::function("buildPyramid", LAZYDCM_ENTRY(&buildPyramid, "buildPyramid"));
  emscripten::function("levelBySpacing", LAZYDCM_ENTRY(&levelBySpacing, "levelBySpacing"));
  emscripten::function("spacingOfMagnification", LAZYDCM_ENTRY(&spacingOfMagnification, "spacingOfMagnification"));
  emscripten::function("magnificationString", LAZYDCM_ENTRY(&magnificationString, "magnificationString"));
  emscripten::function("nominalMagnification", LAZYDCM_ENTRY(&nominalMagnification, "nominalMagnification"));
  emscripten::function("resizeLevel", LAZYDCM_ENTRY(&resizeLevel, "resizeLevel"));
  emscripten::class_<pixel_ops>("PixelOps")
      .constructor(LAZYDCM_ENTRY(&make_pixel_ops, "PixelOps"), emscripten::allow_raw_pointers())
      .function("inputBuffer", LAZYDCM_ENTRY(&pixel_ops::inputBuffer, "PixelOps.inputBuffer"))
      .function("resize", LAZYDCM_ENTRY(&pixel_ops::resize, "PixelOps.resize"))
      .function("rgbToGray", LAZYDCM_ENTRY(&pixel_ops::rgbToGray, "PixelOps.rgbToGray"))
      .function("patchGrid", LAZYDCM_ENTRY(&pixel_ops::patchGrid, "PixelOps.patchGrid"))
      .function("createIcc", LAZYDCM_ENTRY(&pixel_ops::createIcc, "PixelOps.createIcc"))
      .function("iccDescription", LAZYDCM_ENTRY(&pixel_ops::iccDescription, "PixelOps.iccDescription"))
      .function("applyIcc", LAZYDCM_ENTRY(&pixel_ops::applyIcc, "PixelOps.applyIcc"));
}
