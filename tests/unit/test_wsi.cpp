// Whole-slide pyramids (src/wsi): EZ-WSI's level choice on a table of spacings worked out by hand,
// magnification strings, resized-level sizes, resampling and the patch grid on small hand-made
// images, the pyramid of the generated slide (tests/fixtures/wsi_fixtures.py), its concatenated
// level's tiles, JPEG tiles decoded to RGB against PIL's libjpeg-turbo, and the ICC transform
// against PIL's ImageCms output.
#include <catch2/catch.hpp>

#include <cmath>

#include "helpers.hpp"
#include "image/frames.hpp"
#include "image/total_pixel_matrix.hpp"
#include "wsi/icc.hpp"
#include "wsi/pyramid.hpp"

using namespace lazydcm;

TEST_CASE("magnification strings and spacings, as EZ-WSI") {
  CHECK(spacing_from_magnification("40X").value() == Approx(0.00025));
  CHECK(spacing_from_magnification("0.625x").value() == Approx(0.016));
  CHECK(spacing_from_magnification(" 20 ").value() == Approx(0.0005));
  CHECK(spacing_from_magnification("abc").err().code == errc::invalid_argument);
  CHECK(spacing_from_magnification("0X").err().code == errc::invalid_argument);
  CHECK(spacing_from_magnification("-5X").err().code == errc::invalid_argument);
  CHECK(magnification_string(0.00025) == "40X");
  CHECK(magnification_string(0.016) == "0.625X");
  CHECK(magnification_string(0.008) == "1.25X");
  CHECK(magnification_string(0.001) == "10X");
  CHECK(nominal_magnification(0.00025) == "40X");
  CHECK(nominal_magnification(0.00027) == "40X");   // 8 % off
  CHECK(nominal_magnification(0.00035) == "");      // 40 % off 0.25 µm, 30 % off 0.5 µm
  CHECK(nominal_magnification(0.256) == "0.0390625X");
  CHECK(pixel_spacing{0.00025, 0.00025} == pixel_spacing{0.00026, 0.000255});
  CHECK_FALSE(pixel_spacing{0.00025, 0.00025} == pixel_spacing{0.0003, 0.00025});
}

TEST_CASE("level by pixel spacing follows EZ-WSI's rule (threshold 0.23, maximum downsample)") {
  wsi_pyramid p;
  for (double s : {0.00025, 0.0005, 0.001, -1.0, 0.004}) {
    wsi_level l;
    if (s > 0) l.spacing = pixel_spacing{s, s};
    p.levels.push_back(l);
  }
  struct row { double target, max_downsample; int expected; };
  // Worked by hand: smaller = largest spacing <= target, greater = smallest above; isclose is
  // relative to the larger of the two values.
  const row table[] = {
      {0.00025, 0, 0},    // exact
      {0.0003, 0, 0},     // |0.00025-0.0003| = 0.00005 <= 0.23 * 0.0003
      {0.0004, 0, 1},     // smaller too far (0.00015 > 0.000092); greater 0.0005: 0.0001 <= 0.000115
      {0.00035, 0, -1},   // neither close
      {0.00035, 8, 0},    // 0.00035 / 0.00025 = 1.4 <= 8
      {0.002, 0, -1},     // 0.001 and 0.004 both too far
      {0.002, 2, 2},      // 0.002 / 0.001 = 2 <= 2
      {0.002, 1.5, -1},
      {0.0001, 8, -1},    // finer than every level, and 0.00025 is not close
      {0.01, 8, 4},       // 0.01 / 0.004 = 2.5 <= 8 (the level without spacing is skipped)
      {0.0046, 0, 4},     // 0.0006 <= 0.23 * 0.0046
  };
  for (const auto& r : table) {
    INFO("target " << r.target << " max downsample " << r.max_downsample);
    auto got = level_by_spacing(p, r.target, 0.23, r.max_downsample);
    CHECK((got ? int(*got) : -1) == r.expected);
  }
  CHECK(!level_by_spacing(p, 0.0004, 0.1, 0));   // threshold 0.1: neither 0.00025 nor 0.0005 is close
  CHECK(*level_by_spacing(p, 0.00047, 0.1, 0) == 1);
}

TEST_CASE("resized level sizes follow EZ-WSI's ResizedLevel") {
  auto a = resize_level(600, 800, {0.00025, 0.00025}, {0.00075, 0.00075});
  CHECK(a.rows == 200);
  CHECK(a.columns == 266);  // int(800 / 3)
  auto b = resize_level(150, 200, {0.001, 0.001}, {0.0004, 0.0004});
  CHECK(b.rows == 375);
  CHECK(b.columns == 500);
  CHECK(b.factor_row == Approx(0.4));
  auto c = resize_level(100, 100, {0.001, 0.002}, {0.002, 0.002});  // factors 2 (rows), 1 (columns)
  CHECK(c.rows == 50);
  CHECK(c.columns == 100);
  CHECK(c.factor_column == Approx(1.0));
  auto d = resize_level(3, 3, {0.001, 0.001}, {1.0, 1.0});
  CHECK(d.rows == 1);
  CHECK(d.columns == 1);
}

TEST_CASE("area and cubic resampling on hand-made images") {
  // 4 x 4 grey to 2 x 2: block means, rounded half up.
  const uint8_t src[16] = {1, 2, 10, 20, 3, 4, 30, 40, 100, 100, 0, 0, 100, 101, 0, 1};
  uint8_t dst[4];
  resize_area(src, 4, 4, 1, {0, 0, 2, 2}, dst, 2, 2);
  CHECK(dst[0] == 3);    // 2.5
  CHECK(dst[1] == 25);
  CHECK(dst[2] == 100);  // 100.25
  CHECK(dst[3] == 0);    // 0.25
  // 3 -> 2 columns (scale 1.5): (a + b/2) / 1.5 and (b/2 + c) / 1.5.
  const uint8_t line[3] = {30, 60, 90};
  uint8_t two[2];
  resize_area(line, 1, 3, 1, {0, 0, 1.5, 1}, two, 1, 2);
  CHECK(two[0] == 40);
  CHECK(two[1] == 80);
  // A fractional origin: [0.5, 2.5) of {30, 60, 90} = (15 + 60 + 45) / 2.
  uint8_t one;
  resize_area(line, 1, 3, 1, {0.5, 0, 2, 1}, &one, 1, 1);
  CHECK(one == 60);
  // Cubic at scale 1 is the identity; a linear ramp is reproduced inside the image.
  uint8_t same[16];
  resize_cubic(src, 4, 4, 1, {0, 0, 1, 1}, same, 4, 4);
  CHECK(std::equal(src, src + 16, same));
  uint8_t ramp[8], up[16];
  for (int i = 0; i < 8; ++i) ramp[i] = uint8_t(10 * i + 20);
  resize_cubic(ramp, 1, 8, 1, {0, 0, 0.5, 1}, up, 1, 16);
  for (int x = 4; x < 12; ++x) CHECK(std::fabs(up[x] - (20 + 10 * ((x + 0.5) * 0.5 - 0.5))) <= 0.5 + 1e-6);
  // RGB: channels stay apart.
  const uint8_t rgb[12] = {255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255};
  uint8_t rgb2[6];
  resize_area(rgb, 1, 4, 3, {0, 0, 2, 1}, rgb2, 1, 2);
  CHECK(std::vector<int>(rgb2, rgb2 + 6) == std::vector<int>{255, 0, 0, 0, 0, 255});
}

TEST_CASE("luminance as OpenCV's RGB2GRAY") {
  const uint8_t px[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255};
  auto g = rgb_to_gray(px, 4);
  CHECK(std::vector<int>(g.begin(), g.end()) == std::vector<int>{76, 150, 29, 255});
}

TEST_CASE("patch grid over a hand-made mask") {
  // Image 128 x 192, mask 4 x 6 (one mask pixel per 32 x 32 cell).
  std::vector<uint8_t> mask(24, 230);  // background: brighter than 0.8 * 255 = 204
  mask[1 * 6 + 2] = 100;
  mask[2 * 6 + 4] = 50;
  mask[3 * 6 + 5] = 0;  // black: below 1/255
  patch_grid_options o;
  o.patch = 32;
  auto g = patch_grid(mask.data(), 4, 6, 128, 192, o);
  REQUIRE(g.ok());
  REQUIRE(g->size() == 2);
  CHECK(((*g)[0].row == 32 && (*g)[0].column == 64));
  CHECK(((*g)[1].row == 64 && (*g)[1].column == 128));
  // Patch 16 every 32: centred in its cell.
  o.patch = 16;
  o.stride = 32;
  g = patch_grid(mask.data(), 4, 6, 128, 192, o);
  REQUIRE(g->size() == 2);
  CHECK(((*g)[0].row == 40 && (*g)[0].column == 72));
  // Overlapping patches (64 every 32): steps int((192 - 32) / 32) = 5 across, 3 down; each cell
  // is the mean over its patch's 2 x 2 mask window.
  std::vector<uint8_t> m2(24, 100);
  for (int x = 0; x < 6; ++x) m2[x] = 255;  // row 0: windows of row 0 average (255 + 100) / 2 = 177
  o.patch = 64;
  o.stride = 32;
  o.max_luminance = 0.6;  // 153
  g = patch_grid(m2.data(), 4, 6, 128, 192, o);
  REQUIRE(g.ok());
  CHECK(g->size() == 2 * 5);  // rows 1 and 2 of the 3
  CHECK((*g)[0].row == 32);
  CHECK((*g)[0].column == 0);
  CHECK(g->back().row == 64);
  CHECK(g->back().column == 128);
  o.patch = 0;
  CHECK(patch_grid(m2.data(), 4, 6, 128, 192, o).err().code == errc::invalid_argument);
}

namespace {
struct slide_files {
  nlohmann::json manifest = test::read_json(test::fixtures_dir() + "/wsi.json");
  std::vector<std::unique_ptr<test::loaded_instance>> files;
  std::vector<wsi_image> images;
  slide_files() {
    for (auto& [name, path] : manifest["files"].items()) {
      files.push_back(std::make_unique<test::loaded_instance>(path.get<std::string>()));
      images.push_back(read_wsi_image(files.back()->body(), name, files.back()->reader->file().syntax.uid));
    }
  }
  size_t find(const std::string& name) const {
    for (size_t i = 0; i < images.size(); ++i)
      if (images[i].name == name) return i;
    FAIL("no " << name);
    return 0;
  }
};
}  // namespace

TEST_CASE("the generated slide's pyramid: levels, concatenation, ancillary images") {
  slide_files s;
  auto p = build_pyramid(s.images);
  INFO((p ? std::string() : p.err().to_string()));
  REQUIRE(p.ok());
  REQUIRE(p->levels.size() == 3);
  const auto& expected = s.manifest["levels"];
  for (size_t i = 0; i < 3; ++i) {
    const auto& l = p->levels[i];
    CHECK(l.total_rows == expected[i]["rows"].get<uint32_t>());
    CHECK(l.total_columns == expected[i]["cols"].get<uint32_t>());
    CHECK(l.frames == expected[i]["frames"].get<uint64_t>());
    CHECK(l.focal_planes == expected[i]["focalPlanes"].get<uint32_t>());
    REQUIRE(l.spacing);
    CHECK(l.spacing->row == Approx(expected[i]["spacing"].get<double>()));
    CHECK(l.spacing->column == Approx(expected[i]["spacing"].get<double>()));
    CHECK(l.images.size() == 1);
  }
  CHECK(p->levels[1].images[0] == std::vector<size_t>{s.find("level1_part1"), s.find("level1_part2")});
  CHECK(p->labels == std::vector<size_t>{s.find("label")});
  CHECK(p->overviews == std::vector<size_t>{s.find("overview")});
  CHECK(p->thumbnails == std::vector<size_t>{s.find("thumbnail")});
  CHECK(s.images[s.find("level0")].has_icc_profile);
  CHECK(*level_by_spacing(p.value(), 0.008, 0.23, 8.0) == 2);  // the patch generator's mask level

  // Broken inputs.
  auto images = s.images;
  images.erase(images.begin() + long(s.find("level1_part1")));
  CHECK(build_pyramid(images).err().code == errc::invalid_image_attributes);  // part 2 starts at 7
  images = s.images;
  images[s.find("level2")].series_uid = "1.2.3";
  CHECK(build_pyramid(images).err().code == errc::not_a_slide);
  images = {s.images[s.find("label")]};
  CHECK(build_pyramid(images).err().code == errc::not_a_slide);
}

TEST_CASE("a concatenation part lays out its own tiles; JPEG tiles decode to PIL's RGB") {
  slide_files s;
  auto& part2 = *s.files[s.find("level1_part2")];
  auto layout = read_tile_layout(part2.body());
  REQUIRE(layout.ok());
  REQUIRE(layout->tiles.size() == 5);  // frames 8..12 of the 12 tiles (4 across)
  CHECK(layout->tiles[0].frame == 0);
  CHECK(layout->tiles[0].row == 128);
  CHECK(layout->tiles[0].column == 3 * 128);
  CHECK(layout->tiles[4].row == 256);
  CHECK(layout->tiles[4].column == 3 * 128);
  auto ref = test::read_npy(s.manifest["levels"][1]["npy"][0].get<std::string>());  // 300 x 400 x 3
  auto image = read_image_info(part2.body(), part2.reader->file().pixel);
  REQUIRE(image.ok());
  for (const auto& t : layout->tiles) {
    std::vector<uint8_t> out;
    decode_report report;
    decode_options o;
    o.rgb = true;
    REQUIRE(decode_stored_frame(part2.reader->file(), image.value(), part2.reader->index()->frames[t.frame], part2.range(t.frame),
                                part2.range_size(t.frame), out, report, o)
                .code == errc::ok);
    CHECK(report.photometric_interpretation == "RGB");
    int worst = 0;
    for (int64_t y = 0; y < 128 && t.row + y < 300; ++y)
      for (int64_t x = 0; x < 128 && t.column + x < 400; ++x)
        for (int c = 0; c < 3; ++c)
          worst = std::max(worst, std::abs(int(out[size_t((y * 128 + x) * 3 + c)]) -
                                           int(ref.data[size_t(((t.row + y) * 400 + t.column + x) * 3 + c)])));
    CHECK(worst == 0);
  }
}

TEST_CASE("ICC: the slide's profile to sRGB and Display P3 equals PIL's ImageCms") {
  slide_files s;
  auto& level2 = *s.files[s.find("level2")];
  const element* icc = find_icc_profile(level2.body());
  REQUIRE(icc);
  REQUIRE(!icc->bulk);
  auto ref = test::read_npy(s.manifest["levels"][2]["npy"][0].get<std::string>());
  for (auto [name, target, tolerance] : {std::tuple{"level2_srgb", icc_target::srgb, 1}, std::tuple{"level2_p3", icc_target::display_p3, 2}}) {
    INFO(name);
    auto t = icc_transform::create(icc->value.data(), icc->value.size(), target);
    REQUIRE(t.ok());
    auto px = ref.data;
    t->apply(px.data(), px.size() / 3);
    auto expected = test::read_npy(s.manifest["references"][name].get<std::string>());
    REQUIRE(expected.data.size() == px.size());
    int worst = 0;
    for (size_t i = 0; i < px.size(); ++i) worst = std::max(worst, std::abs(int(px[i]) - int(expected.data[i])));
    CHECK(worst <= tolerance);
    CHECK(px != ref.data);  // the profile is not sRGB: colours change
  }
  std::vector<uint8_t> junk(400, 7);
  CHECK(icc_transform::create(junk.data(), junk.size(), icc_target::srgb).err().code == errc::icc_error);
  CHECK(icc_transform::create(junk.data(), 10, icc_target::srgb).err().code == errc::icc_error);
}
