// The bound Pixels of an Instance: frames decoded and transformed, regions of the total pixel
// matrix, volumes, geometry and segment volumes (session/session.hpp does the work). Frames decoded
// elsewhere (a worker, the decoded-frame cache) come in through the *Stored / *Into calls.
#pragma once
#include <algorithm>
#include <memory>
#include <vector>

#include "instance.hpp"
#include "session/session.hpp"
#include "values.hpp"

namespace lazydcm::glue {

class pixels {
 public:
  explicit pixels(instance* owner) : reader_(owner->reader()), session_(reader_) {}
  image_session& session() { return session_; }  // for PixelOps.adoptRegion (wsi.cpp)

  val inputBuffer(size_t n) {
    input_.resize(n);
    return borrowed(input_);
  }
  // Frame i (0-based) from its range bytes in inputBuffer(n); then output() and report().
  void decode(size_t i, size_t n, val options) { fail(session_.decode(i, input_.data(), size(n), decode_options_from(options))); }
  void raw(size_t i, size_t n) { fail(session_.raw(i, input_.data(), size(n))); }
  // A frame decoded elsewhere, described by `report`; then values() and transformInfo().
  void transformStored(size_t i, size_t n, val report, val options) {
    fail(session_.transform_stored(i, input_.data(), size(n), report_from(report), transform_options_from(options)));
  }
  // What a Decoder needs to decode frame i elsewhere.
  val frameInfo(size_t i) {
    auto info = session_.codec_frame_info(i);
    if (!info) return fail(info.err()), val::undefined();
    val out = frame_info_value(info.value());
    out.set("transferSyntaxUid", reader_.file().syntax.uid);
    return out;
  }
  val output() { return borrowed(session_.stored()); }
  val values() { return borrowed(session_.values()); }
  val report() { return report_value(session_.report()); }
  val transformInfo() {
    return object().set("transform", session_.transform_description()).set("samplesPerPixel", session_.output_samples()).done();
  }
  // The frame's buffers (and the input's when it is larger than a slide tile's): a series holds a
  // Pixels per instance, and 500 CT slices keeping 3 MB each would fill the module's memory.
  void releaseOutput() {
    session_.release_frame();
    if (input_.capacity() > (256u << 10)) std::vector<uint8_t>().swap(input_);
  }

  // A region (0-based, half-open; -1: no focal plane / optical path selection): {rows, columns,
  // frames, rects: [row, column, rows, columns] per tile copy}; then pasteStored per frame.
  val planRegion(double r0, double r1, double c0, double c1, int focal_plane, int optical_path) {
    auto plan = session_.plan(int64_t(r0), int64_t(r1), int64_t(c0), int64_t(c1), plane_selection_from(focal_plane, optical_path));
    if (!plan) return fail(plan.err()), val::undefined();
    val rects = val::array();
    for (size_t k = 0; k < plan->copies.size(); ++k) {
      const auto& c = plan->copies[k];
      rects.set(k, js(std::array<unsigned, 4>{c.dst_row, c.dst_column, c.rows, c.columns}));
    }
    return object().set("rows", plan->rows).set("columns", plan->columns).set("frames", plan->frames()).set("rects", rects).done();
  }
  void pasteStored(size_t i, size_t n, val report) { fail(session_.paste_stored(i, input_.data(), size(n), report_from(report))); }
  // A planned frame decoded here from its range bytes, straight into the region.
  void paste(size_t i, size_t n, val options) { fail(session_.paste(i, input_.data(), size(n), decode_options_from(options))); }
  void transformRegion(val options) { fail(session_.transform_region(transform_options_from(options))); }
  val region() { return borrowed(session_.region()); }
  void releaseRegion() { session_.release_region(); }

  // Frame i transformed straight into `volume` at `slice` (decoded elsewhere; or decoded here
  // from its range, then output() holds the decoded frame).
  void transformInto(size_t i, size_t n, val report, val options, volume_buffer* volume, double slice) {
    fail(session_.transform_into(i, input_.data(), size(n), report_from(report), transform_options_from(options), *volume, uint64_t(slice)));
  }
  void decodeTransformInto(size_t i, size_t n, val options, volume_buffer* volume, double slice) {
    fail(session_.decode_transform_into(i, input_.data(), size(n), transform_options_from(options), *volume, uint64_t(slice)));
  }

  // The geometry of frames (0-based; empty: all).
  val geometry(val frames, val options) {
    auto g = session_.geometry(vector_of<size_t>(frames), volume_options_from(options));
    if (!g) return fail(g.err()), val::undefined();
    return geometry_value(g.value());
  }

  // Segmentations: the description, segment lookup, then planSegments / pasteSegmentStored / segmentVolume.
  val segmentation() {
    auto seg = session_.segmentation();
    if (!seg) return fail(seg.err()), val::undefined();
    return segmentation_value(*seg.value());
  }
  val findSegments(val filter) {
    auto seg = session_.segmentation();
    if (!seg) return fail(seg.err()), val::undefined();
    return js(find_segments(*seg.value(), segment_filter_from(filter)));
  }
  // reference: a geometry, or null for the SEG's own.
  val planSegments(val request, val reference) {
    std::optional<volume_geometry> grid;
    if (!reference.isNull() && !reference.isUndefined()) grid = geometry_from(reference);
    auto plan = session_.plan_segments(seg_request_from(request), grid ? &*grid : nullptr);
    if (!plan) return fail(plan.err()), val::undefined();
    return seg_plan_value(*plan.value());
  }
  void pasteSegment(size_t i, size_t n) { fail(session_.paste_segment(i, input_.data(), size(n))); }
  void pasteSegmentStored(size_t i, size_t n, val report) {
    fail(session_.paste_segment_stored(i, input_.data(), size(n), report_from(report)));
  }
  val segmentVolume() {
    auto* v = session_.segment_volume();
    return v ? borrowed(v->data()) : borrowed_bytes(nullptr, 0);
  }
  void releaseSegments() { session_.release_segments(); }

 private:
  size_t size(size_t n) const { return std::min(n, input_.size()); }
  const instance_reader& reader_;
  image_session session_;
  std::vector<uint8_t> input_;
};

}  // namespace lazydcm::glue
