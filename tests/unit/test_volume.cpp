// Volume geometry against affines computed by hand from the generator's parameters, and the
// reasons a series is not a volume.
#include <cmath>
#include <cstring>

#include "helpers.hpp"
#include "session/session.hpp"
#include "volume/geometry.hpp"
#include "volume/assembler.hpp"
#include "volume/planes.hpp"

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

namespace {
nlohmann::json ct_manifest() { return test::read_json(test::fixtures_dir() + "/volume.json")["ct"]; }

void require_affine(const mat4& got, const nlohmann::json& want) {
  for (size_t r = 0; r < 4; ++r)
    for (size_t c = 0; c < 4; ++c) {
      INFO("affine[" << r << "][" << c << "]");
      CHECK(got[r][c] == Approx(want[r][c].get<double>()).margin(1e-6));
    }
}

result<volume_geometry> series_of(const std::vector<std::string>& files) {
  std::vector<series_member> members;
  for (const auto& f : files) {
    test::loaded_instance in(f);
    members.push_back(read_series_member(in.body(), f));
  }
  return series_geometry(members, {});
}
}  // namespace

TEST_CASE("oblique CT series (files shuffled): the generator's affine, slices in order") {
  auto m = ct_manifest();
  auto files = m["series"].get<std::vector<std::string>>();
  auto g = series_of(files);
  INFO((g.ok() ? std::string() : g.err().to_string()));
  REQUIRE(g.ok());
  require_affine(g->affine, m["affine"]);
  CHECK(g->slices == 8);
  CHECK(g->rows == 23);
  CHECK(g->columns == 21);
  CHECK(g->slice_spacing == Approx(2.5));
  // Each file's slice holds the generator's HU values (slice k of the volume).
  auto hu = test::read_npy(m["hu"]);
  const size_t pixels = 23 * 21;
  for (size_t i = 0; i < files.size(); ++i) {
    test::loaded_instance in(files[i]);
    image_session s(*in.reader);
    transform_options o;
    REQUIRE(s.transform(0, in.range(0), in.range_size(0), o).code == errc::ok);
    CHECK(std::memcmp(s.values().data(), hu.data.data() + g->slice_of[i] * pixels * 8, pixels * 8) == 0);
  }
}

TEST_CASE("enhanced multi-frame CT (frames shuffled): the same affine from its functional groups") {
  auto m = ct_manifest();
  test::loaded_instance in(m["enhanced"].get<std::string>());
  image_session s(*in.reader);
  auto g = s.geometry({}, {});
  INFO((g.ok() ? std::string() : g.err().to_string()));
  REQUIRE(g.ok());
  require_affine(g->affine, m["affine"]);
  CHECK(g->slice_of == m["enhanced_frame_slices"].get<std::vector<size_t>>());
  // A subset of frames: their own geometry, gaps allowed only when asked for.
  const auto order = m["enhanced_frame_slices"].get<std::vector<long>>();
  if (std::labs(order[2] - order[5]) > 1) CHECK(s.geometry({2, 5}, {}).err().code == errc::not_a_volume);
  volume_options gaps;
  gaps.allow_missing = true;
  auto sub = s.geometry({2, 5}, gaps);
  REQUIRE(sub.ok());
  CHECK(sub->slices == size_t(std::labs(order[2] - order[5]) + 1));
  CHECK(s.geometry({9}, {}).err().code == errc::frame_out_of_range);
  // Cropping: origin moves to the first kept voxel, axes stay.
  auto c = crop_geometry(g.value(), 2, 5, 3, 20, 4, 10);
  REQUIRE(c.ok());
  vec3 want = voxel_to_patient(g.value(), 2, 3, 4);
  for (size_t k = 0; k < 3; ++k) {
    CHECK(c->affine[k][3] == Approx(want[k]));
    CHECK(c->affine[k][0] == g->affine[k][0]);
  }
  CHECK(c->slices == 3);
  CHECK(c->rows == 17);
  CHECK_FALSE(crop_geometry(g.value(), 0, 9, 0, 1, 0, 1).ok());
  CHECK_FALSE(crop_geometry(g.value(), 0, 1, 0, 24, 0, 1).ok());
}

TEST_CASE("series that are not volumes: the generator's reasons") {
  auto bad = test::read_json(test::fixtures_dir() + "/volume.json")["bad"];
  REQUIRE(bad.size() >= 5);
  for (auto& [name, b] : bad.items()) {
    INFO(name);
    auto g = series_of(b["files"].get<std::vector<std::string>>());
    REQUIRE_FALSE(g.ok());
    CHECK(g.err().code == errc::not_a_volume);
    INFO(g.err().message);
    CHECK(g.err().message.find(b["why"].get<std::string>()) != std::string::npos);
  }
  const auto bad_enhanced = test::read_json(test::fixtures_dir() + "/volume.json")["bad_enhanced"];
  for (auto& [name, b] : bad_enhanced.items()) {
    INFO(name);
    test::loaded_instance in(b["file"].get<std::string>());
    image_session s(*in.reader);
    auto g = s.geometry({}, {});
    REQUIRE_FALSE(g.ok());
    CHECK(g.err().code == errc::not_a_volume);
    INFO(g.err().message);
    CHECK(g.err().message.find(b["why"].get<std::string>()) != std::string::npos);
  }
}

TEST_CASE("a 500 x 512 x 512 grey CT fits as float32 (500 MiB), its samples known from the first frame; RGB of that size does not") {
  // Before: the size was checked as if every voxel had 4 samples, so this CT was refused.
  auto v = volume_buffer::create({0, 500, 0, 512, 0, 512}, 512, 512, 0, true);
  REQUIRE(v);
  std::vector<double> slice(size_t(512) * 512, 7.0);
  CHECK(v->put(3, slice.data(), slice.size(), 512, 512, 1).code == errc::ok);
  auto rgb = volume_buffer::create({0, 500, 0, 512, 0, 512}, 512, 512, 0, true);
  REQUIRE(rgb);
  std::vector<double> rgb_slice(size_t(512) * 512 * 4, 1.0);
  const error e = rgb->put(0, rgb_slice.data(), rgb_slice.size(), 512, 512, 4);
  CHECK(e.code == errc::value_too_large);
  CHECK(e.message.find("4 samples") != std::string::npos);
  CHECK(volume_buffer::create({0, 500, 0, 512, 0, 512}, 512, 512, 0, false));          // float64, 1 GiB
  CHECK_FALSE(volume_buffer::create({0, 800, 0, 512, 0, 512}, 512, 512, 0, false));    // 1.6 GiB
}
