// Whole-slide images: pyramids from their instances, level choice by spacing, magnifications, and
// the 8-bit pixel operations of PixelOps.
#include <algorithm>
#include <memory>
#include <vector>

#include "glue.hpp"
#include "pixels.hpp"
#include "values.hpp"
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

// 8-bit pixel operations for slides on one current image, which stays in WASM memory from the
// region it is made of to the patch that leaves: MONOCHROME1, placement on a filled canvas,
// resampling, luminance and the patch grid (ICC transforms: the lazydcm-icc module, icc_module.cpp).
class pixel_ops {
 public:
  // The current image, written by the caller (a mask, pixels from elsewhere).
  val inputBuffer(size_t n) {
    current_.resize(n);
    return borrowed(current_);
  }
  // The current image becomes a Pixels' assembled region (handed over, not copied).
  void adoptRegion(pixels* from) { current_ = from->session().take_region(); }
  // The tiles another part of a concatenation covers, merged into the current image (a region of the same size).
  void mergeRegion(pixels* from) { fail(from->session().copy_region_into(current_)); }
  void invert() { invert_8bit(current_.data(), current_.size()); }
  // The current rows x columns image placed at (row, column) of a height x width canvas of `fill`.
  void place(double rows, double columns, double samples, double height, double width, double row, double column, int fill) {
    if (size_t(rows) * size_t(columns) * size_t(samples) > current_.size())
      return fail(make_error(errc::invalid_argument, error::no_offset, "place: the image is larger than its buffer"));
    current_ = place_on_canvas(current_.data(), uint32_t(rows), uint32_t(columns), uint32_t(samples), uint32_t(height), uint32_t(width),
                               int64_t(row), int64_t(column), uint8_t(fill));
  }
  // kind 0: area, 1: cubic; the current image resampled to dst_rows x dst_columns.
  void resize(int kind, double src_rows, double src_columns, double samples, double origin_x, double origin_y, double scale_x,
              double scale_y, double dst_rows, double dst_columns) {
    if (size_t(src_rows) * size_t(src_columns) * size_t(samples) > current_.size())
      return fail(make_error(errc::invalid_argument, error::no_offset, "resize: the source is larger than its buffer"));
    std::vector<uint8_t> out(size_t(dst_rows) * size_t(dst_columns) * size_t(samples), 0);
    (kind == 1 ? resize_cubic : resize_area)(current_.data(), uint32_t(src_rows), uint32_t(src_columns), uint32_t(samples),
                                             resample_box{origin_x, origin_y, scale_x, scale_y}, out.data(), uint32_t(dst_rows),
                                             uint32_t(dst_columns));
    current_ = std::move(out);
  }
  // RGB -> its luminance, in place at the start of the current image (for patchGrid).
  void rgbToGray(double pixels) {
    const size_t n = std::min(size_t(pixels), current_.size() / 3);
    const auto gray = rgb_to_gray(current_.data(), n);
    std::copy(gray.begin(), gray.end(), current_.begin());
  }
  // The mask (luminance) in the current image -> [[row, column]...] of the patches to read.
  val patchGrid(double mask_rows, double mask_columns, double rows, double columns, val options) {
    if (size_t(mask_rows) * size_t(mask_columns) > current_.size())
      return fail(make_error(errc::invalid_argument, error::no_offset, "mask larger than its buffer")), val::undefined();
    auto g = patch_grid(current_.data(), uint32_t(mask_rows), uint32_t(mask_columns), uint32_t(rows), uint32_t(columns),
                        patch_grid_options_from(options));
    if (!g) return fail(g.err()), val::undefined();
    val out = val::array();
    for (size_t k = 0; k < g->size(); ++k) out.set(k, js(std::array<int64_t, 2>{(*g)[k].row, (*g)[k].column}));
    return out;
  }
  val current() { return borrowed(current_); }
  void release() { std::vector<uint8_t>().swap(current_); }

 private:
  std::vector<uint8_t> current_;
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
      .function("adoptRegion", LAZYDCM_ENTRY(&pixel_ops::adoptRegion, "PixelOps.adoptRegion"), emscripten::allow_raw_pointers())
      .function("mergeRegion", LAZYDCM_ENTRY(&pixel_ops::mergeRegion, "PixelOps.mergeRegion"), emscripten::allow_raw_pointers())
      .function("invert", LAZYDCM_ENTRY(&pixel_ops::invert, "PixelOps.invert"))
      .function("place", LAZYDCM_ENTRY(&pixel_ops::place, "PixelOps.place"))
      .function("resize", LAZYDCM_ENTRY(&pixel_ops::resize, "PixelOps.resize"))
      .function("rgbToGray", LAZYDCM_ENTRY(&pixel_ops::rgbToGray, "PixelOps.rgbToGray"))
      .function("patchGrid", LAZYDCM_ENTRY(&pixel_ops::patchGrid, "PixelOps.patchGrid"))
      .function("current", LAZYDCM_ENTRY(&pixel_ops::current, "PixelOps.current"))
      .function("release", LAZYDCM_ENTRY(&pixel_ops::release, "PixelOps.release"));
}
