// One DICOM instance, read lazily: the header (dataset_reader), then the frame index
// (frame_indexer), both sans-IO over one byte store. This is what the WASM binding drives.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "dicom/json_model.hpp"
#include "dicom/reader.hpp"
#include "index/frame_index.hpp"

namespace lazydcm {

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
  void feed(uint64_t offset, const uint8_t* data, size_t size) { reader_.feed(offset, data, size); }
  // done: header read and index built (or the index failed: see index_error()).
  parse_status step();
  byte_range need() const { return need_; }
  const error& failure() const { return reader_.failure(); }
  bool header_done() const { return header_done_; }
  const parsed_file& file() const { return reader_.result(); }
  const frame_index* index() const { return by_number_ ? &*by_number_ : indexer_ ? &indexer_->result() : nullptr; }
  const std::optional<error>& index_error() const { return index_error_; }
  // A frame read found the index pointing at the wrong bytes (`why`, e.g. extract_frame's error):
  // build it again without the table it came from (EOT, then BOT, then the TIFF tile table, then
  // the fragment scan), keeping its notes and saying why. step() then runs as after the header.
  // False when the index did not come from a table (nothing left to fall back to).
  bool reindex(const std::string& why);
  const byte_store& bytes() const { return reader_.file_bytes(); }
  const byte_store& inflated_bytes() const { return reader_.inflated_bytes(); }

  // The `lazydcm info` summary (SOP class, syntax, image attributes, index kind, frames, notes).
  nlohmann::json summary() const;
  json_result dicom_json(const json_options& options = {}) const;

 private:
  instance_options opt_;
  dataset_reader reader_;
  std::unique_ptr<frame_indexer> indexer_;
  bool header_done_ = false;
  std::optional<error> index_error_;
  std::optional<frame_index> by_number_;
  byte_range need_{};
};

}  // namespace lazydcm
