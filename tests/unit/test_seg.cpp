// Segmentations against the generator's masks (tests/fixtures/volume_fixtures.py): segment lookup,
// BINARY / FRACTIONAL / LABELMAP volumes, one channel per segment or combined, the overlap check,
// the geometry of the SEG's own frames and the volume on its source image's grid.
#include <cstring>

#include "helpers.hpp"
#include "session/session.hpp"
#include "seg/segmentation.hpp"

using namespace lazydcm;

namespace {
nlohmann::json manifest() { return test::read_json(test::fixtures_dir() + "/volume.json"); }

// Reads a segment volume as the TypeScript layer does: plan, decode and paste the planned frames.
result<const seg_volume*> read_volume(image_session& s, const test::loaded_instance& in, const seg_volume_request& req,
                                      const volume_geometry* reference = nullptr) {
  auto plan = s.plan_segments(req, reference);
  if (!plan) return plan;
  for (size_t f : plan.value()->frames())
    if (error e = s.paste_segment(f, in.range(f), in.range_size(f)); e.code != errc::ok) return e;
  return plan;
}

// The generator's mask of segment n on the SEG's own slices [first, last].
std::vector<uint8_t> mask_slices(const std::string& npy, size_t first, size_t last) {
  auto m = test::read_npy(npy);
  const size_t per_slice = m.shape[1] * m.shape[2];
  return std::vector<uint8_t>(m.data.begin() + long(first * per_slice), m.data.begin() + long((last + 1) * per_slice));
}

volume_geometry ct_geometry() {
  auto m = manifest()["ct"];
  test::loaded_instance ct(m["enhanced"].get<std::string>());
  image_session s(*ct.reader);
  auto g = s.geometry({}, {});
  REQUIRE(g.ok());
  return g.value();
}
}  // namespace

TEST_CASE("segments are described and found by label, property and tracking id") {
  auto m = manifest()["segs"]["binary"];
  test::loaded_instance in(m["file"].get<std::string>());
  image_session s(*in.reader);
  auto seg = s.segmentation();
  REQUIRE(seg.ok());
  const segmentation_info& info = *seg.value();
  CHECK(info.type == segmentation_type::binary);
  REQUIRE(info.segments.size() == 3);
  CHECK(info.segments[1].label == "Spleen");
  CHECK(info.segments[1].type.value == "78961009");
  CHECK(info.segments[1].category.meaning == "Anatomical Structure");
  REQUIRE(info.segments[0].cielab);
  CHECK((*info.segments[0].cielab)[1] == 50000);
  segment_filter f;
  f.label = "Kidney";
  CHECK(find_segments(info, f) == std::vector<uint32_t>{3});
  f.label.reset();
  f.type = "Spleen";
  CHECK(find_segments(info, f) == std::vector<uint32_t>{2});
  f.type.reset();
  f.category = "123037004";
  CHECK(find_segments(info, f) == std::vector<uint32_t>{1, 2, 3});
  f.algorithm_type = "AUTOMATIC";
  CHECK(find_segments(info, f) == std::vector<uint32_t>{2});
  segment_filter none;
  none.label = "liver";  // exact matches only
  CHECK(find_segments(info, none).empty());
  segment_filter track;
  track.tracking_id = "track-Liver";
  CHECK(find_segments(info, track) == std::vector<uint32_t>{1});
}

TEST_CASE("binary SEG: channels and a combined label volume equal the generator's masks") {
  auto m = manifest()["segs"]["binary"];
  test::loaded_instance in(m["file"].get<std::string>());
  const size_t first = m["first_slice"], last = m["last_slice"];
  std::vector<std::vector<uint8_t>> masks;
  for (int n = 1; n <= 3; ++n) masks.push_back(mask_slices(m["masks"][std::to_string(n)], first, last));
  image_session s(*in.reader);
  seg_volume_request req;
  auto v = read_volume(s, in, req);
  INFO((v.ok() ? std::string() : v.err().to_string()));
  REQUIRE(v.ok());
  const seg_volume& vol = *v.value();
  CHECK(vol.geometry().slices == last - first + 1);
  CHECK(vol.channels() == 3);
  CHECK(vol.dtype() == seg_dtype::uint8);
  // The SEG's geometry starts at its first slice: the generator's position of that slice.
  for (size_t k = 0; k < 3; ++k) CHECK(vol.geometry().affine[k][3] == Approx(m["affine_first_slice"][0][k].get<double>()).margin(1e-6));
  const size_t pixels = masks[0].size();
  size_t wrong = 0;
  for (size_t p = 0; p < pixels; ++p)
    for (size_t c = 0; c < 3; ++c) wrong += vol.data()[p * 3 + c] != masks[c][p];
  CHECK(wrong == 0);

  // Only the requested segments' frames are planned; channels follow the request order.
  seg_volume_request two;
  two.segments = {3, 1};
  auto v2 = read_volume(s, in, two);
  REQUIRE(v2.ok());
  size_t kidney_frames = 0;
  for (size_t f = 0; f < in.frames(); ++f) kidney_frames += s.segmentation().value()->frame_segment[f] != 2;
  CHECK(v2.value()->frames().size() == kidney_frames);
  wrong = 0;
  for (size_t p = 0; p < pixels; ++p) wrong += (v2.value()->data()[p * 2] != masks[2][p]) + (v2.value()->data()[p * 2 + 1] != masks[0][p]);
  CHECK(wrong == 0);

  seg_volume_request combined;
  combined.combine = true;
  auto v3 = read_volume(s, in, combined);
  REQUIRE(v3.ok());
  wrong = 0;
  for (size_t p = 0; p < pixels; ++p) wrong += v3.value()->data()[p] != masks[0][p] * 1 + masks[1][p] * 2 + masks[2][p] * 3;
  CHECK(wrong == 0);
  combined.segments = {2, 3};
  combined.relabel = true;
  auto v4 = read_volume(s, in, combined);
  REQUIRE(v4.ok());
  wrong = 0;
  for (size_t p = 0; p < pixels; ++p) wrong += v4.value()->data()[p] != masks[1][p] * 1 + masks[2][p] * 2;
  CHECK(wrong == 0);

  seg_volume_request bad;
  bad.segments = {4};
  CHECK(s.plan_segments(bad, nullptr).err().code == errc::invalid_argument);
}

TEST_CASE("a SEG on its source image's grid lines up with the CT volume") {
  auto m = manifest();
  auto seg = m["segs"]["binary"];
  test::loaded_instance in(seg["file"].get<std::string>());
  const volume_geometry ct = ct_geometry();
  image_session s(*in.reader);
  seg_volume_request req;
  req.combine = true;
  auto v = read_volume(s, in, req, &ct);
  INFO((v.ok() ? std::string() : v.err().to_string()));
  REQUIRE(v.ok());
  CHECK(v.value()->geometry().slices == 8);
  auto liver = mask_slices(seg["masks"]["1"], 0, 7), spleen = mask_slices(seg["masks"]["2"], 0, 7),
       kidney = mask_slices(seg["masks"]["3"], 0, 7);
  size_t wrong = 0;
  for (size_t p = 0; p < liver.size(); ++p) wrong += v.value()->data()[p] != liver[p] + 2 * spleen[p] + 3 * kidney[p];
  CHECK(wrong == 0);
  for (size_t r = 0; r < 4; ++r)
    for (size_t c = 0; c < 4; ++c) CHECK(v.value()->geometry().affine[r][c] == Approx(m["ct"]["affine"][r][c].get<double>()).margin(1e-6));
}

TEST_CASE("fractional SEG: probabilities scaled to [0, 1]; combining soft values is refused") {
  auto m = manifest()["segs"]["fractional"];
  test::loaded_instance in(m["file"].get<std::string>());
  const size_t first = m["first_slice"], last = m["last_slice"];
  image_session s(*in.reader);
  auto info = s.segmentation();
  REQUIRE(info.ok());
  CHECK(info.value()->type == segmentation_type::fractional);
  CHECK(info.value()->max_fractional == 255);
  seg_volume_request req;
  req.segments = {2};
  auto v = read_volume(s, in, req);
  REQUIRE(v.ok());
  CHECK(v.value()->dtype() == seg_dtype::float32);
  auto expected = test::read_npy(m["fractional"]["2"]);
  REQUIRE(expected.descr == "<f4");
  const size_t per_slice = expected.shape[1] * expected.shape[2];
  std::vector<uint8_t> want(expected.data.begin() + long(first * per_slice * 4), expected.data.begin() + long((last + 1) * per_slice * 4));
  CHECK(v.value()->data() == want);
  seg_volume_request raw = req;
  raw.rescale_fractional = false;
  auto r = read_volume(s, in, raw);
  REQUIRE(r.ok());
  CHECK(r.value()->dtype() == seg_dtype::uint8);
  seg_volume_request combine;
  combine.combine = true;
  CHECK(read_volume(s, in, combine).err().code == errc::segment_overlap);
}

TEST_CASE("labelmap SEG: one-hot channels and labels, the same masks") {
  auto m = manifest()["segs"]["labelmap"];
  test::loaded_instance in(m["file"].get<std::string>());
  image_session s(*in.reader);
  REQUIRE(s.segmentation().ok());
  CHECK(s.segmentation().value()->type == segmentation_type::labelmap);
  std::vector<std::vector<uint8_t>> masks;
  for (int n = 1; n <= 3; ++n) masks.push_back(mask_slices(m["masks"][std::to_string(n)], 0, 7));
  seg_volume_request req;
  req.segments = {2, 3};
  auto v = read_volume(s, in, req);
  REQUIRE(v.ok());
  size_t wrong = 0;
  for (size_t p = 0; p < masks[0].size(); ++p) wrong += (v.value()->data()[2 * p] != masks[1][p]) + (v.value()->data()[2 * p + 1] != masks[2][p]);
  CHECK(wrong == 0);
  seg_volume_request comb;
  comb.combine = true;
  comb.relabel = true;
  comb.segments = {3, 1};
  auto c = read_volume(s, in, comb);
  REQUIRE(c.ok());
  wrong = 0;
  for (size_t p = 0; p < masks[0].size(); ++p) wrong += c.value()->data()[p] != masks[2][p] * 1 + masks[0][p] * 2;
  CHECK(wrong == 0);
}

TEST_CASE("overlapping segments: an error naming the voxel, unless overlap checks are skipped") {
  auto m = manifest()["segs"]["overlap"];
  test::loaded_instance in(m["file"].get<std::string>());
  image_session s(*in.reader);
  seg_volume_request req;
  req.combine = true;
  auto v = read_volume(s, in, req);
  REQUIRE_FALSE(v.ok());
  CHECK(v.err().code == errc::segment_overlap);
  CHECK(v.err().message.find("labels 1 and 2") != std::string::npos);
  req.skip_overlap_checks = true;
  auto w = read_volume(s, in, req);
  REQUIRE(w.ok());
  const size_t first = m["first_slice"], last = m["last_slice"];
  auto liver = mask_slices(m["masks"]["1"], first, last), tumour = mask_slices(m["masks"]["2"], first, last);
  size_t wrong = 0;
  for (size_t p = 0; p < liver.size(); ++p) wrong += w.value()->data()[p] != (tumour[p] ? 2 : liver[p]);  // the highest wins
  CHECK(wrong == 0);
}

TEST_CASE("a 100-segment SEG read for one segment plans only that segment's frame") {
  auto m = manifest()["segs"]["many"];
  test::loaded_instance in(m["file"].get<std::string>());
  image_session s(*in.reader);
  segment_filter f;
  f.label = "Region 042";
  auto n = find_segments(*s.segmentation().value(), f);
  REQUIRE(n == std::vector<uint32_t>{42});
  seg_volume_request req;
  req.segments = n;
  auto v = read_volume(s, in, req);
  REQUIRE(v.ok());
  CHECK(v.value()->frames() == std::vector<size_t>{41});
  auto mask = test::read_npy(m["masks"]["42"]);
  const size_t per_slice = mask.shape[1] * mask.shape[2];
  const size_t first = m["first_slice"];
  size_t ones = 0, wrong = 0;
  for (size_t k = 0; k < v.value()->geometry().slices; ++k)
    for (size_t p = 0; p < per_slice; ++p) {
      uint8_t got = v.value()->data()[k * per_slice + p];
      ones += got;
      wrong += got != mask.data[(k + first) * per_slice + p];
    }
  CHECK(ones == 9);
  CHECK(wrong == 0);
}

TEST_CASE("not a SEG, or a SEG whose frames lack segment numbers: clear errors") {
  auto m = manifest();
  test::loaded_instance ct(m["ct"]["enhanced"].get<std::string>());
  image_session s(*ct.reader);
  auto e = s.segmentation();
  REQUIRE_FALSE(e.ok());
  CHECK(e.err().message.find("Segmentation Type") != std::string::npos);
}
