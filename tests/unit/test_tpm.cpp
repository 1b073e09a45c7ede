// Total pixel matrix regions against a straightforward numpy stitch of the tiles pydicom decodes
// (tests/fixtures/tpm_fixtures.py): TILED_FULL (JPEG and native, sizes that are not tile
// multiples, two focal planes) and TILED_SPARSE (shuffled, one tile missing); the frames a region
// needs are exactly the tiles it touches.
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "image/frames.hpp"
#include "image/total_pixel_matrix.hpp"

using namespace lazydcm;

TEST_CASE("regions of the total pixel matrix equal a stitch of the decoded tiles") {
  auto manifest = test::read_json(test::fixtures_dir() + "/tpm.json");
  REQUIRE(manifest.size() >= 4);
  int regions = 0;
  for (auto& [name, m] : manifest.items()) {
    INFO(name);
    auto file = test::read_file(m["file"].get<std::string>());
    instance_reader r(file.size());
    r.feed(0, file.data(), file.size());
    REQUIRE(r.step() == parse_status::done);
    auto image = read_image_info(r.file().body, r.file().pixel);
    REQUIRE(image.ok());
    plane_selection sel;
    if (m["selection"].contains("focalPlane")) sel.focal_plane = m["selection"]["focalPlane"].get<uint32_t>();
    auto layout = read_tile_layout(r.file().body, sel);
    INFO((layout.ok() ? std::string() : layout.err().to_string()));
    REQUIRE(layout.ok());
    for (auto& region : m["regions"]) {
      INFO("rows " << region["rows"].dump() << " cols " << region["cols"].dump());
      auto plan = plan_region(layout.value(), region["rows"][0], region["rows"][1], region["cols"][0], region["cols"][1]);
      REQUIRE(plan.ok());
      CHECK(plan->frames() == region["frames"].get<std::vector<uint32_t>>());
      const size_t bytes = image->bits_allocated / 8;
      std::vector<uint8_t> out(size_t(plan->rows) * plan->columns * image->samples_per_pixel * bytes, 0);
      for (uint32_t f : plan->frames()) {
        const auto& loc = r.index()->frames[f];
        std::vector<uint8_t> tile;
        decode_report report;
        REQUIRE(decode_stored_frame(r.file(), image.value(), loc, file.data() + loc.offset, size_t(loc.length), tile,
                                    report).code == errc::ok);
        paste_tile(plan.value(), layout.value(), f, tile.data(), bytes, out.data());
      }
      auto expected = test::read_npy(test::fixtures_dir() + "/tpm/" + region["npy"].get<std::string>());
      CHECK(out == expected.data);
      ++regions;
    }
  }
  CHECK(regions >= 16);
}

TEST_CASE("several focal planes need a selection; regions outside the matrix are errors") {
  auto file = test::read_file(test::fixtures_dir() + "/tpm/rgb_two_planes.dcm");
  dataset_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  CHECK(read_tile_layout(r.result().body).err().code == errc::invalid_image_attributes);
  plane_selection bad;
  bad.focal_plane = 2;
  CHECK(read_tile_layout(r.result().body, bad).err().code == errc::invalid_argument);
  plane_selection one;
  one.focal_plane = 1;
  auto layout = read_tile_layout(r.result().body, one);
  REQUIRE(layout.ok());
  CHECK(layout->tiles.front().frame == 12);
  CHECK(plan_region(layout.value(), 0, 151, 0, 10).err().code == errc::invalid_argument);
  CHECK(plan_region(layout.value(), 5, 5, 0, 10).err().code == errc::invalid_argument);
  CHECK(plan_region(layout.value(), -1, 5, 0, 10).err().code == errc::invalid_argument);
  auto file2 = test::read_file(test::fixtures_dir() + "/index/native16.dcm");
  dataset_reader r2(file2.size());
  r2.feed(0, file2.data(), file2.size());
  REQUIRE(r2.step() == parse_status::done);
  CHECK(read_tile_layout(r2.result().body).err().code == errc::invalid_image_attributes);  // not tiled
}
