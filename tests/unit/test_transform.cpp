// Pixel transforms against independent references: pydicom's apply_modality_lut,
// apply_color_lut and convert_color_space, and the PS3.3 window formulas written out in numpy
// (tests/fixtures/transform_fixtures.py), over rescale, Modality LUT, LINEAR / LINEAR_EXACT /
// SIGMOID windows, MONOCHROME1, palettes (normal and segmented), YBR JPEG, per-frame functional
// groups and real world value mapping.
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "image/frames.hpp"
#include "pixel/transform.hpp"

using namespace lazydcm;

namespace {
transform_options options_from(const nlohmann::json& j) {
  transform_options o;
  if (j.value("voi", false)) o.voi = apply_mode::if_present;
  if (j.contains("realWorld") && !j["realWorld"].get<bool>()) o.real_world = apply_mode::no;
  o.voi_index = j.value("voiIndex", size_t(0));
  o.voi_min = j.value("voiMin", 0.0);
  o.voi_max = j.value("voiMax", 1.0);
  return o;
}
}  // namespace

TEST_CASE("pixel transforms give the independent reference's output values") {
  auto manifest = test::read_json(test::fixtures_dir() + "/transform.json");
  REQUIRE(manifest.size() >= 12);
  for (auto& [name, m] : manifest.items()) {
    INFO(name);
    auto file = test::read_file(test::fixtures_dir() + "/transform/" + m["file"].get<std::string>());
    auto expected = test::read_npy(test::fixtures_dir() + "/transform/" + name + ".npy");
    REQUIRE(expected.descr == "<f8");
    instance_reader r(file.size());
    r.feed(0, file.data(), file.size());
    REQUIRE(r.step() == parse_status::done);
    REQUIRE(r.index());
    auto image = read_image_info(r.file().body, r.file().pixel);
    REQUIRE(image.ok());
    const size_t frames = r.index()->frames.size();
    REQUIRE(frames == expected.shape[0]);
    const size_t per_frame = expected.data.size() / 8 / frames;
    const double tolerance = m["tolerance"].get<double>();
    for (size_t f = 0; f < frames; ++f) {
      INFO("frame " << f);
      const auto& loc = r.index()->frames[f];
      std::vector<uint8_t> stored;
      decode_report report;
      REQUIRE(decode_stored_frame(r.file(), image.value(), loc, file.data() + loc.offset, size_t(loc.length), stored,
                                  report).code == errc::ok);
      auto t = build_pixel_transform(r.file().body, f, options_from(m["options"]));
      INFO((t.ok() ? t->describe() : t.err().to_string()));
      REQUIRE(t.ok());
      std::vector<double> out;
      REQUIRE(t->apply(stored.data(), make_frame_info(r.file(), image.value(), loc), report, out).code == errc::ok);
      REQUIRE(out.size() == per_frame);
      size_t bad = 0, first_bad = 0;
      for (size_t i = 0; i < per_frame; ++i) {
        double want;
        std::memcpy(&want, expected.data.data() + 8 * (f * per_frame + i), 8);
        if (std::fabs(out[i] - want) > tolerance * std::max(1.0, std::fabs(want))) {
          if (!bad++) first_bad = i;
        }
      }
      INFO("first mismatch at " << first_bad << " of " << per_frame);
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("VOI needs the modality transform; requested transforms that are missing are errors") {
  auto file = test::read_file(test::fixtures_dir() + "/transform/ct_rescale.dcm");
  dataset_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  transform_options o;
  o.voi = apply_mode::yes;
  o.modality = apply_mode::no;
  CHECK(build_pixel_transform(r.result().body, 0, o).err().code == errc::invalid_argument);
  transform_options p;
  p.palette = apply_mode::yes;
  CHECK(build_pixel_transform(r.result().body, 0, p).ok());  // not PALETTE COLOR: nothing to apply
  transform_options v;
  v.voi = apply_mode::yes;
  CHECK(build_pixel_transform(r.result().body, 0, v).err().code == errc::invalid_value);  // no window here
}
