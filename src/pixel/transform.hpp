// Pixel transforms (stored values -> output values), in highdicom's order and with its defaults:
// real world value mapping preferred over the modality transform (rescale or Modality LUT), then
// the VOI transform (off by default: window LINEAR / LINEAR_EXACT / SIGMOID or VOI LUT, scaled to
// an output range), the presentation inversion (MONOCHROME1 / INVERSE), palette colour LUTs
// (normal and segmented), and YBR -> RGB. Values come from the top level, the shared functional
// groups or the frame's own per-frame functional group item.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "codec/codec.hpp"
#include "dicom/dataset.hpp"

namespace lazydcm {

enum class apply_mode { no, yes, if_present };  // highdicom's False / True / None

struct transform_options {
  apply_mode real_world = apply_mode::if_present;
  apply_mode modality = apply_mode::if_present;
  apply_mode voi = apply_mode::no;
  size_t voi_index = 0;                 // which window (multi-valued) or VOI LUT item
  double voi_min = 0.0, voi_max = 1.0;  // output range of the VOI transform
  bool presentation = true;             // invert MONOCHROME1 / PresentationLUTShape INVERSE
  apply_mode palette = apply_mode::if_present;
  bool ybr_to_rgb = true;
};

struct lookup_table {
  int64_t first_mapped = 0;
  std::vector<double> values;
  double map(double x) const;  // clamps below/above the table, as PS3.3 C.11 says
};

// The transform of one frame, resolved from the dataset.
class pixel_transform {
 public:
  uint32_t output_samples() const { return output_samples_; }
  // stored: a decoded frame (codec.hpp layout) described by info and report; out: pixels x
  // output_samples() doubles.
  error apply(const uint8_t* stored, const frame_info& info, const decode_report& report,
              std::vector<double>& out) const;
  std::string describe() const;  // e.g. "rescale 1*x+-1024, window 40/400 LINEAR"

 private:
  friend result<pixel_transform> build_pixel_transform(const dataset&, size_t, const transform_options&);
  enum class stage_kind { linear, lut };
  uint32_t output_samples_ = 1;
  bool grayscale_ = true;
  bool palette_ = false;
  std::array<lookup_table, 3> palette_luts_;
  bool ybr_ = false;
  // grayscale chain
  stage_kind modality_kind_ = stage_kind::linear;
  double slope_ = 1, intercept_ = 0;
  lookup_table modality_lut_;
  bool voi_ = false;
  enum class voi_function { linear, linear_exact, sigmoid, lut } voi_function_ = voi_function::linear;
  double center_ = 0, width_ = 1;
  lookup_table voi_lut_;
  double voi_lut_max_ = 1;
  double voi_min_ = 0, voi_max_ = 1;
  bool invert_ = false;
  double stored_min_ = 0, stored_max_ = 0;
  std::string description_;
};

result<pixel_transform> build_pixel_transform(const dataset& ds, size_t frame_index, const transform_options& options);

}  // namespace lazydcm
