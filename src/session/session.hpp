// The top layer of the core (above image/, pixel/, seg/ and volume/, which know nothing of it): the
// work on one instance's pixels after its header and index are read: decode frames, apply
// the pixel transforms, assemble total-pixel-matrix regions. Sans-IO like the rest of the core:
// the caller passes the bytes of each frame's indexed range. Outputs are owned here and valid
// until the next call (the WASM glue hands out views of them). Frames and the region have
// separate buffers, so frames can be read while a region is being assembled.
#pragma once
#include <string>
#include <vector>

#include "image/frames.hpp"
#include "image/total_pixel_matrix.hpp"
#include "index/instance_reader.hpp"
#include "pixel/transform.hpp"
#include "seg/segmentation.hpp"
#include "volume/assembler.hpp"
#include "volume/planes.hpp"
#include <optional>

namespace lazydcm {

class image_session {
 public:
  explicit image_session(const instance_reader& reader) : r_(reader) {}

  // Frame i (0-based). `range` holds the frame's indexed range (ignored for deflated files,
  // whose frames are in the inflated stream the reader holds).
  error decode(size_t i, const uint8_t* range, size_t size, const decode_options& options = {});
  error raw(size_t i, const uint8_t* range, size_t size);
  error transform(size_t i, const uint8_t* range, size_t size, const transform_options& options);
  // What a codec needs to decode frame i elsewhere (Decoder in a worker).
  result<frame_info> codec_frame_info(size_t i);

  // Frames decoded elsewhere (the decoded-frame cache, a worker) take the *_stored calls:
  // `stored` in the layout of codec.hpp at full resolution, described by `report`.
  error transform_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report,
                         const transform_options& options);

  // Regions: plan, paste_stored each planned frame, then read region() or transform_region().
  result<region_plan> plan(int64_t row_start, int64_t row_end, int64_t column_start, int64_t column_end,
                           const plane_selection& selection);
  error paste_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report);
  // A planned frame decoded from its range straight into the region (no copy of the tile out).
  error paste(size_t i, const uint8_t* range, size_t size, const decode_options& options = {});
  // The transforms of the first frame over the whole region (TILED images share them).
  error transform_region(const transform_options& options);

  // Volumes: frame i's transformed values written at `slice` of a volume (decoded elsewhere, or
  // decoded here from its range; then stored() holds the decoded frame).
  error transform_into(size_t i, const uint8_t* stored, size_t size, const decode_report& report, const transform_options& o,
                       volume_buffer& volume, uint64_t slice);
  error decode_transform_into(size_t i, const uint8_t* range, size_t size, const transform_options& o, volume_buffer& volume,
                              uint64_t slice);

  // Volumes: the geometry of the instance's frames (all when `frames` is empty).
  result<volume_geometry> geometry(const std::vector<size_t>& frames, const volume_options& options) const;

  // Segmentations: the SEG description, then plan a segment volume, paste each planned frame
  // (decoded here from its range, or decoded elsewhere), and read segment_volume()->data().
  result<const segmentation_info*> segmentation();
  result<const seg_volume*> plan_segments(const seg_volume_request& request, const volume_geometry* reference);
  error paste_segment(size_t i, const uint8_t* range, size_t size);
  error paste_segment_stored(size_t i, const uint8_t* stored, size_t size, const decode_report& report);
  seg_volume* segment_volume() { return seg_volume_ ? &*seg_volume_ : nullptr; }
  void release_segments() {
    seg_volume_.reset();
    std::vector<uint8_t>().swap(stored_);  // the frame buffer of paste_segment()
  }

  const std::vector<uint8_t>& stored() const { return stored_; }  // decode(), raw()
  const decode_report& report() const { return report_; }
  const std::vector<double>& values() const { return values_; }   // transform(), transform_region()
  const std::string& transform_description() const { return transform_description_; }
  uint32_t output_samples() const { return output_samples_; }
  const std::vector<uint8_t>& region() const { return region_; }
  // The assembled region's buffer, handed over (the session holds none afterwards).
  std::vector<uint8_t> take_region() { return std::move(region_); }
  // The covered parts of the assembled region copied into `dst`, a region of the same size
  // (a concatenation's parts merged).
  error copy_region_into(std::vector<uint8_t>& dst) const;
  void release_frame();   // stored() and values()
  void release_region();  // region()

 private:
  error ensure_image();
  error frame_ready(size_t i);  // frame i exists and the image attributes are read
  error prepare(size_t i, const uint8_t*& range, size_t& size);
  error check_stored(size_t i, size_t size, const decode_report& report);
  error run_transform(size_t frame, const uint8_t* stored, const decode_report& report, const transform_options& o);

  const instance_reader& r_;
  bool image_ready_ = false;
  uint32_t image_generation_ = 0;  // of the reader's image attributes when read
  image_info image_;
  std::vector<uint8_t> stored_, region_;
  std::vector<double> values_;
  decode_report report_, region_report_;
  tile_layout layout_;
  region_plan plan_;
  std::string transform_description_;
  uint32_t output_samples_ = 1;
  std::optional<segmentation_info> seg_;
  std::optional<seg_volume> seg_volume_;
};

}  // namespace lazydcm
