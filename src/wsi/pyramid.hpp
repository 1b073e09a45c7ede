// Whole-slide pyramids with EZ-WSI DICOMweb's semantics: VL Whole Slide Microscopy instances
// grouped into levels (concatenations joined; focal planes and optical paths kept, not split
// into levels), label / overview / thumbnail images by Image Type, pixel spacing per level,
// magnification strings, the level-by-spacing rule, resized-level sizes, and the patch
// generator's tissue mask. Sans-IO: everything here works on datasets and pixels handed in.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dicom/dataset.hpp"

namespace lazydcm {

// Millimetres per pixel: (row, column) spacing as in Pixel Spacing. EZ-WSI compares spacings
// with a relative tolerance of 5 % and names them by magnification = 0.01 / min(row, column).
struct pixel_spacing {
  double row = 0, column = 0;
  double min() const { return row < column ? row : column; }
  bool operator==(const pixel_spacing& o) const;  // math.isclose(rel_tol=0.05) on both axes
};
// "40X" -> 0.00025 mm (0.01 / 40); "0.625x" -> 0.016 mm. Lower-case, trailing 'x' optional.
result<double> spacing_from_magnification(const std::string& text);
// 0.00025 mm -> "40X"; 0.016 -> "0.625X" (six significant digits; integers without decimals).
std::string magnification_string(double spacing_mm);
// EZ-WSI's Magnification enum: the nominal magnification whose µm/px is within 20 % of
// `spacing_mm * 1000`, or "" when none is.
std::string nominal_magnification(double spacing_mm);

enum class wsi_flavor { volume, label, overview, thumbnail, other };
const char* wsi_flavor_name(wsi_flavor f);
wsi_flavor wsi_flavor_from_name(const std::string& name);  // wsi_flavor_name's inverse; other when unknown

// What the pyramid needs of one instance (read from its dataset).
struct wsi_image {
  std::string name;  // for messages (file name, URL)
  std::string sop_instance_uid, series_uid, frame_of_reference_uid, transfer_syntax_uid;
  std::string concatenation_uid;  // "" when not part of a concatenation
  uint64_t concatenation_offset = 0;  // Concatenation Frame Offset Number
  wsi_flavor flavor = wsi_flavor::other;
  bool wsi_sop_class = false;
  uint32_t rows = 0, columns = 0;                // tile size
  uint32_t total_rows = 0, total_columns = 0;    // total pixel matrix (Rows/Columns when untiled)
  uint64_t frames = 1;
  uint32_t focal_planes = 1, optical_paths = 1;
  std::optional<pixel_spacing> spacing;
  uint32_t samples_per_pixel = 1, bits_allocated = 8;
  std::string photometric_interpretation;
  bool has_icc_profile = false;
};
wsi_image read_wsi_image(const dataset& ds, std::string name, std::string transfer_syntax_uid);

struct wsi_level {
  uint32_t total_rows = 0, total_columns = 0, tile_rows = 0, tile_columns = 0;
  std::optional<pixel_spacing> spacing;
  uint64_t frames = 0;  // per instance group, summed over concatenation parts
  // Instances of the level: each inner list is one image (its concatenation parts in frame
  // order); several images are further focal planes / optical paths at the same spacing.
  std::vector<std::vector<size_t>> images;
  uint32_t focal_planes = 0;   // summed over the images
  uint32_t optical_paths = 1;
  std::string transfer_syntax_uid;
};

struct wsi_pyramid {
  std::vector<wsi_level> levels;  // finest (largest pixel area) first
  std::vector<size_t> labels, overviews, thumbnails;
  std::vector<std::string> warnings;  // instances left out, and why
};

// Errors: not_a_slide (no VL WSI VOLUME instance; instances of several series or frames of
// reference), invalid_image_attributes (a level whose instances disagree on tile size or
// transfer syntax, or a broken concatenation).
result<wsi_pyramid> build_pyramid(const std::vector<wsi_image>& images);

// EZ-WSI's get_level_by_pixel_spacing: among levels with a spacing, `smaller` = the largest
// spacing <= target, `greater` = the smallest > target (compared on min(row, column)); smaller if
// isclose(rel_tol=threshold), else greater if close, else smaller when target/smaller <=
// maximum_downsample; else none.
std::optional<size_t> level_by_spacing(const wsi_pyramid& p, double target_mm, double threshold = 0.23,
                                       double maximum_downsample = 0.0);

// EZ-WSI's ResizedLevel: the size of a level resampled to `target` spacing. Factors are target /
// source per axis (> 1: downsample); width = max(1, int(W / fx)); when both factors are on the
// same side of 1 and the common one (max when >= 1, min when < 1) gives the same integer size,
// it is used for both axes (square pixels). Returns {rows, columns}.
struct resized_size { uint32_t rows, columns; double factor_row, factor_column; };  // factors: target / source spacing
resized_size resize_level(uint32_t rows, uint32_t columns, const pixel_spacing& source, const pixel_spacing& target);

// Resampling of 8-bit interleaved images. Output pixel (y, x) covers source
// [origin + x * scale, origin + (x + 1) * scale) (area) or samples at origin + (x + 0.5) * scale - 0.5
// (cubic, a = -0.75 as OpenCV, edges replicated). Area averages with exact fractional weights
// (OpenCV's INTER_AREA); EZ-WSI uses area to downsample and cubic to upsample.
struct resample_box {
  double origin_x = 0, origin_y = 0, scale_x = 1, scale_y = 1;
};
void resize_area(const uint8_t* src, uint32_t src_rows, uint32_t src_columns, uint32_t samples, const resample_box& box,
                 uint8_t* dst, uint32_t dst_rows, uint32_t dst_columns);
void resize_cubic(const uint8_t* src, uint32_t src_rows, uint32_t src_columns, uint32_t samples, const resample_box& box,
                  uint8_t* dst, uint32_t dst_rows, uint32_t dst_columns);

// RGB -> luminance as OpenCV's COLOR_RGB2GRAY (0.299 R + 0.587 G + 0.114 B, rounded).
std::vector<uint8_t> rgb_to_gray(const uint8_t* rgb, size_t pixels);
// 8-bit MONOCHROME1 shown as MONOCHROME2 (255 - x), in place.
void invert_8bit(uint8_t* data, size_t n);
// A rows x columns x samples image placed at (row, column) of a height x width canvas filled
// with `fill` (a patch that reaches past the image's edges); the image's part inside is copied.
std::vector<uint8_t> place_on_canvas(const uint8_t* image, uint32_t rows, uint32_t columns, uint32_t samples, uint32_t height,
                                     uint32_t width, int64_t row, int64_t column, uint8_t fill);

// The patch generator's grid (EZ-WSI's DicomPatchGenerator): patches of `patch` pixels every
// `stride` pixels over an image of `rows` x `columns`, kept where the mask (luminance, `mask_rows`
// x `mask_columns`, covering the whole image) averages within [int(255 * min), int(255 * max)].
// Patch <= stride: steps = max(int(dim / stride), 1), the mask cropped to the sampled fraction and
// area-resized to the steps; patch > stride: steps = max(int((dim - (patch - stride)) / stride), 1),
// each cell the floor of the mean over its patch's window. Origins: cell * stride, centred by
// (stride - patch) / 2 when patch < stride. Row-major order. Each entry: {row, column} (level pixels).
struct patch_origin { int64_t row, column; };
struct patch_grid_options {
  uint32_t patch = 0, stride = 0;      // stride 0: = patch
  double min_luminance = 1.0 / 255, max_luminance = 0.8;
};
result<std::vector<patch_origin>> patch_grid(const uint8_t* mask, uint32_t mask_rows, uint32_t mask_columns, uint32_t rows,
                                             uint32_t columns, const patch_grid_options& options);

}  // namespace lazydcm
