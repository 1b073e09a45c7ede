// Volume geometry (highdicom's get_volume_positions / VolumeGeometry): frames or instances sorted
// along the slice normal, regular spacing checked, and the 4x4 affine from voxel indices
// (slice, row, column) to LPS millimetres.
//   affine columns: [n * slice_spacing, column_cosines * PixelSpacing[0], row_cosines * PixelSpacing[1]]
//   n = column_cosines x row_cosines (so an axial head-first CT starts at its most superior slice)
//   translation: ImagePositionPatient of slice 0.
#pragma once
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include <cstdint>

namespace lazydcm {

using vec3 = std::array<double, 3>;
using mat4 = std::array<std::array<double, 4>, 4>;

struct volume_options {
  double rtol = 0.01;               // spacing regularity (relative)
  double perpendicular_tol = 1e-3;  // positions must lie along the normal
  bool allow_duplicates = false;
  bool allow_missing = false;       // gaps that are whole multiples of the spacing
  std::optional<double> spacing_hint;  // SpacingBetweenSlices
};

struct volume_geometry {
  size_t slices = 0;                // including missing positions
  uint32_t rows = 0, columns = 0;   // set by the callers that know them (0: unknown)
  double slice_spacing = 1.0;
  std::array<double, 2> pixel_spacing{};  // row, column (PixelSpacing order)
  vec3 row_cosines{}, column_cosines{}, normal{};
  mat4 affine{};
  std::vector<size_t> slice_of;     // volume slice index of each input, in input order
};

// positions: ImagePositionPatient per frame/instance; orientation: ImageOrientationPatient (6);
// pixel_spacing: PixelSpacing (row, column). Errors say why the input is not a volume.
result<volume_geometry> compute_volume_geometry(const std::vector<vec3>& positions, const std::array<double, 6>& orientation,
                                                std::array<double, 2> pixel_spacing, const volume_options& options = {});

// A geometry given by its affine (columns: slice, row and column steps in mm; the origin), as
// callers outside the core hold it: the direction cosines are the affine's columns over the spacings.
volume_geometry geometry_from_affine(size_t slices, uint32_t rows, uint32_t columns, double slice_spacing,
                                     std::array<double, 2> pixel_spacing, const mat4& affine);

// The LPS position of a voxel centre.
vec3 voxel_to_patient(const volume_geometry& g, double slice, double row, double column);

// The geometry of the sub-volume [s0, s1) x [r0, r1) x [c0, c1) (0-based, half-open, within the
// volume): the same axes and spacing, the origin moved to voxel (s0, r0, c0). slice_of is
// renumbered; inputs outside the slice range get SIZE_MAX.
result<volume_geometry> crop_geometry(const volume_geometry& g, size_t s0, size_t s1, uint32_t r0, uint32_t r1,
                                      uint32_t c0, uint32_t c1);

// The slice of `g` holding each plane of the given positions and orientation (a SEG placed on
// its source image's grid): the orientation must match, each position must be a whole number of
// slices along the normal from slice 0 and lie on the slice's grid origin.
result<std::vector<size_t>> slices_on_grid(const volume_geometry& g, const std::vector<vec3>& positions,
                                           const std::array<double, 6>& orientation, double tolerance_mm = 1e-2);

}  // namespace lazydcm
