// Everything after the header of one instance: frames decoded and transformed (modality, VOI,
// palette, presentation), a total-pixel-matrix region planned and assembled (TILED_FULL /
// TILED_SPARSE from fuzzed functional groups), the volume geometry of the frames, and a
// segmentation described, planned and filled.
#include "fuzz_common.hpp"
#include "session/session.hpp"

using namespace lazydcm;

namespace {

bool small_enough(image_session& s, size_t i) {
  auto info = s.codec_frame_info(i);
  return info && stored_frame_size(info.value()) <= fuzz::k_max_decoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = fuzz::read_instance(data, size);
  if (!r->header_done() || !r->index()) return 0;
  const size_t frames = r->index()->frames.size();
  uint64_t rng = fuzz::hash(data, size);
  image_session s(*r);

  // Frames: stored values, then the pixel transforms.
  for (size_t i = 0; i < frames && i < 3; ++i) {
    if (!small_enough(s, i)) return 0;
    size_t n;
    const uint8_t* range = fuzz::frame_range(*r, i, data, size, n);
    if (!range) continue;
    transform_options o;
    o.voi = i % 2 ? apply_mode::yes : apply_mode::if_present;
    (void)s.transform(i, range, n, o);
    (void)s.raw(i, range, n);
  }

  // A region of the total pixel matrix somewhere inside (or across the edge of) the matrix.
  plane_selection sel;
  if (rng & 1) sel.optical_path = 0;
  if (rng & 2) sel.focal_plane = 0;
  const int64_t r0 = int64_t((rng >> 8) % 700) - 50, c0 = int64_t((rng >> 20) % 700) - 50;
  auto plan = s.plan(r0, r0 + 1 + int64_t((rng >> 32) % 300), c0, c0 + 1 + int64_t((rng >> 44) % 300), sel);
  if (plan) {
    const auto needed = plan.value().frames();
    bool pasted = true;
    for (size_t k = 0; k < needed.size() && k < 16; ++k) {
      const size_t i = needed[k];
      size_t n;
      const uint8_t* range = i < frames && small_enough(s, i) ? fuzz::frame_range(*r, i, data, size, n) : nullptr;
      if (!range) { pasted = false; continue; }
      if (rng & 16) {  // decoded straight into the region (the path the WASM API takes)
        if (s.paste(i, range, n).code != errc::ok) pasted = false;
        continue;
      }
      if (s.decode(i, range, n).code != errc::ok) { pasted = false; continue; }
      std::vector<uint8_t> stored = s.stored();
      (void)s.paste_stored(i, stored.data(), stored.size(), s.report());
    }
    if (pasted) (void)s.transform_region({});
    s.release_region();
  }

  // Volume geometry of all frames, a volume filled with the first frames' transformed values, then
  // a segmentation.
  if (auto g = s.geometry({}, {})) {
    const auto& geo = g.value();
    auto vol = volume_buffer::create({0, geo.slices, 0, geo.rows, 0, geo.columns}, geo.rows, geo.columns, 0, rng & 32);
    for (size_t i = 0; vol && i < frames && i < geo.slice_of.size() && i < 4; ++i) {
      size_t n;
      const uint8_t* range = small_enough(s, i) ? fuzz::frame_range(*r, i, data, size, n) : nullptr;
      if (range) (void)s.decode_transform_into(i, range, n, {}, vol.value(), geo.slice_of[i]);
    }
  }
  auto seg = s.segmentation();
  if (seg) {
    seg_volume_request req;
    req.combine = rng & 4;
    req.skip_overlap_checks = rng & 8;
    auto vol = s.plan_segments(req, nullptr);
    if (vol) {
      const auto planned = vol.value()->frames();
      for (size_t k = 0; k < planned.size() && k < 8; ++k) {
        size_t n;
        const size_t i = planned[k];
        const uint8_t* range = i < frames && small_enough(s, i) ? fuzz::frame_range(*r, i, data, size, n) : nullptr;
        if (range) (void)s.paste_segment(i, range, n);
      }
      s.release_segments();
    }
  }
  return 0;
}
