// Segmentations (highdicom's Segmentation): the segments and their descriptions, which frame holds
// which segment, segment lookup, and segment volumes assembled from decoded frames: BINARY (1-bit,
// decoded to 0/1 bytes), FRACTIONAL (scaled to [0, 1] by Maximum Fractional Value) and LABELMAP
// (stored values are segment numbers), one channel per segment or combined into a label volume
// with an overlap check. Sans-IO: plan says which frames to fetch, add takes each decoded frame.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "codec/codec.hpp"
#include "dicom/dataset.hpp"
#include "volume/geometry.hpp"

namespace lazydcm {

struct coded_concept {
  std::string value, scheme, meaning;
};

struct segment_description {
  uint32_t number = 0;
  std::string label, description, algorithm_type, algorithm_name, tracking_id, tracking_uid;
  coded_concept category, type;
  std::optional<std::array<uint16_t, 3>> cielab;  // Recommended Display CIELab Value
};

enum class segmentation_type { binary, fractional, labelmap };
const char* segmentation_type_name(segmentation_type t);

struct segmentation_info {
  segmentation_type type = segmentation_type::binary;
  std::string fractional_type;  // PROBABILITY / OCCUPANCY
  uint32_t max_fractional = 1;
  std::vector<segment_description> segments;
  std::vector<uint32_t> frame_segment;  // per frame (BINARY/FRACTIONAL); empty for LABELMAP
};

result<segmentation_info> read_segmentation(const dataset& ds, size_t frame_count);

// highdicom's get_segment_numbers: the AND of exact matches; unset fields match anything. A coded
// field matches the Code Value or the Code Meaning.
struct segment_filter {
  std::optional<std::string> label, category, type, algorithm_type, tracking_uid, tracking_id;
};
std::vector<uint32_t> find_segments(const segmentation_info& seg, const segment_filter& filter);

struct seg_volume_request {
  std::vector<uint32_t> segments;  // empty: all, in segment order
  bool combine = false;            // one label volume (values = segment numbers) instead of channels
  bool relabel = false;            // combined labels 1..k in request order
  bool rescale_fractional = true;  // FRACTIONAL / Maximum Fractional Value as float32
  bool skip_overlap_checks = false;
  // Only the slices [slice_start, slice_end) of the grid (0-based; an overlay on the slices on
  // screen): only their frames are planned, the volume and its affine are that slab's.
  size_t slice_start = 0, slice_end = SIZE_MAX;
};

enum class seg_dtype { uint8, uint16, float32 };
const char* dtype_name(seg_dtype t);

// Plans and assembles a segment volume: shape (slices, rows, columns[, channels]) in C order;
// channels only when not combined.
class seg_volume {
 public:
  // geometry: of the SEG's own frames (all of them, gaps allowed, as highdicom) unless `reference`
  // is given; then the volume is on the reference grid (the source image's volume).
  static result<seg_volume> plan(const dataset& ds, const segmentation_info& seg, size_t frame_count,
                                 const seg_volume_request& request, const volume_geometry* reference = nullptr);

  const std::vector<size_t>& frames() const { return frames_; }  // 0-based frames to fetch and decode
  const volume_geometry& geometry() const { return geometry_; }
  const std::vector<uint32_t>& segments() const { return segments_; }
  bool combined() const { return request_.combine; }
  size_t channels() const { return channels_; }
  seg_dtype dtype() const { return dtype_; }
  const std::vector<uint8_t>& data() const { return data_; }
  std::vector<uint8_t>& data() { return data_; }

  // A decoded frame (codec.hpp layout: one byte per pixel for BINARY and 8-bit data).
  error add(size_t frame, const uint8_t* stored, const decode_report& report);

 private:
  segmentation_type type_ = segmentation_type::binary;
  seg_volume_request request_;
  uint32_t max_fractional_ = 1;
  volume_geometry geometry_;
  std::vector<uint32_t> segments_, frame_segment_;
  std::vector<size_t> frames_, frame_slice_;  // frame_slice_[frame]: its slice, SIZE_MAX if not planned
  std::vector<int64_t> label_of_;             // segment number -> channel (or label when combined); -1: not asked
  size_t channels_ = 1;
  seg_dtype dtype_ = seg_dtype::uint8;
  std::vector<uint8_t> data_;
};

}  // namespace lazydcm
