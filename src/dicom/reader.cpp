#include "dicom/reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace lazydcm {

namespace {
constexpr uint64_t k_inflate_input_chunk = 256 * 1024;
constexpr size_t k_max_nesting = 256;  // sequence depth; real files stay under ~10

bool looks_like_vr(const uint8_t* p) {  // pydicom's test: two upper-case ASCII letters
  return p[0] > 0x40 && p[0] < 0x5B && p[1] > 0x40 && p[1] < 0x5B;
}

void swap_values(std::vector<uint8_t>& v, unsigned unit) {
  if (unit < 2) return;
  for (size_t i = 0; i + unit <= v.size(); i += unit) std::reverse(v.begin() + i, v.begin() + i + unit);
}

unsigned swap_unit(vr_t v) {
  switch (v) {
    case vr::AT: return 2;  // a pair of 16-bit numbers
    case vr::us_or_ss: case vr::us_ss_or_ow: case vr::us_or_ow: case vr::ob_or_ow: return 2;
    default: return vr_value_size(v);
  }
}

bool is_pixel_data_tag(tag_t t) {
  return t == tags::pixel_data || t == tags::float_pixel_data || t == tags::double_float_pixel_data;
}
}  // namespace

struct dataset_reader::impl {
  z_stream zs{};
  bool started = false;
  bool ended = false;
  uint64_t in_pos = 0;   // next compressed byte (file offset)
  uint64_t out_pos = 0;  // inflated bytes produced
  ~impl() {
    if (started) inflateEnd(&zs);
  }
};

dataset_reader::dataset_reader(uint64_t file_size, parse_options options) : opt_(options) {
  file_.file_size = file_size;
}

dataset_reader::~dataset_reader() = default;

void dataset_reader::feed(uint64_t offset, const uint8_t* data, size_t size) {
  if (offset >= file_.file_size) return;
  size = size_t(std::min<uint64_t>(size, file_.file_size - offset));
  file_store_.add(offset, data, size);
}

parse_status dataset_reader::fail(errc code, uint64_t offset, std::string message) {
  if (state_ == state::failed) return parse_status::failed;  // the first error is the cause
  error_ = make_error(code, offset, std::move(message));
  state_ = state::failed;
  return parse_status::failed;
}

parse_status dataset_reader::need_status() { return parse_status::need_bytes; }

const uint8_t* dataset_reader::at(uint64_t pos, uint64_t n) const {
  return deflated_ && state_ == state::body ? inflated_store_.view(pos, n) : file_store_.view(pos, n);
}

dataset_reader::have dataset_reader::ensure_file(uint64_t pos, uint64_t n) {
  if (pos + n > file_.file_size) return have::eof;
  if (file_store_.has(pos, n)) return have::yes;
  need_ = file_store_.missing(pos, pos + n);
  return have::need;
}

dataset_reader::have dataset_reader::ensure_inflated(uint64_t pos, uint64_t n) {
  impl& z = *z_;
  while (z.out_pos < pos + n) {
    if (z.ended) return have::eof;
    uint64_t avail = file_store_.held_until(z.in_pos) - z.in_pos;
    if (avail == 0) {
      if (z.in_pos >= file_.file_size) {
        // pydicom and DCMTK accept a stream without its final block marker when the input ends.
        z.ended = true;
        continue;
      }
      need_ = {z.in_pos, std::min(k_inflate_input_chunk, file_.file_size - z.in_pos)};
      return have::need;
    }
    const uint8_t* in = file_store_.view(z.in_pos, avail);
    uint8_t out[64 * 1024];
    z.zs.next_in = const_cast<Bytef*>(in);
    z.zs.avail_in = uInt(std::min<uint64_t>(avail, 1u << 30));
    z.zs.next_out = out;
    z.zs.avail_out = sizeof out;
    int rc = inflate(&z.zs, Z_NO_FLUSH);
    uint64_t consumed = (std::min<uint64_t>(avail, 1u << 30)) - z.zs.avail_in;
    uint64_t produced = sizeof out - z.zs.avail_out;
    z.in_pos += consumed;
    if (produced) inflated_store_.add(z.out_pos, out, size_t(produced));
    z.out_pos += produced;
    if (z.out_pos > opt_.max_inflated_size) {
      fail(errc::value_too_large, file_.body_offset, "deflated dataset inflates beyond the limit");
      return have::eof;
    }
    if (rc == Z_STREAM_END) {
      z.ended = true;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      fail(errc::deflate_error, z.in_pos, std::string("inflate failed: ") + (z.zs.msg ? z.zs.msg : "?"));
      return have::eof;
    } else if (consumed == 0 && produced == 0) {
      fail(errc::deflate_error, z.in_pos, "inflate made no progress");
      return have::eof;
    }
  }
  return have::yes;
}

dataset_reader::have dataset_reader::ensure(uint64_t pos, uint64_t n) {
  if (deflated_ && state_ == state::body) return ensure_inflated(pos, n);
  return ensure_file(pos, n);
}

uint64_t dataset_reader::body_end() const {
  if (deflated_) return z_->ended ? z_->out_pos : open_end;
  return file_.file_size;
}

parse_status dataset_reader::step() {
  for (;;) {
    parse_status s;
    switch (state_) {
      case state::start: s = step_start(); break;
      case state::meta: s = step_meta(); break;
      case state::body_syntax: s = choose_body_syntax(); break;
      case state::body: s = step_body(); break;
      case state::done: return parse_status::done;
      case state::failed: return parse_status::failed;
    }
    if (state_ == state::failed) return parse_status::failed;
    if (s != parse_status::done) return s;
  }
}

parse_status dataset_reader::step_start() {
  uint64_t probe = std::min<uint64_t>(132, file_.file_size);
  if (probe < 8) return fail(errc::not_dicom, 0, "file too small to be DICOM");
  switch (ensure_file(0, probe)) {
    case have::need: return need_status();
    case have::eof: return fail(errc::truncated, 0, "file ends in the preamble");
    case have::yes: break;
  }
  const uint8_t* p = at(0, probe);
  if (probe == 132 && std::memcmp(p + 128, "DICM", 4) == 0) {
    file_.has_preamble = true;
    pos_ = 132;
  } else {
    pos_ = 0;
  }
  state_ = state::meta;
  return parse_status::done;
}

parse_status dataset_reader::read_header(uint64_t pos, encoding enc, element_header& h) {
  switch (ensure(pos, 8)) {
    case have::need: return need_status();
    case have::eof: return fail(errc::truncated, pos, "file ends inside an element header");
    case have::yes: break;
  }
  const uint8_t* p = at(pos, 8);
  h.tag = make_tag(load_u16(p, enc.big_endian), load_u16(p + 2, enc.big_endian));
  if (tag_group(h.tag) == 0xFFFE || enc.implicit_vr) {
    h.vr = tag_group(h.tag) == 0xFFFE ? vr_t(0) : implicit_vr(h.tag);
    h.length = load_u32(p + 4, enc.big_endian);
    h.header_size = 8;
    return parse_status::done;
  }
  h.vr = vr_code(char(p[4]), char(p[5]));
  if (!is_known_vr(h.vr) && (p[4] == ' ' || p[4] == 0) && (p[5] == ' ' || p[5] == 0)) {
    // Blank VR bytes (seen in real files; pydicom reads on): the dictionary's VR, a short header.
    h.vr = implicit_vr(h.tag);
    h.length = load_u16(p + 6, enc.big_endian);
    h.header_size = 8;
    if (blank_vr_warnings_++ < 10)
      file_.warnings.push_back("element " + tag_string(h.tag) + " at byte " + std::to_string(pos) +
                               " has a blank VR: read as " + vr_name(h.vr) + " (the dictionary's VR)");
    return parse_status::done;
  }
  if (!is_known_vr(h.vr)) {
    return fail(errc::invalid_vr, pos + 4,
                "element " + tag_string(h.tag) + " has bytes " + std::to_string(p[4]) + "," +
                    std::to_string(p[5]) + " where its VR should be");
  }
  if (has_long_header(h.vr)) {
    switch (ensure(pos, 12)) {
      case have::need: return need_status();
      case have::eof: return fail(errc::truncated, pos, "file ends inside an element header");
      case have::yes: break;
    }
    h.length = load_u32(at(pos, 12) + 8, enc.big_endian);
    h.header_size = 12;
  } else {
    h.length = load_u16(p + 6, enc.big_endian);
    h.header_size = 8;
  }
  return parse_status::done;
}

// The File Meta Information: explicit VR little endian, group 0002, read while the group lasts.
parse_status dataset_reader::step_meta() {
  const encoding meta_enc{false, false};
  for (;;) {
    switch (ensure_file(pos_, 6)) {
      case have::need: return need_status();
      case have::eof:
        if (pos_ == file_.file_size || file_.has_meta) break;
        return fail(errc::truncated, pos_, "file ends before the first element");
      case have::yes: break;
    }
    if (pos_ + 6 > file_.file_size || load_u16le(at(pos_, 2)) != 0x0002) break;
    if (!looks_like_vr(at(pos_, 6) + 4)) break;  // group 2 in another encoding: not a meta header
    element_header h;
    parse_status s = read_header(pos_, meta_enc, h);
    if (s != parse_status::done) return s;
    if (h.length == undefined_length)
      return fail(errc::undefined_length_not_allowed, pos_, "undefined length in the meta header");
    if (pos_ + h.header_size + h.length > file_.file_size)
      return fail(errc::length_beyond_end, pos_,
                  tag_string(h.tag) + " declares " + std::to_string(h.length) + " bytes past the end of the file");
    switch (ensure_file(pos_ + h.header_size, h.length)) {
      case have::need: return need_status();
      case have::eof: return fail(errc::truncated, pos_, "file ends in the meta header");
      case have::yes: break;
    }
    element el;
    el.tag = h.tag;
    el.vr = h.vr;
    el.length = h.length;
    el.offset = pos_;
    el.value_offset = pos_ + h.header_size;
    const uint8_t* v = at(el.value_offset, h.length);
    el.value.assign(v, v + h.length);
    file_.meta.elements.push_back(std::move(el));
    file_.has_meta = true;
    pos_ += h.header_size + h.length;
  }
  file_.body_offset = pos_;
  if (auto ts = file_.meta.string(tags::transfer_syntax_uid)) file_.declared_transfer_syntax = *ts;
  state_ = state::body_syntax;
  return parse_status::done;
}

parse_status dataset_reader::choose_body_syntax() {
  if (!file_.declared_transfer_syntax.empty()) {
    file_.syntax = lookup_transfer_syntax(file_.declared_transfer_syntax);
    if (!file_.syntax.known)
      file_.warnings.push_back("unknown transfer syntax " + file_.declared_transfer_syntax +
                               ": reading the dataset as Explicit VR Little Endian");
  } else if (pos_ >= file_.file_size) {
    file_.syntax = lookup_transfer_syntax(uids::explicit_vr_le);
  } else {
    // No Transfer Syntax UID: guess from the first element, as pydicom does.
    switch (ensure_file(pos_, std::min<uint64_t>(6, file_.file_size - pos_))) {
      case have::need: return need_status();
      case have::eof: return fail(errc::truncated, pos_, "file ends before the first element");
      case have::yes: break;
    }
    if (file_.file_size - pos_ < 6) return fail(errc::not_dicom, pos_, "no dataset after the meta header");
    const uint8_t* p = at(pos_, 6);
    const char* uid = uids::implicit_vr_le;
    if (looks_like_vr(p + 4) && is_known_vr(vr_code(char(p[4]), char(p[5])))) {
      uid = load_u16le(p) >= 1024 ? uids::explicit_vr_be : uids::explicit_vr_le;
    }
    file_.syntax = lookup_transfer_syntax(uid);
    file_.warnings.push_back(std::string(file_.has_meta ? "the meta header has no Transfer Syntax UID"
                                                        : "no meta header") +
                             ": guessed " + file_.syntax.name);
    if (!file_.has_preamble && !file_.has_meta) {
      // Something that is not DICOM at all should say so rather than fail later on odd bytes.
      uint16_t g = file_.syntax.big_endian ? load_u16(p, true) : load_u16le(p);
      if (g == 0 || g > 0x7FE0 || (g & 1))
        return fail(errc::not_dicom, 0, "no DICM prefix, no meta header and no plausible first element");
    }
  }
  deflated_ = file_.syntax.deflated;
  encoding enc{file_.syntax.implicit_vr, file_.syntax.big_endian};
  if (deflated_) {
    z_ = std::make_unique<impl>();
    if (inflateInit2(&z_->zs, -MAX_WBITS) != Z_OK) return fail(errc::deflate_error, pos_, "inflateInit2 failed");
    z_->started = true;
    z_->in_pos = pos_;
    pos_ = 0;
  }
  stack_.clear();
  stack_.push_back({ctx_kind::root, open_end, enc, &file_.body, nullptr, false});
  check_mode_ = true;
  state_ = state::body;
  return parse_status::done;
}

parse_status dataset_reader::finish() {
  state_ = state::done;
  return parse_status::done;
}

parse_status dataset_reader::step_body() {
  for (;;) {
    context& c = stack_.back();
    parse_status s;
    switch (c.kind) {
      case ctx_kind::root:
      case ctx_kind::item: s = step_dataset(c); break;
      case ctx_kind::sequence: s = step_sequence(c); break;
      case ctx_kind::fragments: s = step_fragments(c); break;
    }
    if (s != parse_status::done || state_ != state::body) return s;
  }
}

// pydicom checks at the start of each dataset whether the encoding it was told matches the bytes
// (implicit vs explicit VR) and follows the bytes; so do we, with a warning.
parse_status dataset_reader::check_vr_mode(context& c) {
  check_mode_ = false;
  uint64_t end = std::min(c.end, body_end());
  if (end != open_end && pos_ + 6 > end) return parse_status::done;
  switch (ensure(pos_, 6)) {
    case have::need: check_mode_ = true; return need_status();
    case have::eof: return parse_status::done;
    case have::yes: break;
  }
  const uint8_t* p = at(pos_, 6);
  if (tag_group(make_tag(load_u16(p, c.enc.big_endian), 0)) == 0xFFFE) return parse_status::done;
  bool found_implicit = !looks_like_vr(p + 4);
  if (found_implicit == c.enc.implicit_vr) return parse_status::done;
  if (!found_implicit && !is_known_vr(vr_code(char(p[4]), char(p[5])))) return parse_status::done;
  c.enc.implicit_vr = found_implicit;
  file_.warnings.push_back(std::string("dataset at byte ") + std::to_string(pos_) + " is encoded with " +
                           (found_implicit ? "implicit" : "explicit") + " VR, not as its transfer syntax says");
  return parse_status::done;
}

parse_status dataset_reader::step_dataset(context& c) {
  if (check_mode_) {
    parse_status s = check_vr_mode(c);
    if (s != parse_status::done) return s;
  }
  uint64_t end = c.kind == ctx_kind::root ? body_end() : c.end;
  if (end != open_end && pos_ >= end) {
    if (pos_ > end) return fail(errc::length_beyond_end, pos_, "element runs past the end of its item");
    if (c.kind == ctx_kind::root) return finish();
    stack_.pop_back();
    return parse_status::done;
  }
  if (c.kind == ctx_kind::root && deflated_) {
    // The inflated stream's end is only known once inflate reaches it.
    switch (ensure(pos_, 1)) {
      case have::need: return need_status();
      case have::eof: return state_ == state::failed ? parse_status::failed : finish();
      case have::yes: break;
    }
  }
  element_header h;
  const uint64_t start = pos_;
  parse_status s = read_header(pos_, c.enc, h);
  if (s == parse_status::failed && error_.code == errc::invalid_vr && c.kind == ctx_kind::root && c.ds->elements.size() > 1) {
    // Bytes after the dataset that are not an element: keep what was read, as pydicom does.
    state_ = state::body;
    file_.warnings.push_back("bytes from " + std::to_string(start) + " to the end do not parse as a data element (" +
                             error_.message + "): ignored");
    error_ = {};
    return finish();
  }
  if (s != parse_status::done) return s;
  if (h.tag == tags::item_delimitation) {
    if (c.kind != ctx_kind::item || c.end != open_end)
      return fail(errc::invalid_item, start, "item delimiter outside an item of undefined length");
    pos_ += 8;
    stack_.pop_back();
    return parse_status::done;
  }
  if (tag_group(h.tag) == 0xFFFE) {
    // An item or delimiter where a data element belongs: pydicom reads past it; so do we, and say where.
    if (h.length == undefined_length || h.tag != tags::item)
      h.length = 0;
    const uint64_t skip_end = start + 8 + h.length;
    if (end != open_end && skip_end > end)
      return fail(errc::invalid_item, start, "unexpected " + tag_string(h.tag) + " inside a dataset");
    file_.warnings.push_back("unexpected " + tag_string(h.tag) + " at byte " + std::to_string(start) +
                             " where a data element belongs: skipped " + std::to_string(8 + h.length) + " bytes");
    pos_ = skip_end;
    return parse_status::done;
  }
  if (c.kind == ctx_kind::root && is_pixel_data_tag(h.tag) && deflated_ && h.length != undefined_length) {
    // Deflated files: the frames live in the inflated stream, so the Pixel Data value is inflated
    // with the header (bounded by max_inflated_size).
    switch (ensure(start + h.header_size, h.length)) {
      case have::need: return need_status();
      case have::eof: if (state_ == state::failed) return parse_status::failed; break;
      case have::yes: break;
    }
  }

  dataset& ds = *c.ds;
  ds.elements.emplace_back();
  element& el = ds.elements.back();
  el.tag = h.tag;
  el.vr = h.vr;
  el.length = h.length;
  el.offset = start;
  el.value_offset = start + h.header_size;
  const bool top = c.kind == ctx_kind::root;

  if (h.length == undefined_length) {
    pos_ = el.value_offset;
    if (is_pixel_data_tag(h.tag) && h.vr != vr::SQ && h.vr != vr::UN) {
      // Encapsulated pixel data: a sequence of fragments.
      if (top) {
        record_pixel_data(h, el, true);
        if (opt_.stop_at_pixel_data) return finish();
      }
      stack_.push_back({ctx_kind::fragments, open_end, c.enc, nullptr, &el, top});
      return parse_status::done;
    }
    if (h.vr == vr::SQ || h.vr == vr::UN || c.enc.implicit_vr) {
      // An undefined-length UN is a sequence encoded in implicit VR little endian (PS3.5 6.2.2).
      encoding inner = c.enc;
      if (h.vr == vr::UN) inner = {true, false};
      el.vr = vr::SQ;
      stack_.push_back({ctx_kind::sequence, open_end, inner, nullptr, &el, false});
      return parse_status::done;
    }
    return fail(errc::undefined_length_not_allowed, start,
                tag_string(h.tag) + " " + vr_name(h.vr) + " has undefined length");
  }

  if (h.vr == vr::UN && !(tag_group(h.tag) & 1)) {
    // A standard element written as UN (by a node that did not know it): read it with its
    // dictionary VR, as pydicom does. A UN sequence is implicit VR little endian inside.
    vr_t known = implicit_vr(h.tag);
    if (is_known_vr(known) && known != vr::UN) el.vr = known;
    if (known == vr::SQ) {
      const uint64_t end = el.value_offset + h.length;
      if (end > body_end()) return fail(errc::length_beyond_end, start, tag_string(h.tag) + " runs past the end of the file");
      pos_ = el.value_offset;
      stack_.push_back({ctx_kind::sequence, end, {true, false}, nullptr, &el, false});
      return parse_status::done;
    }
  }
  const uint64_t value_end = el.value_offset + h.length;
  if (top && is_pixel_data_tag(h.tag) && h.vr != vr::SQ && body_end() != open_end && value_end > body_end()) {
    // A truncated Pixel Data: the header is good; only frames past the end cannot be read.
    file_.warnings.push_back(tag_string(h.tag) + " declares " + std::to_string(h.length) + " bytes but the file ends " +
                             std::to_string(value_end - body_end()) + " bytes short of it: frames past the end cannot be read");
    record_pixel_data(h, el, false);
    return finish();
  }
  if (top && body_end() != open_end && value_end > body_end() && ds.elements.size() > 1 &&
      h.tag <= ds.elements[ds.elements.size() - 2].tag) {
    // Not an element (tags ascend in a dataset) and longer than the file: bytes after the
    // dataset (trailing garbage). Keep what was read, as pydicom does, and say so.
    ds.elements.pop_back();
    file_.warnings.push_back("bytes from " + std::to_string(start) + " to the end do not parse as a data element (" +
                             tag_string(h.tag) + " after " + tag_string(ds.elements.back().tag) + ", " +
                             std::to_string(h.length) + " bytes): ignored");
    return finish();
  }
  if ((c.end != open_end && value_end > c.end) || (body_end() != open_end && value_end > body_end())) {
    return fail(errc::length_beyond_end, start,
                tag_string(h.tag) + " declares " + std::to_string(h.length) + " bytes, past the end of its " +
                    (c.kind == ctx_kind::root ? "file" : "item"));
  }
  if (h.length & 1) {
    std::string what = tag_string(h.tag) + " has odd length " + std::to_string(h.length);
    if (opt_.strict_odd_length) return fail(errc::odd_length, start, what);
    if (odd_warnings_++ < 10) file_.warnings.push_back("odd_length at byte " + std::to_string(start) + ": " + what);
  }
  if (h.vr == vr::SQ) {
    pos_ = el.value_offset;
    stack_.push_back({ctx_kind::sequence, value_end, c.enc, nullptr, &el, false});
    return parse_status::done;
  }
  if (top && is_pixel_data_tag(h.tag)) {
    record_pixel_data(h, el, false);
    if (opt_.stop_at_pixel_data) return finish();
    pos_ = value_end;
    return parse_status::done;
  }
  pos_ = el.value_offset;  // read_value needs the element in place; it advances pos_
  element_header as_read = h;
  as_read.vr = el.vr;
  s = read_value(as_read, c.enc, el);
  if (s != parse_status::done) {
    if (s == parse_status::need_bytes) {
      // Retry the whole element once the bytes arrive.
      stack_.back().ds->elements.pop_back();
      pos_ = start;
    }
    return s;
  }
  return parse_status::done;
}

void dataset_reader::record_pixel_data(const element_header& h, element& el, bool encapsulated) {
  auto& px = file_.pixel;
  px = pixel_data_info{};
  px.present = true;
  px.tag = h.tag;
  px.vr = h.vr;
  px.element_offset = el.offset;
  px.value_offset = el.value_offset;
  px.encapsulated = encapsulated;
  if (!encapsulated) px.length = h.length;
  px.in_inflated_stream = deflated_;
  el.bulk = true;  // located, not read
}

parse_status dataset_reader::read_value(const element_header& h, encoding enc, element& el) {
  const bool always_inline = h.tag == tags::extended_offset_table ||
                             h.tag == tags::extended_offset_table_lengths || deflated_;
  if (h.length > opt_.max_inline_value && !always_inline) {
    el.bulk = true;
    pos_ = el.value_offset + h.length;
    return parse_status::done;
  }
  switch (ensure(el.value_offset, h.length)) {
    case have::need: return need_status();
    case have::eof: return fail(errc::truncated, el.offset, "file ends inside " + tag_string(h.tag));
    case have::yes: break;
  }
  const uint8_t* v = at(el.value_offset, h.length);
  el.value.assign(v, v + h.length);
  if (enc.big_endian) swap_values(el.value, swap_unit(el.vr));
  pos_ = el.value_offset + h.length;
  return parse_status::done;
}

parse_status dataset_reader::step_sequence(context& c) {
  if (c.end != open_end && pos_ >= c.end) {
    if (pos_ > c.end) return fail(errc::length_beyond_end, pos_, "item runs past the end of its sequence");
    stack_.pop_back();
    return parse_status::done;
  }
  element_header h;
  const uint64_t start = pos_;
  parse_status s = read_header(pos_, {true, c.enc.big_endian}, h);
  if (s != parse_status::done) return s;
  if (h.tag == tags::sequence_delimitation) {
    pos_ += 8;
    stack_.pop_back();
    return parse_status::done;
  }
  if (h.tag != tags::item)
    return fail(errc::invalid_item, start,
                "expected an item in sequence " + tag_string(c.el->tag) + ", found " + tag_string(h.tag));
  uint64_t item_end = open_end;
  if (h.length != undefined_length) {
    item_end = start + 8 + h.length;
    if (body_end() != open_end && item_end > body_end())
      return fail(errc::length_beyond_end, start,
                  "item of " + std::to_string(h.length) + " bytes runs past the end of the file");
    if (c.end != open_end && item_end > c.end) {
      // A sequence length too short for its items (seen in DICOMDIRs): read the item whole,
      // as pydicom and DCMTK do, and say so.
      file_.warnings.push_back("item at byte " + std::to_string(start) + " runs past the end of sequence " +
                               tag_string(c.el->tag) + "; the sequence length is wrong");
      c.end = item_end;
    }
  }
  if (stack_.size() > 2 * k_max_nesting)
    return fail(errc::value_too_large, start, "sequences nested deeper than " + std::to_string(k_max_nesting) + " levels");
  pos_ = start + 8;
  c.el->items.emplace_back();
  dataset* item = &c.el->items.back();
  encoding enc = c.enc;
  stack_.push_back({ctx_kind::item, item_end, enc, item, nullptr, false});
  check_mode_ = true;
  return parse_status::done;
}

// Walks the items of encapsulated pixel data without reading their values.
parse_status dataset_reader::step_fragments(context& c) {
  element_header h;
  const uint64_t start = pos_;
  parse_status s = read_header(pos_, {true, c.enc.big_endian}, h);
  if (s != parse_status::done) return s;
  if (h.tag == tags::sequence_delimitation) {
    pos_ += 8;
    if (c.top_pixel_data) file_.pixel.fragments_scanned = true;
    stack_.pop_back();
    return parse_status::done;
  }
  if (h.tag != tags::item) return fail(errc::invalid_item, start, "expected a pixel data item, found " + tag_string(h.tag));
  if (h.length == undefined_length)
    return fail(errc::undefined_length_not_allowed, start, "pixel data fragment with undefined length");
  if (body_end() != open_end && start + 8 + h.length > body_end())
    return fail(errc::length_beyond_end, start,
                "pixel data fragment of " + std::to_string(h.length) + " bytes runs past the end of the file");
  if (c.top_pixel_data) file_.pixel.fragments.push_back({start, h.length});
  pos_ = start + 8 + h.length;
  return parse_status::done;
}

}  // namespace lazydcm
