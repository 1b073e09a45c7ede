#include "image/total_pixel_matrix.hpp"

#include <algorithm>
#include <cstring>

#include "core/bytes.hpp"

namespace lazydcm {

namespace {
constexpr tag_t k_plane_position_slide = 0x0048021A;
constexpr tag_t k_column_position = 0x0048021E, k_row_position = 0x0048021F;
constexpr tag_t k_optical_path_identification = 0x00480207, k_optical_path_identifier = 0x00480106;
constexpr tag_t k_z_offset = 0x0040074A;
}  // namespace

std::vector<uint32_t> region_plan::frames() const {
  std::vector<uint32_t> out;
  for (const auto& c : copies) out.push_back(c.frame);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

result<tile_layout> read_tile_layout(const dataset& ds, const plane_selection& sel) {
  tile_layout l;
  auto tr = ds.integer(tags::total_pixel_matrix_rows), tc = ds.integer(tags::total_pixel_matrix_columns);
  auto r = ds.integer(tags::rows), c = ds.integer(tags::columns);
  if (!tr || !tc || !r || !c || *tr <= 0 || *tc <= 0 || *r <= 0 || *c <= 0)
    return make_error(errc::invalid_image_attributes, error::no_offset,
                      "not a tiled image: Total Pixel Matrix Rows/Columns and Rows/Columns are required");
  l.total_rows = uint32_t(*tr);
  l.total_columns = uint32_t(*tc);
  l.tile_rows = uint32_t(*r);
  l.tile_columns = uint32_t(*c);
  l.samples_per_pixel = uint32_t(std::max<int64_t>(1, ds.integer(tags::samples_per_pixel).value_or(1)));  // 0: one (as the index)
  const uint64_t frames = uint64_t(ds.integer(tags::number_of_frames).value_or(1));
  const std::string organization = ds.string(tags::dimension_organization_type).value_or("");
  const element* per_frame = ds.find(tags::per_frame_groups);
  l.tiled_full = organization == "TILED_FULL" || !per_frame || per_frame->items.empty();
  const uint32_t paths = uint32_t(ds.integer(tags::number_of_optical_paths).value_or(1));
  const uint32_t planes = uint32_t(ds.integer(tags::total_focal_planes).value_or(1));
  auto pick = [&](const std::optional<uint32_t>& s, uint32_t count, const char* what) -> result<uint32_t> {
    if (s) {
      if (*s >= count)
        return make_error(errc::invalid_argument, error::no_offset,
                          std::string(what) + " " + std::to_string(*s) + " of " + std::to_string(count));
      return *s;
    }
    if (count > 1)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "the image has " + std::to_string(count) + " " + what +
                            "s: choose one (the row and column positions do not identify frames uniquely)");
    return 0u;
  };
  if (l.tiled_full) {
    auto path = pick(sel.optical_path, paths, "optical path");
    if (!path) return path.err();
    auto plane = pick(sel.focal_plane, planes, "focal plane");
    if (!plane) return plane.err();
    // Frame order: optical path outermost, then focal plane, then tile row, then tile column.
    const uint64_t across = (l.total_columns + l.tile_columns - 1) / l.tile_columns;
    const uint64_t down = (l.total_rows + l.tile_rows - 1) / l.tile_rows;
    const uint64_t per_plane = across * down;
    // A part of a concatenation holds frames [offset, offset + frames) of the whole sequence.
    const bool part = ds.find(tags::concatenation_uid) != nullptr;
    const uint64_t offset = part ? uint64_t(std::max<int64_t>(0, ds.integer(tags::concatenation_frame_offset).value_or(0))) : 0;
    const uint64_t all = uint64_t(paths) * planes * per_plane;
    if (part ? offset + frames > all : all > frames)
      return make_error(errc::frame_count_mismatch, error::no_offset,
                        std::to_string(frames) + " frames" + (part ? " from offset " + std::to_string(offset) : std::string()) +
                            " for " + std::to_string(all) + " tiles of a TILED_FULL matrix");
    const uint64_t base = (uint64_t(path.value()) * planes + plane.value()) * per_plane;
    // Only the tiles this instance holds: a part may sit in a matrix of billions of declared tiles.
    const uint64_t first = offset > base ? offset - base : 0, last = std::min(per_plane, offset + frames > base ? offset + frames - base : 0);
    for (uint64_t i = first; i < last; ++i)
      l.tiles.push_back({uint32_t(base + i - offset), int64_t(i / across) * l.tile_rows, int64_t(i % across) * l.tile_columns});
    return l;
  }
  // TILED_SPARSE: each frame's Plane Position (Slide); optical path / focal plane by identifier / z.
  if (per_frame->items.size() != frames)
    return make_error(errc::frame_count_mismatch, error::no_offset, "per-frame functional groups do not match the frame count");
  std::vector<std::string> path_ids;
  std::vector<double> zs;
  struct raw { uint32_t frame; int64_t row, col; std::string path; double z; };
  std::vector<raw> all;
  for (uint32_t f = 0; f < frames; ++f) {
    const dataset& item = per_frame->items[f];
    const element* pos_seq = item.find(k_plane_position_slide);
    if (!pos_seq || pos_seq->items.empty())
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "frame " + std::to_string(f + 1) + " has no Plane Position (Slide)");
    const dataset& pos = pos_seq->items[0];
    auto row = pos.integer(k_row_position), col = pos.integer(k_column_position);
    if (!row || !col)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "frame " + std::to_string(f + 1) + " has no row/column position in the total pixel matrix");
    std::string pid;
    if (const element* op = item.find(k_optical_path_identification); op && !op->items.empty())
      pid = op->items[0].string(k_optical_path_identifier).value_or("");
    double z = pos.real(k_z_offset).value_or(0.0);
    if (std::find(path_ids.begin(), path_ids.end(), pid) == path_ids.end()) path_ids.push_back(pid);
    if (std::find(zs.begin(), zs.end(), z) == zs.end()) zs.push_back(z);
    all.push_back({f, *row - 1, *col - 1, pid, z});  // positions are 1-based
  }
  std::sort(zs.begin(), zs.end());
  auto path = pick(sel.optical_path, uint32_t(path_ids.size()), "optical path");
  if (!path) return path.err();
  auto plane = pick(sel.focal_plane, uint32_t(zs.size()), "focal plane");
  if (!plane) return plane.err();
  for (const auto& t : all)
    if (t.path == path_ids[path.value()] && t.z == zs[plane.value()]) l.tiles.push_back({t.frame, t.row, t.col});
  std::sort(l.tiles.begin(), l.tiles.end(), [](const tile_position& a, const tile_position& b) {
    return a.row != b.row ? a.row < b.row : a.column < b.column;
  });
  for (size_t i = 1; i < l.tiles.size(); ++i)
    if (l.tiles[i].row == l.tiles[i - 1].row && l.tiles[i].column == l.tiles[i - 1].column)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "frames " + std::to_string(l.tiles[i - 1].frame + 1) + " and " + std::to_string(l.tiles[i].frame + 1) +
                            " sit at the same position");
  return l;
}

result<region_plan> plan_region(const tile_layout& l, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  if (r0 < 0 || c0 < 0 || r1 > int64_t(l.total_rows) || c1 > int64_t(l.total_columns) || r0 >= r1 || c0 >= c1)
    return make_error(errc::invalid_argument, error::no_offset,
                      "region rows [" + std::to_string(r0) + ", " + std::to_string(r1) + ") columns [" +
                          std::to_string(c0) + ", " + std::to_string(c1) + ") is empty or outside the " +
                          std::to_string(l.total_rows) + " x " + std::to_string(l.total_columns) + " matrix");
  region_plan plan;
  plan.rows = uint32_t(r1 - r0);
  plan.columns = uint32_t(c1 - c0);
  for (const auto& t : l.tiles) {
    const int64_t top = std::max(r0, t.row), bottom = std::min(r1, t.row + int64_t(l.tile_rows));
    const int64_t left = std::max(c0, t.column), right = std::min(c1, t.column + int64_t(l.tile_columns));
    if (top >= bottom || left >= right) continue;
    plan.copies.push_back({t.frame, uint32_t(top - t.row), uint32_t(left - t.column), uint32_t(top - r0),
                           uint32_t(left - c0), uint32_t(bottom - top), uint32_t(right - left)});
  }
  return plan;
}

result<std::vector<uint32_t>> region_frames(const tile_layout& layout, const std::vector<std::array<int64_t, 4>>& boxes) {
  std::vector<uint32_t> frames;
  for (const auto& b : boxes) {
    auto plan = plan_region(layout, b[0], b[1], b[2], b[3]);
    if (!plan) return plan.err();
    for (uint32_t f : plan->frames()) frames.push_back(f);
  }
  std::sort(frames.begin(), frames.end());
  frames.erase(std::unique(frames.begin(), frames.end()), frames.end());
  return frames;
}

void copy_covered(const region_plan& plan, size_t pixel_bytes, const uint8_t* region, uint8_t* dst) {
  for (const auto& c : plan.copies) {
    for (uint32_t r = 0; r < c.rows; ++r) {
      const size_t at = (size_t(c.dst_row + r) * plan.columns + c.dst_column) * pixel_bytes;
      std::memcpy(dst + at, region + at, size_t(c.columns) * pixel_bytes);
    }
  }
}

void paste_tile(const region_plan& plan, const tile_layout& l, uint32_t frame, const uint8_t* tile,
                size_t bytes_per_sample, uint8_t* region) {
  const size_t px = bytes_per_sample * l.samples_per_pixel;
  for (const auto& c : plan.copies) {
    if (c.frame != frame) continue;
    for (uint32_t y = 0; y < c.rows; ++y) {
      const uint8_t* src = tile + ((size_t(c.src_row) + y) * l.tile_columns + c.src_column) * px;
      uint8_t* dst = region + ((size_t(c.dst_row) + y) * plan.columns + c.dst_column) * px;
      std::memcpy(dst, src, size_t(c.columns) * px);
    }
  }
}

}  // namespace lazydcm
