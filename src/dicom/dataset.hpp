// The dataset model: elements in file order, values held little-endian, large values left in the
// file as bulk data (offset + length) rather than read.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dicom/vr.hpp"

namespace lazydcm {

constexpr uint32_t undefined_length = 0xFFFFFFFFu;

struct dataset;

struct element {
  tag_t tag = 0;
  vr_t vr = 0;                  // may be an ambiguous dictionary code (vr::us_or_ss, ...) in implicit VR
  uint32_t length = 0;          // declared value length; undefined_length for SQ/encapsulated
  uint64_t offset = 0;          // element header offset (file offset; inflated-stream offset if deflated)
  uint64_t value_offset = 0;    // first value byte
  bool bulk = false;            // value not read: larger than the inline limit, fetch it by range
  std::string bulk_uri;         // from DICOM JSON (BulkDataURI)
  std::vector<uint8_t> value;   // little-endian, as many bytes as `length` unless bulk/SQ
  std::vector<dataset> items;   // SQ items

  bool is_sequence() const { return vr == vr::SQ || !items.empty(); }
  // Character values: the raw bytes with trailing padding (space/NUL) removed, not charset-decoded.
  std::string_view raw_string() const;
  std::vector<std::string_view> raw_strings() const;  // split on backslash
  std::optional<int64_t> int_value(size_t index = 0) const;   // US SS UL SL SV UV IS
  std::optional<double> float_value(size_t index = 0) const;  // FL FD DS (and integers)
  size_t value_count() const;                                 // VM of the value held
};

struct dataset {
  std::vector<element> elements;

  const element* find(tag_t t) const;
  element* find(tag_t t);
  std::optional<std::string> string(tag_t t) const;  // first value, trimmed, raw bytes
  std::optional<int64_t> integer(tag_t t, size_t index = 0) const;
  std::optional<double> real(tag_t t, size_t index = 0) const;
  // Total element count, nested items included (for tests and statistics).
  size_t deep_size() const;
};

// The first item of a sequence, or null.
const dataset* first_item(const dataset& ds, tag_t sequence);

// The item of a functional group macro (e.g. Plane Position Sequence) for frame `frame` of an
// enhanced multi-frame dataset: the frame's per-frame functional group first, then the shared
// one; null when neither has it (classic images keep these attributes at the top level).
const dataset* functional_group(const dataset& ds, size_t frame, tag_t macro);

}  // namespace lazydcm
