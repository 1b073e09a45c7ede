#include "volume/planes.hpp"

#include <cmath>

namespace lazydcm {

namespace {
constexpr tag_t k_image_position = 0x00200032, k_image_orientation = 0x00200037;
constexpr tag_t k_spacing_between_slices = 0x00180088, k_plane_position = 0x00209113, k_plane_orientation = 0x00209116;

template <size_t N>
std::optional<std::array<double, N>> reals(const dataset* ds, tag_t t) {
  if (!ds) return std::nullopt;
  std::array<double, N> out{};
  for (size_t i = 0; i < N; ++i) {
    auto v = ds->real(t, i);
    if (!v || !std::isfinite(*v)) return std::nullopt;
    out[i] = *v;
  }
  return out;
}

// The attribute from the functional group, else from the top level.
template <size_t N>
std::optional<std::array<double, N>> frame_reals(const dataset& ds, size_t frame, tag_t macro, tag_t t) {
  if (auto v = reals<N>(functional_group(ds, frame, macro), t)) return v;
  return reals<N>(&ds, t);
}

error not_a_volume(const std::string& why) { return make_error(errc::not_a_volume, error::no_offset, "not a volume: " + why); }

bool same_orientation(const std::array<double, 6>& a, const std::array<double, 6>& b) {
  for (size_t k = 0; k < 6; ++k)
    if (std::fabs(a[k] - b[k]) > 1e-4) return false;
  return true;
}

std::string frame_name(size_t i) { return "frame " + std::to_string(i + 1); }
}  // namespace

plane_info frame_plane(const dataset& ds, size_t frame) {
  plane_info p;
  p.position = frame_reals<3>(ds, frame, k_plane_position, k_image_position);
  p.orientation = frame_reals<6>(ds, frame, k_plane_orientation, k_image_orientation);
  p.pixel_spacing = frame_reals<2>(ds, frame, tags::pixel_measures_sequence, tags::pixel_spacing);
  if (auto s = frame_reals<1>(ds, frame, tags::pixel_measures_sequence, k_spacing_between_slices)) p.spacing_between_slices = (*s)[0];
  return p;
}

result<volume_geometry> frames_geometry(const dataset& ds, size_t frame_count, const std::vector<size_t>& frames_in,
                                        volume_options options) {
  std::vector<size_t> frames = frames_in;
  if (frames.empty())
    for (size_t i = 0; i < frame_count; ++i) frames.push_back(i);
  std::vector<vec3> positions;
  std::optional<std::array<double, 6>> orientation;
  std::optional<std::array<double, 2>> spacing;
  for (size_t f : frames) {
    if (f >= frame_count)
      return make_error(errc::frame_out_of_range, error::no_offset, frame_name(f) + " of " + std::to_string(frame_count));
    plane_info p = frame_plane(ds, f);
    if (!p.position) return not_a_volume(frame_name(f) + " has no Image Position (Patient)");
    if (!p.orientation) return not_a_volume(frame_name(f) + " has no Image Orientation (Patient)");
    if (!p.pixel_spacing) return not_a_volume(frame_name(f) + " has no Pixel Spacing");
    if (!orientation) {
      orientation = p.orientation;
      spacing = p.pixel_spacing;
      if (!options.spacing_hint && p.spacing_between_slices && *p.spacing_between_slices > 0)
        options.spacing_hint = p.spacing_between_slices;
    } else if (!same_orientation(*orientation, *p.orientation)) {
      return not_a_volume(frame_name(f) + " has another orientation than " + frame_name(frames[0]));
    } else if (*spacing != *p.pixel_spacing) {
      return not_a_volume(frame_name(f) + " has another pixel spacing than " + frame_name(frames[0]));
    }
    positions.push_back(*p.position);
  }
  if (positions.empty()) return not_a_volume("no frames");
  auto g = compute_volume_geometry(positions, *orientation, *spacing, options);
  if (!g) return g;
  g->rows = uint32_t(ds.integer(tags::rows).value_or(0));
  g->columns = uint32_t(ds.integer(tags::columns).value_or(0));
  return g;
}

series_member read_series_member(const dataset& ds, std::string name) {
  series_member m;
  m.name = std::move(name);
  m.series_uid = ds.string(tags::series_instance_uid).value_or("");
  m.frame_of_reference_uid = ds.string(tags::frame_of_reference_uid).value_or("");
  m.rows = uint32_t(ds.integer(tags::rows).value_or(0));
  m.columns = uint32_t(ds.integer(tags::columns).value_or(0));
  m.plane = frame_plane(ds, 0);
  return m;
}

result<volume_geometry> series_geometry(const std::vector<series_member>& members, volume_options options) {
  if (members.empty()) return not_a_volume("no instances");
  const series_member& first = members[0];
  std::vector<vec3> positions;
  for (const auto& m : members) {
    const std::string who = m.name.empty() ? "an instance" : m.name;
    if (!m.plane.position) return not_a_volume(who + " has no Image Position (Patient)");
    if (!m.plane.orientation) return not_a_volume(who + " has no Image Orientation (Patient)");
    if (!m.plane.pixel_spacing) return not_a_volume(who + " has no Pixel Spacing");
    if (m.series_uid != first.series_uid) return not_a_volume(who + " has another Series Instance UID than " + first.name);
    if (m.frame_of_reference_uid != first.frame_of_reference_uid)
      return not_a_volume(who + " has another Frame of Reference UID than " + first.name);
    if (!same_orientation(*m.plane.orientation, *first.plane.orientation))
      return not_a_volume(who + " has another orientation than " + first.name);
    if (*m.plane.pixel_spacing != *first.plane.pixel_spacing)
      return not_a_volume(who + " has another pixel spacing than " + first.name);
    if (m.rows != first.rows || m.columns != first.columns)
      return not_a_volume(who + " has another size than " + first.name);
    positions.push_back(*m.plane.position);
  }
  if (!options.spacing_hint && first.plane.spacing_between_slices && *first.plane.spacing_between_slices > 0)
    options.spacing_hint = first.plane.spacing_between_slices;
  auto g = compute_volume_geometry(positions, *first.plane.orientation, *first.plane.pixel_spacing, options);
  if (!g) return g;
  g->rows = first.rows;
  g->columns = first.columns;
  return g;
}

}  // namespace lazydcm
