#include "index/frame_index.hpp"

#include <algorithm>
#include <cstring>

namespace lazydcm {

namespace {
constexpr uint64_t k_tiff_read_ahead = 64 * 1024;

uint64_t padded(uint64_t length) { return length + (length & 1); }

// One frame in one item whose header is at `item`, the frame `length` bytes long: the range
// includes the item header (so extract_frame can check it) and the pad byte of an odd length
// (PS3.5 A.4: items have even length) when the file holds it.
frame_location item_location(uint64_t item, uint64_t length, uint64_t file_size) {
  frame_location f;
  f.offset = item;
  f.length = std::min(8 + padded(length), file_size - item);
  f.has_item_headers = true;
  f.expected_length = uint32_t(length);
  return f;
}
}  // namespace

const char* index_kind_name(index_kind k) {
  switch (k) {
    case index_kind::none: return "none";
    case index_kind::native: return "native";
    case index_kind::extended_offset_table: return "extended_offset_table";
    case index_kind::basic_offset_table: return "basic_offset_table";
    case index_kind::tiff_tile_table: return "tiff_tile_table";
    case index_kind::fragment_scan: return "fragment_scan";
    case index_kind::frames_by_number: return "frames_by_number";
  }
  return "?";
}

frame_indexer::frame_indexer(const parsed_file& file, const byte_store& bytes, index_options options)
    : file_(file), bytes_(bytes), opt_(options) {}

parse_status frame_indexer::fail(errc code, uint64_t offset, std::string message) {
  error_ = make_error(code, offset, std::move(message));
  stage_ = stage::failed;
  return parse_status::failed;
}

const uint8_t* frame_indexer::get(uint64_t offset, uint64_t length, uint64_t read_ahead) {
  past_end_ = false;
  if (offset + length > file_.file_size || offset + length < offset) {
    past_end_ = true;
    return nullptr;
  }
  if (const uint8_t* p = bytes_.view(offset, length)) return p;
  need_ = bytes_.missing(offset, std::min(file_.file_size, std::max(offset + length, offset + read_ahead)));
  index_.bytes_read += need_.length;
  return nullptr;
}

parse_status frame_indexer::step() {
  for (;;) {
    parse_status s = parse_status::done;
    switch (stage_) {
      case stage::start: {
        if (!file_.pixel.present) return fail(errc::no_pixel_data, error::no_offset, "the dataset has no Pixel Data");
        auto info = read_image_info(file_.body, file_.pixel);
        if (!info) {
          error_ = info.err();
          stage_ = stage::failed;
          return parse_status::failed;
        }
        info_ = info.value();
        if (info_.samples_per_pixel_was_zero)
          index_.notes.push_back("Samples per Pixel is 0 in a " + info_.photometric_interpretation + " image: read as 1");
        if (!file_.pixel.encapsulated) return native();
        s = bot_header();
        break;
      }
      case stage::extended:
        stage_ = stage::basic;
        if (opt_.use_extended_offset_table && extended()) return parse_status::done;
        break;
      case stage::basic: s = basic(); break;
      case stage::tiff: s = tiff(); break;
      case stage::scan: s = scan(); break;
      case stage::group: s = group(); break;
      case stage::done: return parse_status::done;
      case stage::failed: return parse_status::failed;
    }
    if (s != parse_status::done || stage_ == stage::done || stage_ == stage::failed)
      return stage_ == stage::done ? parse_status::done : s;
  }
}

parse_status frame_indexer::native() {
  const auto& px = file_.pixel;
  const uint64_t frame_bits = info_.frame_bits();
  const uint64_t n = info_.number_of_frames;
  if (frame_bits == 0) return fail(errc::invalid_image_attributes, px.element_offset, "empty frames");
  if (n > px.length * 8 / frame_bits)
    return fail(errc::invalid_image_attributes, px.element_offset,
                "Pixel Data holds " + std::to_string(px.length) + " bytes; " + std::to_string(n) + " frames of " +
                    std::to_string(info_.rows) + "x" + std::to_string(info_.columns) + "x" +
                    std::to_string(info_.samples_per_pixel) + " at " + std::to_string(info_.bits_allocated) +
                    " bits need " + std::to_string((n * frame_bits + 7) / 8));
  index_.kind = index_kind::native;
  index_.frames.reserve(size_t(n));
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t first_bit = i * frame_bits;
    frame_location f;
    f.offset = px.value_offset + first_bit / 8;
    f.bit_offset = uint32_t(first_bit % 8);
    f.length = (f.bit_offset + frame_bits + 7) / 8;
    index_.frames.push_back(f);
  }
  stage_ = stage::done;
  return parse_status::done;
}

parse_status frame_indexer::bot_header() {
  const auto& px = file_.pixel;
  const uint8_t* p = get(px.value_offset, 8);
  if (!p) return past_end_ ? fail(errc::truncated, px.value_offset, "file ends at the Basic Offset Table")
                           : parse_status::need_bytes;
  bool be = file_.syntax.big_endian;
  if (make_tag(load_u16(p, be), load_u16(p + 2, be)) != tags::item)
    return fail(errc::invalid_item, px.value_offset, "encapsulated Pixel Data does not start with an item");
  bot_length_ = load_u32(p + 4, be);
  if (bot_length_ == undefined_length || px.value_offset + 8 + bot_length_ > file_.file_size)
    return fail(errc::length_beyond_end, px.value_offset, "Basic Offset Table runs past the end of the file");
  index_.first_fragment_offset = px.value_offset + 8 + bot_length_;
  // Every frame needs at least an item header: a count the file cannot hold is refused before a
  // table of that many entries is made.
  if (info_.number_of_frames > (file_.file_size - index_.first_fragment_offset) / 8 + 16)
    return fail(errc::truncated, file_.file_size,
                "Number of Frames " + std::to_string(info_.number_of_frames) + " needs at least " +
                    std::to_string(info_.number_of_frames * 8) + " bytes of pixel data items; the file ends " +
                    std::to_string(file_.file_size - index_.first_fragment_offset) +
                    " bytes after the offset table (truncated, or the count is wrong)");
  if (info_.number_of_frames == 0) {
    index_.kind = index_kind::basic_offset_table;
    stage_ = stage::done;
    return parse_status::done;
  }
  stage_ = stage::extended;
  return parse_status::done;
}

bool frame_indexer::extended() {
  const element* eot = file_.body.find(tags::extended_offset_table);
  const element* eotl = file_.body.find(tags::extended_offset_table_lengths);
  if (!eot || eot->value.empty()) return false;
  const uint64_t n = info_.number_of_frames;
  if (!eotl || eot->value.size() != n * 8 || eotl->value.size() != n * 8) {
    index_.notes.push_back("Extended Offset Table ignored: it does not hold one offset and length per frame");
    return false;
  }
  std::vector<frame_location> frames;
  frames.reserve(size_t(n));
  uint64_t prev_end = 0, prev_unpadded_end = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t off = load_u64le(eot->value.data() + 8 * i), len = load_u64le(eotl->value.data() + 8 * i);
    uint64_t start = index_.first_fragment_offset + off;
    if (i > 0 && off < prev_end && off >= prev_unpadded_end) {
      // pydicom < 2.4 (encapsulate_extended) sums the unpadded lengths: every offset after the
      // first odd-length frame is short by the pad bytes before it.
      index_.notes.push_back("Extended Offset Table ignored: entry " + std::to_string(i) +
                             " points inside the previous frame's padded item (offsets computed without the pad "
                             "byte of odd-length frames, as pydicom < 2.4 writes them)");
      return false;
    }
    if (off < prev_end || len > 0xFFFFFFFEu || start + 8 + len > file_.file_size || start < off) {
      index_.notes.push_back("Extended Offset Table ignored: entry " + std::to_string(i) +
                             " is out of order or runs past the end of the file");
      return false;
    }
    // Lengths are the frames' own (pydicom, highdicom): the item holding an odd-length frame has a pad byte.
    prev_unpadded_end = off + 8 + len;
    prev_end = off + 8 + padded(len);
    frames.push_back(item_location(start, len, file_.file_size));
  }
  index_.frames = std::move(frames);
  index_.kind = index_kind::extended_offset_table;
  stage_ = stage::done;
  return true;
}

parse_status frame_indexer::basic() {
  stage_ = stage::tiff;
  if (bot_length_ == 0 || !opt_.use_basic_offset_table) return parse_status::done;
  const uint64_t n = info_.number_of_frames;
  if (bot_length_ % 4 != 0 || bot_length_ / 4 != n) {
    index_.notes.push_back("Basic Offset Table ignored: " + std::to_string(bot_length_ / 4) + " entries for " +
                           std::to_string(n) + " frames");
    return parse_status::done;
  }
  const uint8_t* p = get(file_.pixel.value_offset + 8, bot_length_);
  if (!p) {
    stage_ = stage::basic;
    return parse_status::need_bytes;
  }
  bool be = file_.syntax.big_endian;
  const uint64_t end = file_.pixel.encapsulated ? file_.file_size : file_.pixel.value_offset + file_.pixel.length;
  std::vector<frame_location> frames(static_cast<size_t>(n), frame_location{});
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t off = load_u32(p + 4 * i, be);
    uint64_t next = i + 1 < n ? load_u32(p + 4 * (i + 1), be) : end - index_.first_fragment_offset;
    if ((i == 0 && off != 0) || next <= off || index_.first_fragment_offset + next > end) {
      index_.notes.push_back("Basic Offset Table ignored: entry " + std::to_string(i) + " is not ascending");
      return parse_status::done;
    }
    frames[i].offset = index_.first_fragment_offset + off;
    frames[i].length = next - off;
    frames[i].has_item_headers = true;
  }
  index_.notes.push_back("the last frame's range runs to the end of the file (the offset table does not give its end)");
  index_.frames = std::move(frames);
  index_.kind = index_kind::basic_offset_table;
  stage_ = stage::done;
  return parse_status::done;
}

// Dual-personality DICOM-TIFF: the preamble holds a TIFF header whose IFDs give each tile's
// offset and byte count; the tiles are the pixel data fragments.
parse_status frame_indexer::tiff() {
  if (!opt_.use_tiff || !file_.has_preamble) {
    stage_ = stage::scan;
    return parse_status::done;
  }
  const uint8_t* h = get(0, 16);
  if (!h) return past_end_ ? (stage_ = stage::scan, parse_status::done) : parse_status::need_bytes;
  bool be;
  if (h[0] == 'I' && h[1] == 'I') be = false;
  else if (h[0] == 'M' && h[1] == 'M') be = true;
  else {
    stage_ = stage::scan;
    return parse_status::done;
  }
  uint16_t magic = load_u16(h + 2, be);
  bool big = magic == 43;
  if (magic != 42 && !(big && load_u16(h + 4, be) == 8)) {
    stage_ = stage::scan;
    return parse_status::done;
  }
  auto fallback = [&](const std::string& why) {
    index_.notes.push_back("TIFF tile table ignored: " + why);
    stage_ = stage::scan;
    return parse_status::done;
  };
  const uint64_t n = info_.number_of_frames;
  uint64_t ifd = big ? load_u64(h + 8, be) : load_u32(h + 4, be);
  const unsigned entry_size = big ? 20 : 12, count_size = big ? 8 : 2, offset_size = big ? 8 : 4;
  for (int ifd_index = 0; ifd != 0 && ifd_index < 256; ++ifd_index) {
    // IFDs are small and their arrays usually follow them: read ahead to save round trips.
    const uint8_t* c = get(ifd, count_size, k_tiff_read_ahead);
    if (!c) return past_end_ ? fallback("IFD offset past the end of the file") : parse_status::need_bytes;
    uint64_t entries = big ? load_u64(c, be) : load_u16(c, be);
    if (entries > 4096) return fallback("IFD with " + std::to_string(entries) + " entries");
    const uint8_t* e = get(ifd + count_size, entries * entry_size + offset_size, k_tiff_read_ahead);
    if (!e) return past_end_ ? fallback("IFD runs past the end of the file") : parse_status::need_bytes;
    struct field { uint16_t type = 0; uint64_t count = 0; const uint8_t* inline_value = nullptr; };
    field offsets, counts;
    for (uint64_t i = 0; i < entries; ++i) {
      const uint8_t* en = e + i * entry_size;
      uint16_t tag = load_u16(en, be);
      field f;
      f.type = load_u16(en + 2, be);
      f.count = big ? load_u64(en + 4, be) : load_u32(en + 4, be);
      f.inline_value = en + (big ? 12 : 8);
      if (tag == 324 || (tag == 273 && offsets.count == 0)) offsets = f;
      if (tag == 325 || (tag == 279 && counts.count == 0)) counts = f;
    }
    uint64_t next = big ? load_u64(e + entries * entry_size, be) : load_u32(e + entries * entry_size, be);
    if (offsets.count == n && counts.count == n) {
      auto type_size = [](uint16_t t) -> unsigned { return t == 3 ? 2 : t == 4 ? 4 : t == 16 ? 8 : 0; };
      unsigned os = type_size(offsets.type), cs = type_size(counts.type);
      if (!os || !cs) return fallback("tile offsets of TIFF type " + std::to_string(offsets.type));
      auto values = [&](const field& f, unsigned size) -> const uint8_t* {
        if (f.count * size <= offset_size) return f.inline_value;
        uint64_t at = offset_size == 8 ? load_u64(f.inline_value, be) : load_u32(f.inline_value, be);
        return get(at, f.count * size);
      };
      const uint8_t* ov = values(offsets, os);
      if (!ov) return past_end_ ? fallback("tile offsets past the end of the file") : parse_status::need_bytes;
      const uint8_t* cv = values(counts, cs);
      if (!cv) return past_end_ ? fallback("tile byte counts past the end of the file") : parse_status::need_bytes;
      ov = values(offsets, os);  // a second get() may have merged chunks; take the pointer again
      if (!ov) return parse_status::need_bytes;
      auto read = [&](const uint8_t* p, unsigned size, uint64_t i) -> uint64_t {
        return size == 2 ? load_u16(p + 2 * i, be) : size == 4 ? load_u32(p + 4 * i, be) : load_u64(p + 8 * i, be);
      };
      std::vector<frame_location> frames(static_cast<size_t>(n), frame_location{});
      for (uint64_t i = 0; i < n; ++i) {
        uint64_t off = read(ov, os, i), len = read(cv, cs, i);
        if (off < index_.first_fragment_offset + 8 || off + len > file_.file_size || len == 0 || len > 0xFFFFFFFEu)
          return fallback("tile " + std::to_string(i) + " lies outside the pixel data");
        // PixelMed writes the tile's own (odd) byte count; its DICOM item is padded to even length.
        frames[i] = item_location(off - 8, len, file_.file_size);
      }
      index_.frames = std::move(frames);
      index_.kind = index_kind::tiff_tile_table;
      stage_ = stage::done;
      return parse_status::done;
    }
    ifd = next;
  }
  return fallback("no IFD has " + std::to_string(n) + " tiles");
}

parse_status frame_indexer::scan() {
  const auto& px = file_.pixel;
  if (px.fragments_scanned) {  // the reader already walked the items
    for (const auto& f : px.fragments) {
      if (f.offset < index_.first_fragment_offset) continue;
      scanned s{f.offset, f.length, {}, 0};
      fragments_.push_back(s);
    }
    // The first bytes of each fragment are only needed to group fragments into frames.
    if (fragments_.size() != info_.number_of_frames && info_.number_of_frames != 1) {
      for (auto& f : fragments_) {
        uint8_t k = uint8_t(std::min<uint32_t>(4, f.length));
        const uint8_t* p = get(f.offset + 8, k);
        if (!p) return past_end_ ? fail(errc::truncated, f.offset, "fragment past the end") : parse_status::need_bytes;
        std::memcpy(f.head, p, k);
        f.head_size = k;
      }
    }
    stage_ = stage::group;
    return parse_status::done;
  }
  if (scan_pos_ == 0) {
    scan_pos_ = index_.first_fragment_offset;
    batch_ = opt_.scan_batch;
  }
  const bool be = file_.syntax.big_endian;
  for (;;) {
    if (scan_pos_ + 8 > file_.file_size) {
      index_.notes.push_back("pixel data has no sequence delimiter: the file ends after the last fragment");
      break;
    }
    const uint8_t* p = bytes_.view(scan_pos_, 12);
    // One large read per batch of fragments, never one request per fragment.
    if (!p) p = get(scan_pos_, 8, batch_);
    if (!p) {
      batch_ = std::min(batch_ * 2, opt_.max_scan_batch);
      return parse_status::need_bytes;
    }
    tag_t t = make_tag(load_u16(p, be), load_u16(p + 2, be));
    uint32_t len = load_u32(p + 4, be);
    if (t == tags::sequence_delimitation) break;
    if (t != tags::item) return fail(errc::invalid_item, scan_pos_, "expected a pixel data item, found " + tag_string(t));
    if (len == undefined_length || scan_pos_ + 8 + len > file_.file_size)
      return fail(errc::length_beyond_end, scan_pos_, "pixel data fragment runs past the end of the file");
    scanned s{scan_pos_, len, {}, 0};
    if (bytes_.view(scan_pos_, 12) && len >= 4) {
      std::memcpy(s.head, p + 8, 4);
      s.head_size = 4;
    } else if (len > 0 && len < 4 && bytes_.view(scan_pos_ + 8, len)) {
      std::memcpy(s.head, bytes_.view(scan_pos_ + 8, len), len);
      s.head_size = uint8_t(len);
    }
    fragments_.push_back(s);
    scan_pos_ += 8 + uint64_t(len);
  }
  stage_ = stage::group;
  return parse_status::done;
}

namespace {
bool starts_frame(const uint8_t* h, unsigned size) {
  if (size < 2) return false;
  if (h[0] == 0xFF && h[1] == 0xD8) return true;                                   // JPEG / JPEG-LS SOI
  if (size >= 4 && h[0] == 0xFF && h[1] == 0x4F && h[2] == 0xFF && h[3] == 0x51) return true;  // J2K SOC+SIZ
  if (size >= 4 && h[0] == 0 && h[1] == 0 && h[2] == 0 && h[3] == 0x0C) return true;         // JP2 signature box
  return false;
}
}  // namespace

parse_status frame_indexer::group() {
  const uint64_t n = info_.number_of_frames;
  index_.kind = index_kind::fragment_scan;
  auto whole = [](const scanned& f) {
    frame_location loc;
    loc.offset = f.offset;
    loc.length = 8 + uint64_t(f.length);
    loc.has_item_headers = true;
    loc.expected_length = f.length;
    return loc;
  };
  if (fragments_.size() == n) {
    for (const auto& f : fragments_) index_.frames.push_back(whole(f));
  } else if (n == 1 && !fragments_.empty()) {
    frame_location loc;
    loc.offset = fragments_.front().offset;
    loc.length = fragments_.back().offset + 8 + fragments_.back().length - loc.offset;
    loc.has_item_headers = true;
    index_.frames.push_back(loc);
  } else {
    // Several fragments per frame: a frame starts at a fragment that starts a codestream.
    std::vector<size_t> starts;
    for (size_t i = 0; i < fragments_.size(); ++i)
      if (starts_frame(fragments_[i].head, fragments_[i].head_size)) starts.push_back(i);
    if (starts.size() != n || (n && starts[0] != 0))
      return fail(errc::frame_count_mismatch, index_.first_fragment_offset,
                  std::to_string(fragments_.size()) + " fragments, " + std::to_string(starts.size()) +
                      " of them start a JPEG/J2K codestream, for " + std::to_string(n) + " frames");
    for (size_t k = 0; k < starts.size(); ++k) {
      size_t last = k + 1 < starts.size() ? starts[k + 1] - 1 : fragments_.size() - 1;
      frame_location loc;
      loc.offset = fragments_[starts[k]].offset;
      loc.length = fragments_[last].offset + 8 + fragments_[last].length - loc.offset;
      loc.has_item_headers = true;
      if (last == starts[k]) loc.expected_length = fragments_[last].length;
      index_.frames.push_back(loc);
    }
  }
  stage_ = stage::done;
  return parse_status::done;
}

error extract_frame(const frame_location& loc, const uint8_t* bytes, size_t size, std::vector<uint8_t>& out) {
  if (size < loc.length)
    return make_error(errc::truncated, loc.offset + size, "frame range holds fewer bytes than indexed");
  if (!loc.has_item_headers) {
    out.insert(out.end(), bytes, bytes + loc.length);
    return {};
  }
  uint64_t pos = 0;
  int items = 0;
  while (pos + 8 <= loc.length) {
    tag_t t = make_tag(load_u16le(bytes + pos), load_u16le(bytes + pos + 2));
    uint32_t len = load_u32le(bytes + pos + 4);
    if (t == tags::sequence_delimitation) return {};
    if (t != tags::item)
      return make_error(errc::invalid_offset_table, loc.offset + pos,
                        "the frame's range does not start at a fragment item (found " + tag_string(t) + ")");
    // The index gave this range: an item that does not fit it means the table points at the wrong bytes.
    if (len == undefined_length || pos + 8 + len > loc.length)
      return make_error(errc::invalid_offset_table, loc.offset + pos,
                        "fragment of " + std::to_string(len) + " bytes runs past the frame's indexed range");
    uint32_t keep = len;
    if (loc.expected_length && len != loc.expected_length) {
      // An odd-length frame in its even-length item: the table gives the frame's own length.
      if (!(loc.expected_length & 1) || len != loc.expected_length + 1)
        return make_error(errc::invalid_offset_table, loc.offset + pos,
                          "fragment of " + std::to_string(len) + " bytes where the offset table says " +
                              std::to_string(loc.expected_length));
      keep = loc.expected_length;
    }
    out.insert(out.end(), bytes + pos + 8, bytes + pos + 8 + keep);
    pos += 8 + len;
    ++items;
  }
  if (pos != loc.length && items == 0)
    return make_error(errc::truncated, loc.offset + pos, "frame range ends inside a fragment header");
  return {};
}

// ---- snapshots (the persistent cache) ----
// "LZDI", version 1, then little-endian: file size u64, kind u8, first fragment offset u64, bytes
// read u64, note count u32 and each note (u32 length, bytes), frame count u64, and per frame
// offset u64, length u64, bit offset u8, item headers u8, expected length u32 (22 bytes); last,
// the FNV-1a 64 of everything before it (a damaged entry is refused, not used).
namespace {
constexpr uint8_t k_snapshot_magic[4] = {'L', 'Z', 'D', 'I'};
constexpr uint32_t k_snapshot_version = 1;
constexpr size_t k_snapshot_frame = 22;

uint64_t fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h;
}

struct snapshot_writer {
  std::vector<uint8_t>& out;
  void u8(uint8_t v) { out.push_back(v); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) out.push_back(uint8_t(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) out.push_back(uint8_t(v >> (8 * i))); }
};

struct snapshot_reader {
  const uint8_t* p;
  size_t left;
  bool ok = true;
  bool take(size_t n) {
    if (!ok || left < n) return ok = false;
    return true;
  }
  uint64_t un(size_t n) {
    if (!take(n)) return 0;
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
    p += n;
    left -= n;
    return v;
  }
};
}  // namespace

std::vector<uint8_t> save_index(const frame_index& index, uint64_t file_size) {
  std::vector<uint8_t> out(k_snapshot_magic, k_snapshot_magic + 4);
  out.reserve(64 + index.frames.size() * k_snapshot_frame);
  snapshot_writer w{out};
  w.u32(k_snapshot_version);
  w.u64(file_size);
  w.u8(uint8_t(index.kind));
  w.u64(index.first_fragment_offset);
  w.u64(index.bytes_read);
  w.u32(uint32_t(index.notes.size()));
  for (const std::string& n : index.notes) {
    w.u32(uint32_t(n.size()));
    out.insert(out.end(), n.begin(), n.end());
  }
  w.u64(index.frames.size());
  for (const frame_location& f : index.frames) {
    w.u64(f.offset);
    w.u64(f.length);
    w.u8(uint8_t(f.bit_offset));
    w.u8(f.has_item_headers ? 1 : 0);
    w.u32(f.expected_length);
  }
  w.u64(fnv1a(out.data(), out.size()));
  return out;
}

result<frame_index> load_index(const uint8_t* data, size_t size, uint64_t file_size) {
  auto bad = [](std::string why) { return make_error(errc::invalid_argument, error::no_offset, std::move(why)); };
  if (size < 16 || std::memcmp(data, k_snapshot_magic, 4) != 0) return bad("not an index snapshot");
  uint64_t sum = 0;
  for (int i = 0; i < 8; ++i) sum |= uint64_t(data[size - 8 + i]) << (8 * i);
  if (sum != fnv1a(data, size - 8)) return bad("a damaged index snapshot (checksum)");
  snapshot_reader r{data + 4, size - 12};
  if (r.un(4) != k_snapshot_version) return bad("an index snapshot of another version");
  if (const uint64_t saved = r.un(8); r.ok && saved != file_size)
    return bad("saved for a file of " + std::to_string(saved) + " bytes, this one has " + std::to_string(file_size));
  frame_index index;
  const uint64_t kind = r.un(1);
  if (kind != uint64_t(index_kind::native) && kind != uint64_t(index_kind::extended_offset_table) &&
      kind != uint64_t(index_kind::basic_offset_table) && kind != uint64_t(index_kind::tiff_tile_table) &&
      kind != uint64_t(index_kind::fragment_scan))
    return bad("an index snapshot of kind " + std::to_string(kind));
  index.kind = index_kind(kind);
  index.first_fragment_offset = r.un(8);
  index.bytes_read = r.un(8);
  const uint64_t notes = r.un(4);
  for (uint64_t i = 0; r.ok && i < notes; ++i) {
    const uint64_t n = r.un(4);
    if (!r.take(n)) break;
    index.notes.emplace_back(reinterpret_cast<const char*>(r.p), size_t(n));
    r.p += n;
    r.left -= n;
  }
  const uint64_t frames = r.un(8);
  if (!r.ok || frames > r.left / k_snapshot_frame || r.left != frames * k_snapshot_frame)
    return bad("an index snapshot cut short or with bytes left over");
  index.frames.resize(size_t(frames));
  for (frame_location& f : index.frames) {
    f.offset = r.un(8);
    f.length = r.un(8);
    f.bit_offset = uint32_t(r.un(1));
    const uint64_t items = r.un(1);
    f.expected_length = uint32_t(r.un(4));
    // Frames may run past the end of a truncated file, as the index built from it does (their reads
    // then say `truncated`); the snapshot keeps them so, bounded only against overflow.
    if (f.offset > (uint64_t(1) << 62) || f.length > (uint64_t(1) << 62) || f.bit_offset > 7 || items > 1)
      return bad("a frame location out of bounds in an index snapshot");
    f.has_item_headers = items == 1;
  }
  return index;
}

}  // namespace lazydcm
