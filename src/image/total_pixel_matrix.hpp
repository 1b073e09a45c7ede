// The total pixel matrix of a tiled image (TILED_FULL, or TILED_SPARSE from per-frame plane
// positions): which frames a region needs, and the region assembled from their decoded tiles.
// Coordinates here are 0-based and half-open; the TypeScript API maps highdicom's conventions.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "dicom/dataset.hpp"

namespace lazydcm {

struct tile_position {
  uint32_t frame;        // 0-based frame index
  int64_t row, column;   // 0-based top-left of the tile in the total pixel matrix
};

struct tile_layout {
  uint32_t total_rows = 0, total_columns = 0;  // TotalPixelMatrixRows / Columns
  uint32_t tile_rows = 0, tile_columns = 0;    // Rows / Columns
  uint32_t samples_per_pixel = 1;
  bool tiled_full = true;
  std::vector<tile_position> tiles;            // of the selected optical path / focal plane
};

struct plane_selection {
  std::optional<uint32_t> optical_path;  // 0-based; required when the image has several
  std::optional<uint32_t> focal_plane;
};

// A part of a concatenation (TILED_FULL) gets the tiles of its own frames (Concatenation Frame
// Offset Number onwards), numbered locally.
// Errors: invalid_image_attributes when the image is not tiled, or when several optical paths /
// focal planes exist and none is selected (highdicom: "dimensions do not uniquely identify frames").
result<tile_layout> read_tile_layout(const dataset& ds, const plane_selection& selection = {});

struct tile_copy {
  uint32_t frame;
  uint32_t src_row, src_column;   // inside the tile
  uint32_t dst_row, dst_column;   // inside the region
  uint32_t rows, columns;
};

struct region_plan {
  uint32_t rows = 0, columns = 0;     // of the region
  std::vector<tile_copy> copies;      // one per intersecting tile, in row-major tile order
  std::vector<uint32_t> frames() const;  // distinct frames, ascending
};

// [row_start, row_end) x [column_start, column_end), 0-based; must lie inside the matrix.
result<region_plan> plan_region(const tile_layout& layout, int64_t row_start, int64_t row_end, int64_t column_start,
                                int64_t column_end);

// The distinct frames (0-based, ascending) that the regions [r0, r1, c0, c1] (as plan_region) need.
result<std::vector<uint32_t>> region_frames(const tile_layout& layout, const std::vector<std::array<int64_t, 4>>& boxes);

// Copies the parts of an assembled region its tiles cover (plan.copies) into another region
// buffer of the same size: the parts of a concatenation each assemble their own tiles.
void copy_covered(const region_plan& plan, size_t pixel_bytes, const uint8_t* region, uint8_t* dst);

// Copies one decoded tile (rows x columns x samples of bytes_per_sample, codec.hpp layout) into
// the region buffer (region rows x columns x samples), for every copy of `frame` in the plan.
// Pixels no tile covers keep what the buffer held (zero-initialise it: highdicom's fill).
void paste_tile(const region_plan& plan, const tile_layout& layout, uint32_t frame, const uint8_t* tile,
                size_t bytes_per_sample, uint8_t* region);

}  // namespace lazydcm
