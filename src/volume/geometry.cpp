#include "volume/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace lazydcm {

namespace {
double dot(const vec3& a, const vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
vec3 cross(const vec3& a, const vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double norm(const vec3& a) { return std::sqrt(dot(a, a)); }
bool close(double a, double b, double rtol) { return std::fabs(a - b) <= rtol * std::fabs(b) + 1e-8; }
error not_a_volume(const std::string& why) { return make_error(errc::not_a_volume, error::no_offset, "not a volume: " + why); }
}  // namespace

result<volume_geometry> compute_volume_geometry(const std::vector<vec3>& positions, const std::array<double, 6>& iop,
                                                std::array<double, 2> ps, const volume_options& o) {
  if (positions.empty()) return not_a_volume("no positions");
  volume_geometry g;
  g.row_cosines = {iop[0], iop[1], iop[2]};
  g.column_cosines = {iop[3], iop[4], iop[5]};
  if (std::fabs(norm(g.row_cosines) - 1) > 1e-3 || std::fabs(norm(g.column_cosines) - 1) > 1e-3 ||
      std::fabs(dot(g.row_cosines, g.column_cosines)) > 1e-3)
    return not_a_volume("Image Orientation (Patient) is not two orthogonal unit vectors");
  if (!(ps[0] > 0) || !(ps[1] > 0)) return not_a_volume("Pixel Spacing must be positive");
  g.pixel_spacing = ps;
  g.normal = cross(g.column_cosines, g.row_cosines);
  const size_t n = positions.size();
  std::vector<double> d(n);
  for (size_t i = 0; i < n; ++i) d[i] = dot(positions[i], g.normal);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return d[a] < d[b]; });
  // Positions must lie on the line through the first one along the normal.
  const vec3& p0 = positions[order[0]];
  for (size_t i : order) {
    vec3 v = {positions[i][0] - p0[0], positions[i][1] - p0[1], positions[i][2] - p0[2]};
    double len = norm(v);
    if (len > 1e-6 && std::fabs(std::fabs(dot(v, g.normal)) / len - 1) > o.perpendicular_tol)
      return not_a_volume("position " + std::to_string(i) + " is off the line along the slice normal");
  }
  // Distinct positions (duplicates share a slice when allowed).
  std::vector<double> distinct;
  for (size_t i : order)
    if (distinct.empty() || std::fabs(d[i] - distinct.back()) > 1e-6) distinct.push_back(d[i]);
  if (distinct.size() < n && !o.allow_duplicates) return not_a_volume(std::to_string(n - distinct.size()) + " duplicate positions");
  double spacing;
  size_t slices = distinct.size();
  if (distinct.size() == 1) {
    spacing = o.spacing_hint.value_or(1.0);
  } else if (!o.allow_missing) {
    spacing = (distinct.back() - distinct.front()) / double(distinct.size() - 1);
    for (size_t k = 1; k < distinct.size(); ++k)
      if (!close(distinct[k] - distinct[k - 1], spacing, o.rtol))
        return not_a_volume("irregular spacing: " + std::to_string(distinct[k] - distinct[k - 1]) + " mm between slices " +
                            std::to_string(k - 1) + " and " + std::to_string(k) + ", " + std::to_string(spacing) + " mm on average");
    if (o.spacing_hint && !close(spacing, *o.spacing_hint, o.rtol))
      return not_a_volume("Spacing Between Slices " + std::to_string(*o.spacing_hint) + " disagrees with the positions (" +
                          std::to_string(spacing) + ")");
  } else {
    double smallest = 1e300;
    for (size_t k = 1; k < distinct.size(); ++k) smallest = std::min(smallest, distinct[k] - distinct[k - 1]);
    spacing = o.spacing_hint.value_or(smallest);
    for (double v : distinct) {
      double steps = (v - distinct.front()) / spacing;
      if (std::fabs(steps - std::round(steps)) > o.rtol * std::max(1.0, std::fabs(steps)))
        return not_a_volume("a position is not a whole number of slices from the first");
    }
    slices = size_t(std::llround((distinct.back() - distinct.front()) / spacing)) + 1;
  }
  g.slices = slices;
  g.slice_spacing = spacing;
  g.slice_of.resize(n);
  for (size_t i = 0; i < n; ++i) g.slice_of[i] = size_t(std::llround((d[i] - distinct.front()) / spacing));
  for (int r = 0; r < 3; ++r) {
    g.affine[size_t(r)] = {g.normal[size_t(r)] * spacing, g.column_cosines[size_t(r)] * ps[0],
                           g.row_cosines[size_t(r)] * ps[1], p0[size_t(r)]};
  }
  g.affine[3] = {0, 0, 0, 1};
  return g;
}

vec3 voxel_to_patient(const volume_geometry& g, double s, double r, double c) {
  vec3 out;
  for (size_t k = 0; k < 3; ++k) out[k] = g.affine[k][0] * s + g.affine[k][1] * r + g.affine[k][2] * c + g.affine[k][3];
  return out;
}

}  // namespace lazydcm

namespace lazydcm {

volume_geometry geometry_from_affine(size_t slices, uint32_t rows, uint32_t columns, double slice_spacing,
                                     std::array<double, 2> pixel_spacing, const mat4& affine) {
  volume_geometry g;
  g.slices = slices;
  g.rows = rows;
  g.columns = columns;
  g.slice_spacing = slice_spacing;
  g.pixel_spacing = pixel_spacing;
  g.affine = affine;
  const double ss = slice_spacing > 0 ? slice_spacing : 1, pr = pixel_spacing[0] > 0 ? pixel_spacing[0] : 1,
               pc = pixel_spacing[1] > 0 ? pixel_spacing[1] : 1;
  for (size_t k = 0; k < 3; ++k) {
    g.normal[k] = affine[k][0] / ss;
    g.column_cosines[k] = affine[k][1] / pr;
    g.row_cosines[k] = affine[k][2] / pc;
  }
  return g;
}

result<volume_geometry> crop_geometry(const volume_geometry& g, size_t s0, size_t s1, uint32_t r0, uint32_t r1,
                                      uint32_t c0, uint32_t c1) {
  if (s0 >= s1 || s1 > g.slices || r0 >= r1 || c0 >= c1 || (g.rows && r1 > g.rows) || (g.columns && c1 > g.columns))
    return make_error(errc::invalid_argument, error::no_offset,
                      "sub-volume [" + std::to_string(s0) + ":" + std::to_string(s1) + ", " + std::to_string(r0) + ":" +
                          std::to_string(r1) + ", " + std::to_string(c0) + ":" + std::to_string(c1) +
                          "] is empty or outside the volume (" + std::to_string(g.slices) + " x " + std::to_string(g.rows) +
                          " x " + std::to_string(g.columns) + ")");
  volume_geometry out = g;
  out.slices = s1 - s0;
  out.rows = r1 - r0;
  out.columns = c1 - c0;
  vec3 origin = voxel_to_patient(g, double(s0), double(r0), double(c0));
  for (size_t k = 0; k < 3; ++k) out.affine[k][3] = origin[k];
  for (auto& s : out.slice_of) s = s >= s0 && s < s1 ? s - s0 : SIZE_MAX;
  return out;
}

result<std::vector<size_t>> slices_on_grid(const volume_geometry& g, const std::vector<vec3>& positions,
                                           const std::array<double, 6>& iop, double tol) {
  for (size_t k = 0; k < 3; ++k)
    if (std::fabs(iop[k] - g.row_cosines[k]) > 1e-4 || std::fabs(iop[k + 3] - g.column_cosines[k]) > 1e-4)
      return not_a_volume("the orientation differs from the reference volume's");
  const vec3 origin = {g.affine[0][3], g.affine[1][3], g.affine[2][3]};
  std::vector<size_t> out;
  for (size_t i = 0; i < positions.size(); ++i) {
    vec3 v = {positions[i][0] - origin[0], positions[i][1] - origin[1], positions[i][2] - origin[2]};
    double steps = dot(v, g.normal) / g.slice_spacing;
    double in_plane_r = dot(v, g.column_cosines), in_plane_c = dot(v, g.row_cosines);
    long long s = std::llround(steps);
    if (std::fabs(steps - double(s)) * g.slice_spacing > tol || std::fabs(in_plane_r) > tol || std::fabs(in_plane_c) > tol ||
        s < 0 || size_t(s) >= g.slices)
      return not_a_volume("plane " + std::to_string(i) + " is not on a slice of the reference volume");
    out.push_back(size_t(s));
  }
  return out;
}

}  // namespace lazydcm
