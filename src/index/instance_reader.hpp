// One DICOM instance, read lazily: the header (dataset_reader), then the frame index
// (frame_indexer), both sans-IO over one byte store. This is what the WASM binding drives.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <vector>

#include "dicom/json_model.hpp"
#include "dicom/reader.hpp"
#include "index/frame_index.hpp"

namespace lazydcm {

// What `lazydcm info` shows first: the SOP class, syntax, image attributes, where the pixel data is
// and how the frame index was built. Absent attributes are nullopt.
struct instance_summary {
  struct pixel_data {
    std::string tag;  // "7FE00010"
    uint64_t offset = 0, value_offset = 0;
    bool encapsulated = false, in_inflated_stream = false;
    std::optional<uint64_t> length;  // native data only
  };
  struct index_summary {
    std::string kind;
    uint64_t frames = 0, bytes_read = 0;
    std::vector<std::string> notes;
  };
  uint64_t file_size = 0;
  bool preamble = false, meta_header = false;
  std::optional<std::string> sop_class_uid, sop_class_name, sop_instance_uid;
  std::string transfer_syntax_uid, transfer_syntax_name;
  bool transfer_syntax_known = false;
  std::optional<int64_t> rows, columns, number_of_frames, samples_per_pixel, bits_allocated, bits_stored, pixel_representation;
  std::optional<std::string> photometric_interpretation;
  std::optional<int64_t> total_pixel_matrix_rows, total_pixel_matrix_columns;
  uint64_t elements = 0;
  std::optional<pixel_data> pixel;
  std::optional<index_summary> index;
  std::optional<error> index_error;
  std::vector<std::string> warnings;
};

struct instance_options {
  parse_options parse;
  index_options index;
  bool build_index = true;
};

class instance_reader {
 public:
  instance_reader(uint64_t file_size, instance_options options = {});
  // An instance known by its metadata only (DICOMweb: DICOM JSON), whose frames come one by one
  // by number, each "range" being exactly one frame's bytes (encapsulated: the encoded frame).
  // The transfer syntax may be "" until the first frames tell it (set_transfer_syntax).
  static result<std::unique_ptr<instance_reader>> from_metadata(dataset body, const std::string& transfer_syntax_uid);
  // Also: transcoded to a native syntax, a YBR_FULL_422 image comes as RGB (see the .cpp).
  void set_transfer_syntax(const std::string& uid);
  // Changes each time the image attributes change (set_transfer_syntax): readers of them re-read.
  uint32_t image_generation() const { return image_generation_; }
  void feed(uint64_t offset, const uint8_t* data, size_t size) { reader_.feed(offset, data, size); }
  // done: header read and index built (or the index failed: see index_error()).
  parse_status step();
  byte_range need() const { return need_; }
  const error& failure() const { return restore_error_ ? *restore_error_ : reader_.failure(); }
  bool header_done() const { return header_done_; }
  const parsed_file& file() const { return reader_.result(); }
  const frame_index* index() const { return by_number_ ? &*by_number_ : indexer_ ? &indexer_->result() : nullptr; }
  const std::optional<error>& index_error() const { return index_error_; }
  // A frame read found the index pointing at the wrong bytes (`why`, e.g. extract_frame's error):
  // build it again without the table it came from (EOT, then BOT, then the TIFF tile table, then
  // the fragment scan), keeping its notes and saying why. step() then runs as after the header.
  // False when the index did not come from a table (nothing left to fall back to).
  bool reindex(const std::string& why);
  // Opened with build_index = false: after the header, either the index saved from an earlier open
  // of the same file (load_index's bytes; false and failure() set when they do not fit this file:
  // wrong size, kind or frame count) or, by build_index(), the index built as usual by step().
  bool restore_index(const uint8_t* data, size_t size);
  void build_index() { opt_.build_index = true; }
  // The index as bytes for restore_index (empty when there is none to keep: no pixel data, an
  // index error, frames by number, or pixel data in a deflated stream, whose bytes are not kept).
  std::vector<uint8_t> index_snapshot() const;
  const byte_store& bytes() const { return reader_.file_bytes(); }
  const byte_store& inflated_bytes() const { return reader_.inflated_bytes(); }

  instance_summary summary() const;
  json_result dicom_json(const json_options& options = {}) const;

 private:
  instance_options opt_;
  dataset_reader reader_;
  std::unique_ptr<frame_indexer> indexer_;
  bool header_done_ = false;
  std::optional<error> index_error_;
  std::optional<error> restore_error_;
  std::optional<frame_index> by_number_;
  byte_range need_{};
  uint32_t image_generation_ = 0;
};

}  // namespace lazydcm
