// The sans-IO DICOM reader. It is fed bytes at known file offsets, in any order and chunk size,
// and step() either finishes, fails with a typed error (byte offset included), or says which
// bytes it needs next. It never does I/O, so the same code runs on a memory buffer natively and
// behind HTTP Range requests in the browser.
//
//   dataset_reader r(file_size);
//   r.feed(0, first_chunk.data(), first_chunk.size());
//   while (r.step() == parse_status::need_bytes) { auto n = r.need(); r.feed(n.offset, fetch(n)); }
//
// Values larger than `max_inline_value` are skipped (recorded as bulk data with their offset),
// and by default reading stops at the top-level Pixel Data element, so a header costs the header's
// bytes, whatever the size of the file.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "dicom/dataset.hpp"
#include "dicom/transfer_syntax.hpp"

namespace lazydcm {

struct parse_options {
  uint32_t max_inline_value = 256 * 1024;  // larger values become bulk data (not read)
  bool stop_at_pixel_data = true;          // stop before the top-level Pixel Data value
  // Deflated datasets: refuse to inflate more (a deflate bomb must not take the WASM module's 2 GB).
  uint64_t max_inflated_size = uint64_t{512} << 20;
  // Odd value lengths break PS3.5 7.1.1 but occur in real files (pydicom and DCMTK read them):
  // by default they are read and reported in warnings; strict makes them errc::odd_length.
  bool strict_odd_length = false;
};

enum class parse_status { done, need_bytes, failed };

struct fragment {
  uint64_t offset;  // of the item header
  uint32_t length;  // of the item value
};

struct pixel_data_info {
  bool present = false;
  tag_t tag = 0;             // Pixel Data, Float Pixel Data or Double Float Pixel Data
  vr_t vr = 0;
  uint64_t element_offset = 0;
  uint64_t value_offset = 0;
  bool encapsulated = false;  // undefined length: a sequence of fragments
  uint64_t length = 0;        // value length when defined
  bool in_inflated_stream = false;  // offsets refer to the inflated stream of a deflated file
  // Filled only when reading went past Pixel Data (stop_at_pixel_data = false).
  bool fragments_scanned = false;
  std::vector<fragment> fragments;
};

struct parsed_file {
  uint64_t file_size = 0;
  bool has_preamble = false;
  bool has_meta = false;
  uint64_t body_offset = 0;     // file offset of the first element after the meta header
  std::string declared_transfer_syntax;  // from the meta header, "" when absent
  transfer_syntax syntax;       // the syntax actually used to read the body
  std::vector<std::string> warnings;
  dataset meta;
  dataset body;
  pixel_data_info pixel;
};

class dataset_reader {
 public:
  explicit dataset_reader(uint64_t file_size, parse_options options = {});
  ~dataset_reader();
  dataset_reader(const dataset_reader&) = delete;
  dataset_reader& operator=(const dataset_reader&) = delete;

  // Bytes of the file at `offset`; copied. Bytes past file_size are ignored.
  void feed(uint64_t offset, const uint8_t* data, size_t size);
  parse_status step();
  // After need_bytes: the first missing range. Fetching more than this (read-ahead) is fine.
  byte_range need() const { return need_; }
  const error& failure() const { return error_; }
  parsed_file& result() { return file_; }
  const parsed_file& result() const { return file_; }
  const byte_store& file_bytes() const { return file_store_; }
  // Once the header is read, file bytes past it are the caller's to drop (a scan's batches).
  void forget_file_bytes(uint64_t from, uint64_t to) { file_store_.erase(from, to); }
  // For deflated files: the inflated dataset stream (pixel offsets refer to it).
  const byte_store& inflated_bytes() const { return inflated_store_; }

 private:
  struct impl;
  enum class have { yes, need, eof };
  struct encoding {
    bool implicit_vr;
    bool big_endian;
  };
  struct element_header {
    tag_t tag;
    vr_t vr;
    uint32_t length;
    uint32_t header_size;
  };
  enum class ctx_kind { root, item, sequence, fragments };
  struct context {
    ctx_kind kind;
    uint64_t end;  // exclusive; ~0 when undefined length
    encoding enc;
    dataset* ds;
    element* el;   // sequence / fragments: the element being filled
    bool top_pixel_data;
  };
  static constexpr uint64_t open_end = ~uint64_t{0};

  parse_status fail(errc code, uint64_t offset, std::string message);
  parse_status need_status();
  have ensure(uint64_t pos, uint64_t n);
  have ensure_file(uint64_t pos, uint64_t n);
  have ensure_inflated(uint64_t pos, uint64_t n);
  const uint8_t* at(uint64_t pos, uint64_t n) const;
  uint64_t body_end() const;
  parse_status read_header(uint64_t pos, encoding enc, element_header& h);
  parse_status step_start();
  parse_status step_meta();
  parse_status choose_body_syntax();
  parse_status step_body();
  parse_status step_dataset(context& c);
  parse_status step_sequence(context& c);
  parse_status step_fragments(context& c);
  parse_status read_value(const element_header& h, encoding enc, element& el);
  void record_pixel_data(const element_header& h, element& el, bool encapsulated);
  parse_status check_vr_mode(context& c);
  parse_status finish();

  enum class state { start, meta, body_syntax, body, done, failed } state_ = state::start;
  parse_options opt_;
  parsed_file file_;
  byte_store file_store_;
  byte_store inflated_store_;
  byte_range need_{};
  error error_{};
  uint64_t pos_ = 0;
  std::vector<context> stack_;
  bool check_mode_ = false;  // the next element starts a dataset: check implicit/explicit (as pydicom)
  bool deflated_ = false;
  int odd_warnings_ = 0;
  int blank_vr_warnings_ = 0;
  std::unique_ptr<impl> z_;  // inflate state
};

}  // namespace lazydcm
