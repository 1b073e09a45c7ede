// Volume geometry against affines computed by hand from the generator's parameters, and the
// reasons a series is not a volume.
#include <catch2/catch.hpp>

#include "volume/geometry.hpp"

using namespace lazydcm;

namespace {
void require_affine(const mat4& got, const mat4& want) {
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) {
      INFO("affine[" << r << "][" << c << "]");
      CHECK(got[size_t(r)][size_t(c)] == Approx(want[size_t(r)][size_t(c)]).margin(1e-9));
    }
}
}  // namespace

TEST_CASE("axial CT: highdicom's documented example affine") {
  // highdicom docs (seg.rst): IOP [1,0,0,0,1,0], PixelSpacing 0.488 mm, slices 1.25 mm apart,
  // top slice at z = 105.52: [[0,0,.488,-125],[0,.488,0,-128.1],[-1.25,0,0,105.52]].
  std::vector<vec3> positions;
  for (int k = 0; k < 5; ++k) positions.push_back({-125.0, -128.1, 105.52 - 1.25 * (4 - k)});  // given bottom first
  auto g = compute_volume_geometry(positions, {1, 0, 0, 0, 1, 0}, {0.488, 0.488});
  REQUIRE(g.ok());
  require_affine(g->affine, {{{0, 0, 0.488, -125}, {0, 0.488, 0, -128.1}, {-1.25, 0, 0, 105.52}, {0, 0, 0, 1}}});
  CHECK(g->slices == 5);
  CHECK(g->slice_of == std::vector<size_t>{4, 3, 2, 1, 0});  // the most superior slice is slice 0
}

TEST_CASE("oblique series: rotated 30 degrees about z, tilted rows, anisotropic pixels") {
  // rowcos = (cos30, sin30, 0), colcos = (-sin30, cos30, 0): normal = colcos x rowcos = (0, 0, -1).
  const double c = 0.8660254037844386, s = 0.5;
  std::vector<vec3> positions;
  for (int k = 0; k < 4; ++k) positions.push_back({10.0, 20.0, 30.0 - 2.5 * k});  // 2.5 mm apart, descending z
  auto g = compute_volume_geometry(positions, {c, s, 0, -s, c, 0}, {0.7, 0.6});
  REQUIRE(g.ok());
  // Hand-computed: [n*2.5 | colcos*0.7 | rowcos*0.6 | IPP of slice 0 (z = 30)].
  require_affine(g->affine, {{{0, -0.35, 0.5196152422706632, 10}, {0, 0.6062177826491071, 0.3, 20}, {-2.5, 0, 0, 30}, {0, 0, 0, 1}}});
  // A genuinely tilted stack: rowcos = (1,0,0), colcos = (0, cos20, -sin20): n = (0, -sin20, -cos20).
  const double c20 = 0.9396926207859083, s20 = 0.3420201433256687;
  std::vector<vec3> tilted;
  for (int k = 0; k < 3; ++k) tilted.push_back({0, -3.0 * s20 * k, -3.0 * c20 * k});  // along n, 3 mm
  auto t = compute_volume_geometry(tilted, {1, 0, 0, 0, c20, -s20}, {1.0, 1.0});
  REQUIRE(t.ok());
  require_affine(t->affine, {{{0, 0, 1, 0}, {-s20 * 3, c20, 0, 0}, {-c20 * 3, -s20, 0, 0}, {0, 0, 0, 1}}});
  auto p = voxel_to_patient(t.value(), 2, 0, 0);
  CHECK(p[1] == Approx(-6 * s20));
  CHECK(p[2] == Approx(-6 * c20));
}

TEST_CASE("series that are not volumes say why") {
  std::array<double, 6> axial{1, 0, 0, 0, 1, 0};
  std::vector<vec3> irregular = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 0, 4}};
  auto e = compute_volume_geometry(irregular, axial, {1, 1});
  REQUIRE_FALSE(e.ok());
  CHECK(e.err().message.find("irregular spacing") != std::string::npos);
  volume_options gaps;
  gaps.allow_missing = true;
  auto m = compute_volume_geometry(irregular, axial, {1, 1}, gaps);
  REQUIRE(m.ok());
  CHECK(m->slices == 5);
  std::vector<vec3> dup = {{0, 0, 0}, {0, 0, 1}, {0, 0, 1}};
  CHECK(compute_volume_geometry(dup, axial, {1, 1}).err().message.find("duplicate") != std::string::npos);
  std::vector<vec3> off = {{0, 0, 0}, {5, 0, 1}, {0, 0, 2}};
  CHECK(compute_volume_geometry(off, axial, {1, 1}).err().message.find("off the line") != std::string::npos);
  CHECK_FALSE(compute_volume_geometry({{0, 0, 0}}, {1, 0, 0, 1, 0, 0}, {1, 1}).ok());  // not orthogonal
  volume_options hint;
  hint.spacing_hint = 2.0;
  CHECK(compute_volume_geometry({{0, 0, 0}, {0, 0, 1}}, axial, {1, 1}, hint).err().message.find("disagrees") != std::string::npos);
  auto one = compute_volume_geometry({{1, 2, 3}}, axial, {0.5, 0.5}, hint);
  REQUIRE(one.ok());
  CHECK(one->slice_spacing == 2.0);
}
