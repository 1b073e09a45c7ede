// The frame index: where each frame's bytes are in the file, built from the header and the
// offset tables without reading frame data whenever a table exists (Extended Offset Table, Basic
// Offset Table, or the TIFF tile table of a dual-personality DICOM-TIFF file), else by a
// fragment scan that reads the pixel data in large batched ranges.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "dicom/image_info.hpp"
#include "dicom/reader.hpp"

namespace lazydcm {

// frames_by_number: no file to index; each frame is fetched on its own by number (DICOMweb).
enum class index_kind { none, native, extended_offset_table, basic_offset_table, tiff_tile_table, fragment_scan, frames_by_number };
const char* index_kind_name(index_kind k);

struct frame_location {
  uint64_t offset = 0;  // first byte to fetch (file offset; inflated-stream offset for deflated files)
  uint64_t length = 0;  // bytes to fetch
  uint32_t bit_offset = 0;        // native 1-bit frames that do not start on a byte boundary
  bool has_item_headers = false;  // the range holds fragment items: use extract_frame()
  uint32_t expected_length = 0;   // with one item: its value length per the offset table (0: any)
};


struct frame_index {
  index_kind kind = index_kind::none;
  std::vector<frame_location> frames;
  std::vector<std::string> notes;  // why a table was not used, estimates made
  uint64_t first_fragment_offset = 0;
  uint64_t bytes_read = 0;          // bytes the index itself needed beyond the header (scan, tables)
};

struct index_options {
  uint64_t scan_batch = 1 << 20;        // first fragment-scan read
  uint64_t max_scan_batch = 16 << 20;   // the batch doubles up to this
  bool use_extended_offset_table = true, use_basic_offset_table = true, use_tiff = true;
};

// Sans-IO, like dataset_reader: step() until done; feed the store with need() in between.
class frame_indexer {
 public:
  frame_indexer(const parsed_file& file, const byte_store& bytes, index_options options = {});
  parse_status step();
  byte_range need() const { return need_; }
  const error& failure() const { return error_; }
  // During a fragment scan: the item headers before this offset are read (their bytes are no longer needed).
  uint64_t scanned_until() const { return stage_ == stage::scan ? scan_pos_ : 0; }
  const frame_index& result() const { return index_; }
  frame_index& result() { return index_; }
  // An index built before (load_index) instead of building one: step() is done at once.
  void adopt(frame_index index) {
    index_ = std::move(index);
    stage_ = stage::done;
  }

 private:
  enum class stage { start, extended, basic, tiff, scan, group, done, failed };
  parse_status fail(errc code, uint64_t offset, std::string message);
  // nullptr: need_ set (at least read_ahead bytes), or past the end (past_end_).
  const uint8_t* get(uint64_t offset, uint64_t length, uint64_t read_ahead = 0);
  parse_status native();
  parse_status bot_header();
  bool extended();
  parse_status basic();
  parse_status tiff();
  parse_status scan();
  parse_status group();

  const parsed_file& file_;
  const byte_store& bytes_;
  index_options opt_;
  image_info info_;
  frame_index index_;
  stage stage_ = stage::start;
  byte_range need_{};
  error error_{};
  bool past_end_ = false;
  uint64_t bot_length_ = 0;
  // fragment scan
  uint64_t scan_pos_ = 0;
  uint64_t batch_ = 0;
  struct scanned { uint64_t offset; uint32_t length; uint8_t head[4]; uint8_t head_size; };
  std::vector<scanned> fragments_;
};

// A built index as bytes, for the persistent cache (kept with the header bytes, keyed by URL and
// validator), and back. load_index checks everything: a damaged or foreign snapshot is an
// invalid_argument error, never an index pointing outside the file of `file_size` bytes.
std::vector<uint8_t> save_index(const frame_index& index, uint64_t file_size);
result<frame_index> load_index(const uint8_t* data, size_t size, uint64_t file_size);

// The encoded bytes of one frame from the bytes of its range (item headers stripped, fragments
// concatenated), appended to `out`. Errors when the items do not fit the range.
error extract_frame(const frame_location& loc, const uint8_t* bytes, size_t size, std::vector<uint8_t>& out);

}  // namespace lazydcm
