#include "seg/segmentation.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/bytes.hpp"
#include "volume/planes.hpp"

namespace lazydcm {

namespace {
constexpr tag_t k_segmentation_type = 0x00620001, k_segment_sequence = 0x00620002;
constexpr tag_t k_segment_number = 0x00620004, k_segment_label = 0x00620005, k_segment_description = 0x00620006;
constexpr tag_t k_algorithm_type = 0x00620008, k_algorithm_name = 0x00620009;
constexpr tag_t k_category = 0x00620003, k_property_type = 0x0062000F, k_cielab = 0x0062000D;
constexpr tag_t k_fractional_type = 0x00620010, k_max_fractional = 0x0062000E;
constexpr tag_t k_tracking_id = 0x00620020, k_tracking_uid = 0x00620021;
constexpr tag_t k_segment_identification = 0x0062000A, k_referenced_segment_number = 0x0062000B;
constexpr tag_t k_code_value = 0x00080100, k_scheme = 0x00080102, k_meaning = 0x00080104;
constexpr tag_t k_long_code_value = 0x00080119, k_urn_code_value = 0x00080120;
constexpr const char* k_labelmap_sop = "1.2.840.10008.5.1.4.1.1.66.7";

error bad_seg(const std::string& why) { return make_error(errc::invalid_image_attributes, error::no_offset, "segmentation: " + why); }

coded_concept read_code(const dataset& item, tag_t sequence) {
  coded_concept c;
  if (const dataset* code = first_item(item, sequence)) {
    c.value = code->string(k_code_value).value_or(code->string(k_long_code_value).value_or(code->string(k_urn_code_value).value_or("")));
    c.scheme = code->string(k_scheme).value_or("");
    c.meaning = code->string(k_meaning).value_or("");
  }
  return c;
}

bool matches(const std::optional<std::string>& want, const std::string& have) { return !want || *want == have; }
bool matches(const std::optional<std::string>& want, const coded_concept& have) {
  return !want || *want == have.value || *want == have.meaning;
}
}  // namespace

const char* segmentation_type_name(segmentation_type t) {
  switch (t) {
    case segmentation_type::binary: return "BINARY";
    case segmentation_type::fractional: return "FRACTIONAL";
    case segmentation_type::labelmap: return "LABELMAP";
  }
  return "";
}

const char* dtype_name(seg_dtype t) {
  switch (t) {
    case seg_dtype::uint8: return "uint8";
    case seg_dtype::uint16: return "uint16";
    case seg_dtype::float32: return "float32";
  }
  return "";
}

result<segmentation_info> read_segmentation(const dataset& ds, size_t frame_count) {
  segmentation_info s;
  const std::string type = ds.string(k_segmentation_type).value_or("");
  const std::string sop = ds.string(tags::sop_class_uid).value_or("");
  if (type == "BINARY") {
    s.type = segmentation_type::binary;
  } else if (type == "FRACTIONAL") {
    s.type = segmentation_type::fractional;
    s.fractional_type = ds.string(k_fractional_type).value_or("");
    auto max = ds.integer(k_max_fractional);
    if (!max || *max <= 0) return bad_seg("FRACTIONAL without a positive Maximum Fractional Value");
    s.max_fractional = uint32_t(*max);
  } else if (type == "LABELMAP" || sop == k_labelmap_sop) {
    s.type = segmentation_type::labelmap;
  } else {
    return bad_seg(type.empty() ? "no Segmentation Type (not a SEG?)" : "unknown Segmentation Type " + type);
  }
  const element* seq = ds.find(k_segment_sequence);
  if (!seq || seq->items.empty()) return bad_seg("no Segment Sequence");
  for (const dataset& item : seq->items) {
    segment_description d;
    auto n = item.integer(k_segment_number);
    if (!n || *n < 0) return bad_seg("a segment without a Segment Number");
    d.number = uint32_t(*n);
    d.label = item.string(k_segment_label).value_or("");
    d.description = item.string(k_segment_description).value_or("");
    d.algorithm_type = item.string(k_algorithm_type).value_or("");
    d.algorithm_name = item.string(k_algorithm_name).value_or("");
    d.tracking_id = item.string(k_tracking_id).value_or("");
    d.tracking_uid = item.string(k_tracking_uid).value_or("");
    d.category = read_code(item, k_category);
    d.type = read_code(item, k_property_type);
    if (auto l = item.integer(k_cielab, 0), a = item.integer(k_cielab, 1), b = item.integer(k_cielab, 2); l && a && b)
      d.cielab = std::array<uint16_t, 3>{uint16_t(*l), uint16_t(*a), uint16_t(*b)};
    for (const auto& other : s.segments)
      if (other.number == d.number) return bad_seg("segment number " + std::to_string(d.number) + " appears twice");
    s.segments.push_back(std::move(d));
  }
  if (s.type != segmentation_type::labelmap) {
    for (size_t f = 0; f < frame_count; ++f) {
      const dataset* id = functional_group(ds, f, k_segment_identification);
      auto n = id ? id->integer(k_referenced_segment_number) : std::nullopt;
      if (!n) return bad_seg("frame " + std::to_string(f + 1) + " has no Referenced Segment Number");
      bool known = std::any_of(s.segments.begin(), s.segments.end(), [&](const auto& d) { return d.number == uint32_t(*n); });
      if (!known) return bad_seg("frame " + std::to_string(f + 1) + " refers to segment " + std::to_string(*n) + ", which is not described");
      s.frame_segment.push_back(uint32_t(*n));
    }
  }
  return s;
}

std::vector<uint32_t> find_segments(const segmentation_info& seg, const segment_filter& f) {
  std::vector<uint32_t> out;
  for (const auto& d : seg.segments)
    if (matches(f.label, d.label) && matches(f.category, d.category) && matches(f.type, d.type) &&
        matches(f.algorithm_type, d.algorithm_type) && matches(f.tracking_uid, d.tracking_uid) &&
        matches(f.tracking_id, d.tracking_id))
      out.push_back(d.number);
  return out;
}

result<seg_volume> seg_volume::plan(const dataset& ds, const segmentation_info& seg, size_t frame_count,
                                    const seg_volume_request& request, const volume_geometry* reference) {
  seg_volume v;
  v.type_ = seg.type;
  v.request_ = request;
  v.max_fractional_ = seg.max_fractional;
  v.frame_segment_ = seg.frame_segment;
  uint32_t max_number = 0;
  for (const auto& d : seg.segments) max_number = std::max(max_number, d.number);
  if (request.segments.empty()) {
    for (const auto& d : seg.segments) v.segments_.push_back(d.number);
  } else {
    v.segments_ = request.segments;
  }
  v.label_of_.assign(size_t(max_number) + 1, -1);
  for (size_t k = 0; k < v.segments_.size(); ++k) {
    uint32_t n = v.segments_[k];
    if (n > max_number || std::none_of(seg.segments.begin(), seg.segments.end(), [&](const auto& d) { return d.number == n; }))
      return make_error(errc::invalid_argument, error::no_offset, "no segment " + std::to_string(n));
    if (v.label_of_[n] != -1)
      return make_error(errc::invalid_argument, error::no_offset, "segment " + std::to_string(n) + " asked for twice");
    v.label_of_[n] = request.combine ? (request.relabel ? int64_t(k) + 1 : int64_t(n)) : int64_t(k);
  }
  // Geometry: every frame's plane, so volumes of different segments line up.
  result<volume_geometry> g = [&]() -> result<volume_geometry> {
    if (!reference) {
      volume_options o;
      o.allow_missing = true;
      o.allow_duplicates = true;
      return frames_geometry(ds, frame_count, {}, o);
    }
    std::vector<vec3> positions;
    std::optional<std::array<double, 6>> orientation;
    for (size_t f = 0; f < frame_count; ++f) {
      plane_info p = frame_plane(ds, f);
      if (!p.position || !p.orientation)
        return make_error(errc::not_a_volume, error::no_offset,
                          "not a volume: frame " + std::to_string(f + 1) + " has no Image Position/Orientation (Patient)");
      positions.push_back(*p.position);
      orientation = p.orientation;
      if (p.pixel_spacing && (std::fabs((*p.pixel_spacing)[0] - reference->pixel_spacing[0]) > 1e-4 ||
                              std::fabs((*p.pixel_spacing)[1] - reference->pixel_spacing[1]) > 1e-4))
        return make_error(errc::not_a_volume, error::no_offset,
                          "not a volume: the pixel spacing differs from the reference volume's");
    }
    auto slices = slices_on_grid(*reference, positions, *orientation);
    if (!slices) return slices.err();
    volume_geometry out = *reference;
    out.slice_of = slices.value();
    return out;
  }();
  if (!g) return g.err();
  v.geometry_ = std::move(g.value());
  const uint32_t rows = uint32_t(ds.integer(tags::rows).value_or(0)), columns = uint32_t(ds.integer(tags::columns).value_or(0));
  if (reference && (reference->rows != rows || reference->columns != columns))
    return make_error(errc::not_a_volume, error::no_offset, "not a volume: the frames differ in size from the reference volume");
  v.geometry_.rows = rows;
  v.geometry_.columns = columns;
  if (request.slice_start != 0 || request.slice_end < v.geometry_.slices) {
    const size_t s1 = std::min(request.slice_end, v.geometry_.slices);
    if (request.slice_start >= s1)
      return make_error(errc::invalid_argument, error::no_offset,
                        "slices [" + std::to_string(request.slice_start) + ", " + std::to_string(s1) + ") of a grid of " +
                            std::to_string(v.geometry_.slices));
    auto slab = crop_geometry(v.geometry_, request.slice_start, s1, 0, rows, 0, columns);
    if (!slab) return slab.err();
    v.geometry_ = std::move(slab.value());
  }
  // Frames to read, and no two frames of one segment on one slice.
  v.frame_slice_.assign(frame_count, SIZE_MAX);
  std::vector<std::pair<uint32_t, size_t>> seen;
  for (size_t f = 0; f < frame_count; ++f) {
    const uint32_t n = seg.type == segmentation_type::labelmap ? 0 : seg.frame_segment[f];
    if (seg.type != segmentation_type::labelmap && v.label_of_[n] < 0) continue;
    const size_t slice = v.geometry_.slice_of[f];
    if (slice == SIZE_MAX) continue;  // outside the slab asked for
    if (std::find(seen.begin(), seen.end(), std::make_pair(n, slice)) != seen.end())
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "frame " + std::to_string(f + 1) + " is a second frame of " +
                            (n ? "segment " + std::to_string(n) : std::string("the label map")) + " on slice " + std::to_string(slice));
    seen.emplace_back(n, slice);
    v.frames_.push_back(f);
    v.frame_slice_[f] = slice;
  }
  v.channels_ = request.combine ? 1 : v.segments_.size();
  if (request.combine) {
    int64_t top = 0;
    for (int64_t l : v.label_of_) top = std::max(top, l);
    v.dtype_ = top > 255 ? seg_dtype::uint16 : seg_dtype::uint8;
  } else {
    v.dtype_ = seg.type == segmentation_type::fractional && request.rescale_fractional ? seg_dtype::float32 : seg_dtype::uint8;
  }
  const size_t bytes = v.dtype_ == seg_dtype::uint8 ? 1 : v.dtype_ == seg_dtype::uint16 ? 2 : 4;
  const uint64_t total = uint64_t(v.geometry_.slices) * rows * columns * v.channels_ * bytes;
  if (total > k_max_buffer_bytes)
    return make_error(errc::value_too_large, error::no_offset,
                      "segment volume of " + std::to_string(total) + " bytes, more than the " +
                          std::to_string(k_max_buffer_bytes) + " a volume may hold: ask for fewer segments, or combine them");
  v.data_.assign(size_t(total), 0);
  return v;
}

error seg_volume::add(size_t frame, const uint8_t* stored, const decode_report& report) {
  if (frame >= frame_slice_.size() || frame_slice_[frame] == SIZE_MAX)
    return make_error(errc::invalid_argument, error::no_offset, "frame " + std::to_string(frame + 1) + " is not in the plan");
  const size_t rows = geometry_.rows, columns = geometry_.columns, pixels = rows * columns;
  if (report.rows != rows || report.columns != columns || report.samples_per_pixel != 1)
    return make_error(errc::invalid_image_attributes, error::no_offset, "a segmentation frame of another size");
  const bool wide = report.bits_allocated == 16;
  if (!wide && report.bits_allocated != 1 && report.bits_allocated != 8)
    return make_error(errc::invalid_image_attributes, error::no_offset, "segmentation with Bits Allocated " + std::to_string(report.bits_allocated));
  auto value = [&](size_t p) -> uint32_t { return wide ? load_u16le(stored + 2 * p) : stored[p]; };
  const size_t base = frame_slice_[frame] * pixels;
  auto put_label = [&](size_t p, uint32_t label) -> error {
    const size_t at = base + p;
    uint32_t old = dtype_ == seg_dtype::uint16 ? load_u16le(&data_[2 * at]) : data_[at];
    if (old && old != label) {
      if (!request_.skip_overlap_checks)
        return make_error(errc::segment_overlap, error::no_offset,
                          "segments overlap at slice " + std::to_string(frame_slice_[frame]) + ", row " + std::to_string(p / columns) +
                              ", column " + std::to_string(p % columns) + " (labels " + std::to_string(old) + " and " +
                              std::to_string(label) + "): cannot combine them");
      label = std::max(old, label);  // highdicom: np.maximum
    }
    if (dtype_ == seg_dtype::uint16) {
      data_[2 * at] = uint8_t(label);
      data_[2 * at + 1] = uint8_t(label >> 8);
    } else {
      data_[at] = uint8_t(label);
    }
    return {};
  };
  if (type_ == segmentation_type::labelmap) {
    for (size_t p = 0; p < pixels; ++p) {
      uint32_t n = value(p);
      if (!n || n >= label_of_.size() || label_of_[n] < 0) continue;
      if (request_.combine) {
        if (error e = put_label(p, uint32_t(label_of_[n])); e.code != errc::ok) return e;
      } else {
        data_[(base + p) * channels_ + size_t(label_of_[n])] = 1;
      }
    }
    return {};
  }
  const uint32_t n = frame_segment_[frame];
  const int64_t label = label_of_[n];
  const bool fractional = type_ == segmentation_type::fractional;
  for (size_t p = 0; p < pixels; ++p) {
    uint32_t v = value(p);
    if (fractional && v > max_fractional_)
      return make_error(errc::invalid_value, error::no_offset,
                        "frame " + std::to_string(frame + 1) + " holds " + std::to_string(v) + ", above the Maximum Fractional Value " +
                            std::to_string(max_fractional_));
    if (request_.combine) {
      if (!v) continue;
      if (fractional && v != max_fractional_)
        return make_error(errc::segment_overlap, error::no_offset,
                          "fractional segment " + std::to_string(n) + " has values between 0 and the maximum: it cannot be combined into labels");
      if (error e = put_label(p, uint32_t(label)); e.code != errc::ok) return e;
    } else if (dtype_ == seg_dtype::float32) {
      float f = float(v) / float(max_fractional_);
      std::memcpy(&data_[((base + p) * channels_ + size_t(label)) * 4], &f, 4);
    } else {
      data_[(base + p) * channels_ + size_t(label)] = uint8_t(v);
    }
  }
  return {};
}

}  // namespace lazydcm
