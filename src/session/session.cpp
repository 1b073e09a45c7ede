#include "session/session.hpp"

namespace lazydcm {

error image_session::ensure_image() {
  if (image_ready_ && image_generation_ == r_.image_generation()) return {};
  image_generation_ = r_.image_generation();
  auto info = read_image_info(r_.file().body, r_.file().pixel);
  if (!info) return info.err();
  image_ = info.value();
  image_ready_ = true;
  return {};
}

error image_session::frame_ready(size_t i) {
  const frame_index* index = r_.index();
  if (!index || i >= index->frames.size())
    return make_error(errc::frame_out_of_range, error::no_offset, "no frame " + std::to_string(i + 1));
  return ensure_image();
}

error image_session::prepare(size_t i, const uint8_t*& range, size_t& size) {
  if (error e = frame_ready(i); e.code != errc::ok) return e;
  if (r_.file().pixel.in_inflated_stream) {
    const auto& loc = r_.index()->frames[i];
    range = r_.inflated_bytes().view(loc.offset, loc.length);
    size = size_t(loc.length);
    if (!range) return make_error(errc::truncated, loc.offset, "frame outside the inflated dataset");
  }
  return {};
}

error image_session::decode(size_t i, const uint8_t* range, size_t size, const decode_options& options) {
  if (error e = prepare(i, range, size); e.code != errc::ok) return e;
  return decode_stored_frame(r_.file(), image_, r_.index()->frames[i], range, size, stored_, report_, options);
}

error image_session::raw(size_t i, const uint8_t* range, size_t size) {
  if (error e = prepare(i, range, size); e.code != errc::ok) return e;
  return raw_frame(r_.index()->frames[i], range, size, stored_);
}

error image_session::run_transform(size_t frame, const uint8_t* stored, const decode_report& report,
                                   const transform_options& o) {
  auto t = build_pixel_transform(r_.file().body, frame, o);
  if (!t) return t.err();
  const frame_info info = make_frame_info(r_.file(), image_, r_.index()->frames[frame]);
  if (error e = t->apply(stored, info, report, values_); e.code != errc::ok) return e;
  transform_description_ = t->describe();
  output_samples_ = t->output_samples();
  return {};
}

error image_session::transform(size_t i, const uint8_t* range, size_t size, const transform_options& o) {
  if (error e = decode(i, range, size); e.code != errc::ok) return e;
  return run_transform(i, stored_.data(), report_, o);
}

error image_session::check_stored(size_t i, size_t size, const decode_report& report) {
  if (error e = frame_ready(i); e.code != errc::ok) return e;
  if (report.rows != image_.rows || report.columns != image_.columns || report.samples_per_pixel != image_.samples_per_pixel ||
      report.bits_allocated != image_.bits_allocated ||
      uint64_t(size) != uint64_t(report.rows) * report.columns * report.samples_per_pixel * bytes_per_sample(report.bits_allocated))
    return make_error(errc::invalid_argument, error::no_offset,
                      "a decoded frame " + std::to_string(i + 1) + " that does not match the image (size or layout)");
  return {};
}

result<frame_info> image_session::codec_frame_info(size_t i) {
  if (error e = frame_ready(i); e.code != errc::ok) return e;
  return make_frame_info(r_.file(), image_, r_.index()->frames[i]);
}

error image_session::transform_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report,
                                      const transform_options& o) {
  if (error e = check_stored(i, size, report); e.code != errc::ok) return e;
  report_ = report;
  return run_transform(i, stored, report, o);
}

result<region_plan> image_session::plan(int64_t r0, int64_t r1, int64_t c0, int64_t c1, const plane_selection& sel) {
  if (error e = ensure_image(); e.code != errc::ok) return e;
  auto layout = read_tile_layout(r_.file().body, sel);
  if (!layout) return layout.err();
  auto plan = plan_region(layout.value(), r0, r1, c0, c1);
  if (!plan) return plan.err();
  const uint64_t bytes = uint64_t(plan.value().rows) * plan.value().columns * image_.samples_per_pixel *
                         bytes_per_sample(image_.bits_allocated);
  if (bytes > k_max_buffer_bytes)
    return make_error(errc::value_too_large, error::no_offset,
                      "a region of " + std::to_string(plan.value().rows) + " x " + std::to_string(plan.value().columns) +
                          " pixels is " + std::to_string(bytes) + " bytes, more than the " +
                          std::to_string(k_max_buffer_bytes) + " a region may hold: read it in parts");
  layout_ = std::move(layout.value());
  plan_ = plan.value();
  region_.assign(size_t(bytes), 0);
  region_report_ = decode_report{};
  region_report_.rows = plan_.rows;
  region_report_.columns = plan_.columns;
  region_report_.samples_per_pixel = image_.samples_per_pixel;
  region_report_.bits_allocated = image_.bits_allocated;
  region_report_.photometric_interpretation = image_.photometric_interpretation;
  return plan;
}

error image_session::paste_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report) {
  if (error e = check_stored(i, size, report); e.code != errc::ok) return e;
  if (region_.empty()) return make_error(errc::invalid_argument, error::no_offset, "no region planned");
  paste_tile(plan_, layout_, uint32_t(i), stored, bytes_per_sample(image_.bits_allocated), region_.data());
  region_report_.photometric_interpretation = report.photometric_interpretation;
  return {};
}

error image_session::paste(size_t i, const uint8_t* range, size_t size, const decode_options& options) {
  if (region_.empty()) return make_error(errc::invalid_argument, error::no_offset, "no region planned");
  if (error e = decode(i, range, size, options); e.code != errc::ok) return e;
  return paste_stored(i, stored_.data(), stored_.size(), report_);
}

error image_session::transform_into(size_t i, const uint8_t* stored, size_t size, const decode_report& report,
                                     const transform_options& o, volume_buffer& volume, uint64_t slice) {
  if (error e = transform_stored(i, stored, size, report, o); e.code != errc::ok) return e;
  return volume.put(slice, values_.data(), values_.size(), report.rows, report.columns, output_samples_);
}

error image_session::decode_transform_into(size_t i, const uint8_t* range, size_t size, const transform_options& o,
                                            volume_buffer& volume, uint64_t slice) {
  if (error e = decode(i, range, size); e.code != errc::ok) return e;
  return transform_into(i, stored_.data(), stored_.size(), report_, o, volume, slice);
}

error image_session::copy_region_into(std::vector<uint8_t>& dst) const {
  if (region_.empty() || dst.size() != region_.size())
    return make_error(errc::invalid_argument, error::no_offset, "regions to merge differ in size");
  copy_covered(plan_, bytes_per_sample(image_.bits_allocated) * layout_.samples_per_pixel, region_.data(), dst.data());
  return {};
}

error image_session::transform_region(const transform_options& o) {
  if (!r_.index() || r_.index()->frames.empty())
    return make_error(errc::no_pixel_data, error::no_offset, "no frames");
  return run_transform(0, region_.data(), region_report_, o);
}

namespace {
// Buffers up to a slide tile's size are kept for the next frame or region (emptied, not freed);
// larger ones are given back: a series holds one session per instance (500 CT slices keeping 3 MB
// each would fill the module's memory).
constexpr size_t k_keep_bytes = 256u << 10;

template <class T>
void release(std::vector<T>& v) {
  if (v.capacity() * sizeof(T) > k_keep_bytes) std::vector<T>().swap(v);
  else v.clear();
}
}  // namespace

void image_session::release_frame() {
  release(stored_);
  release(values_);
}

void image_session::release_region() {
  release(region_);
  release(stored_);  // the tile buffer of paste()
}

static size_t frame_count(const instance_reader& r) { return r.index() ? r.index()->frames.size() : 0; }

result<volume_geometry> image_session::geometry(const std::vector<size_t>& frames, const volume_options& options) const {
  if (!r_.index() || r_.index()->frames.empty()) return make_error(errc::no_pixel_data, error::no_offset, "no frames");
  return frames_geometry(r_.file().body, frame_count(r_), frames, options);
}

result<const segmentation_info*> image_session::segmentation() {
  if (!seg_) {
    auto s = read_segmentation(r_.file().body, frame_count(r_));
    if (!s) return s.err();
    seg_ = std::move(s.value());
  }
  return &*seg_;
}

result<const seg_volume*> image_session::plan_segments(const seg_volume_request& request, const volume_geometry* reference) {
  seg_volume_.reset();
  auto seg = segmentation();
  if (!seg) return seg.err();
  auto v = seg_volume::plan(r_.file().body, *seg.value(), frame_count(r_), request, reference);
  if (!v) return v.err();
  seg_volume_ = std::move(v.value());
  return &*seg_volume_;
}

error image_session::paste_segment(size_t i, const uint8_t* range, size_t size) {
  if (error e = decode(i, range, size); e.code != errc::ok) return e;
  return paste_segment_stored(i, stored_.data(), stored_.size(), report_);
}

error image_session::paste_segment_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report) {
  if (!seg_volume_) return make_error(errc::invalid_argument, error::no_offset, "no segment volume planned");
  if (error e = check_stored(i, size, report); e.code != errc::ok) return e;
  return seg_volume_->add(i, stored, report);
}

}  // namespace lazydcm
