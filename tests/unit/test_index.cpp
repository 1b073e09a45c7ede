#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "index/frame_index.hpp"

using namespace lazydcm;

namespace {
struct opened {
  std::unique_ptr<instance_reader> reader;
  test::fetch_log log;
};

opened open_fixture(const std::string& name, uint64_t first_read = 4096) {
  auto file = test::read_file(test::fixtures_dir() + "/index/" + name + ".dcm");
  opened o;
  o.reader = std::make_unique<instance_reader>(file.size());
  uint64_t n = std::min<uint64_t>(first_read, file.size());
  o.reader->feed(0, file.data(), n);
  o.log.requests = 1;
  o.log.bytes = n;
  REQUIRE(test::serve(*o.reader, file, o.log) == parse_status::done);
  return o;
}
}  // namespace

TEST_CASE("frame index of every fixture: kind, count and each frame's bytes as the generator wrote them") {
  auto manifest = test::read_json(test::fixtures_dir() + "/index.json");
  REQUIRE(manifest.size() >= 9);
  for (auto& [name, expect] : manifest.items()) {
    INFO(name);
    auto file = test::read_file(test::fixtures_dir() + "/index/" + name + ".dcm");
    auto o = open_fixture(name);
    REQUIRE_FALSE(o.reader->index_error().has_value());
    const frame_index* index = o.reader->index();
    REQUIRE(index);
    CHECK(index_kind_name(index->kind) == expect["kind"].get<std::string>());
    const byte_store& store = o.reader->file().pixel.in_inflated_stream ? o.reader->inflated_bytes() : o.reader->bytes();
    if (expect.contains("frames")) {
      REQUIRE(index->frames.size() == expect["frames"].size());
      for (size_t i = 0; i < index->frames.size(); ++i) {
        const auto& loc = index->frames[i];
        const uint8_t* src = o.reader->file().pixel.in_inflated_stream ? store.view(loc.offset, loc.length)
                                                                       : file.data() + loc.offset;
        REQUIRE(src);
        REQUIRE(loc.offset + loc.length <= (o.reader->file().pixel.in_inflated_stream ? loc.offset + loc.length : file.size()));
        std::vector<uint8_t> frame;
        error e = extract_frame(loc, src, size_t(loc.length), frame);
        REQUIRE(e.code == errc::ok);
        CHECK(test::fnv1a(frame.data(), frame.size()) == expect["frames"][i].get<std::string>());
      }
    } else {  // 1-bit frames: compare each bit
      const auto& bits = expect["bits"];
      REQUIRE(index->frames.size() == bits.size());
      for (size_t i = 0; i < bits.size(); ++i) {
        const auto& loc = index->frames[i];
        for (size_t b = 0; b < bits[i].size(); ++b) {
          uint64_t bit = loc.bit_offset + b;
          int v = (file[loc.offset + bit / 8] >> (bit % 8)) & 1;
          REQUIRE(v == bits[i][b].get<int>());
        }
        CHECK(loc.length * 8 >= loc.bit_offset + bits[i].size());
      }
      CHECK(index->frames[1].bit_offset == 1);  // 25-bit frames: the second starts at bit 25
    }
  }
}

TEST_CASE("an index from an offset table or a TIFF table costs no frame bytes") {
  for (const char* name : {"slide_eot", "slide_bot", "slide_tiff", "slide_multifrag_bot"}) {
    INFO(name);
    auto file = test::read_file(test::fixtures_dir() + "/index/" + std::string(name) + ".dcm");
    auto o = open_fixture(name, 2048);
    const frame_index* index = o.reader->index();
    REQUIRE(index);
    // Bytes of frames that were fetched: every fetched byte inside any frame's range.
    uint64_t frame_bytes_fetched = 0;
    for (const auto& f : index->frames) {
      uint64_t held = 0;
      for (uint64_t b = f.offset; b < f.offset + f.length && b < file.size(); ++b)
        held += o.reader->bytes().has(b, 1);
      frame_bytes_fetched += held;
    }
    // The first read (2 KiB, as a client's first Range request) may cover the start of the
    // first frame; nothing beyond it does.
    CHECK(frame_bytes_fetched <= 2048);
    if (std::string(name) == "slide_tiff") {
      // Header, then the IFD and tile arrays at the end: at most two more requests.
      CHECK(o.log.requests <= 3);
    } else {
      CHECK(o.log.requests <= 2);
    }
  }
}

TEST_CASE("the fragment scan reads in large batches, not one request per fragment") {
  auto o = open_fixture("slide_multifrag_scan", 1024);
  // 36 fragments; the whole file is 18 KB, one batch.
  CHECK(o.log.requests <= 2);
  CHECK(o.reader->index()->frames.size() == 12);
  index_options small;
  small.scan_batch = 2048;
  small.max_scan_batch = 4096;
  auto file = test::read_file(test::fixtures_dir() + "/index/slide_multifrag_scan.dcm");
  instance_options io;
  io.index = small;
  instance_reader r(file.size(), io);
  r.feed(0, file.data(), 4096);  // the client's first read holds the header
  test::fetch_log log;
  REQUIRE(test::serve(r, file, log) == parse_status::done);
  REQUIRE(r.index());
  CHECK(r.index()->frames.size() == 12);
  CHECK(log.requests < 12);  // fewer requests than frames, let alone fragments
}

TEST_CASE("extract_frame rejects a range that does not hold the indexed item") {
  frame_location loc;
  loc.offset = 1000;
  loc.length = 16;
  loc.has_item_headers = true;
  loc.expected_length = 8;
  uint8_t good[16] = {0xFE, 0xFF, 0x00, 0xE0, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  std::vector<uint8_t> out;
  CHECK(extract_frame(loc, good, 16, out).code == errc::ok);
  CHECK(out.size() == 8);
  uint8_t wrong_len[16] = {0xFE, 0xFF, 0x00, 0xE0, 6, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(extract_frame(loc, wrong_len, 16, out).code == errc::invalid_offset_table);
  uint8_t not_item[16] = {0x10, 0x00, 0x10, 0x00, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
  auto e = extract_frame(loc, not_item, 16, out);
  CHECK(e.code == errc::invalid_offset_table);
  CHECK(e.offset == 1000);
}

TEST_CASE("pydicom corpus: encapsulated files get a frame per NumberOfFrames") {
  const std::string dir = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
  struct { const char* name; size_t frames; } cases[] = {
      {"SC_rgb_rle_2frame.dcm", 2}, {"JPEG2000.dcm", 1}, {"MR_small_RLE.dcm", 1}, {"SC_rgb_jpeg_gdcm.dcm", 1},
      {"emri_small_jpeg_2k_lossless.dcm", 0}};
  for (auto& c : cases) {
    auto file = test::read_file(dir + c.name);
    if (file.empty()) continue;
    INFO(c.name);
    instance_reader r(file.size());
    test::fetch_log log;
    REQUIRE(test::serve(r, file, log) == parse_status::done);
    REQUIRE_FALSE(r.index_error().has_value());
    CHECK(r.index()->frames.size() == c.frames);
  }
}

namespace {
// Three frames of 5, 6 and 7 bytes ("JPEG-like": FFD8 first), each in an item padded to even
// length, an empty BOT, and an Extended Offset Table with the frames' own (unpadded) lengths and
// the given offsets: what pydicom/highdicom write.
std::vector<uint8_t> eot_file(const std::vector<uint64_t>& offsets) {
  const std::vector<std::string> frames = {"\xFF\xD8" "abc", "\xFF\xD8" "abcd", "\xFF\xD8" "abcde"};
  test::writer w;
  w.file_start("1.2.840.10008.1.2.4.50");
  w.image("3", 1, 1, 8);
  std::string eot, eotl;
  for (size_t i = 0; i < 3; ++i)
    for (int b = 0; b < 8; ++b) {
      eot.push_back(char(offsets[i] >> (8 * b)));
      eotl.push_back(char(uint64_t(frames[i].size()) >> (8 * b)));
    }
  w.element(0x7FE00001, "OV", eot);
  w.element(0x7FE00002, "OV", eotl);
  w.header(0x7FE00010, "OB", undefined_length);
  w.header(0xFFFEE000, "", 0);
  for (const auto& f : frames) {
    std::string v = f.size() & 1 ? f + std::string(1, '\0') : f;
    w.header(0xFFFEE000, "", uint32_t(v.size()));
    w.raw(v);
  }
  w.header(0xFFFEE0DD, "", 0);
  return w.out;
}

std::unique_ptr<instance_reader> read_all(const std::vector<uint8_t>& file) {
  auto r = std::make_unique<instance_reader>(file.size());
  r->feed(0, file.data(), file.size());
  REQUIRE(r->step() == parse_status::done);
  REQUIRE(r->index());
  return r;
}

std::string frame_bytes(const instance_reader& r, const std::vector<uint8_t>& file, size_t i, error& e) {
  const frame_location& loc = r.index()->frames[i];
  std::vector<uint8_t> out;
  e = extract_frame(loc, file.data() + loc.offset, size_t(loc.length), out);
  return std::string(out.begin(), out.end());
}
}  // namespace

TEST_CASE("byte_store::erase drops a range and keeps both sides") {
  byte_store b;
  std::vector<uint8_t> v(100);
  for (size_t i = 0; i < v.size(); ++i) v[i] = uint8_t(i);
  b.add(1000, v.data(), v.size());
  b.erase(1010, 1090);
  CHECK(b.bytes_held() == 20);
  REQUIRE(b.view(1000, 10));
  CHECK(b.view(1000, 10)[9] == 9);
  REQUIRE(b.view(1090, 10));
  CHECK(b.view(1090, 10)[0] == 90);
  CHECK(!b.has(1009, 2));
  b.erase(0, 5000);
  CHECK(b.bytes_held() == 0);
}

TEST_CASE("Extended Offset Table with odd frame lengths (highdicom, pydicom >= 2.4): each frame without its pad byte") {
  auto file = eot_file({0, 8 + 6, 8 + 6 + 8 + 6});
  auto r = read_all(file);
  CHECK(r->index()->kind == index_kind::extended_offset_table);
  error e;
  CHECK(frame_bytes(*r, file, 0, e) == "\xFF\xD8" "abc");
  CHECK(e.code == errc::ok);
  CHECK(frame_bytes(*r, file, 1, e) == "\xFF\xD8" "abcd");
  CHECK(frame_bytes(*r, file, 2, e) == "\xFF\xD8" "abcde");
  CHECK(e.code == errc::ok);
}

TEST_CASE("pydicom 2.3's Extended Offset Table (offsets without pad bytes) is recognised and not used") {
  auto file = eot_file({0, 8 + 5, 8 + 5 + 8 + 6});
  auto r = read_all(file);
  CHECK(r->index()->kind == index_kind::fragment_scan);
  REQUIRE(!r->index()->notes.empty());
  CHECK(r->index()->notes.front().find("pydicom < 2.4") != std::string::npos);
  error e;
  // The scan knows items, not frames: the pad byte stays (as pydicom returns the item's value).
  CHECK(frame_bytes(*r, file, 2, e) == std::string("\xFF\xD8" "abcde\0", 8));
}

TEST_CASE("a table that points at the wrong bytes: the frame read says invalidOffsetTable, reindex() uses the next method") {
  // Offsets that are consistent with the lengths but all 2 bytes off.
  auto file = eot_file({2, 2 + 8 + 6, 2 + 8 + 6 + 8 + 6});
  auto r = read_all(file);
  REQUIRE(r->index()->kind == index_kind::extended_offset_table);
  error e;
  frame_bytes(*r, file, 0, e);
  REQUIRE(e.code == errc::invalid_offset_table);
  REQUIRE(r->reindex(e.message));
  // The pixel bytes the first index read were dropped: the scan asks for them again (sans-IO).
  parse_status st;
  while ((st = r->step()) == parse_status::need_bytes) r->feed(r->need().offset, file.data() + r->need().offset, size_t(r->need().length));
  REQUIRE(st == parse_status::done);
  CHECK(r->index()->kind == index_kind::fragment_scan);
  CHECK(r->index()->notes.back().find("Extended Offset Table ignored") != std::string::npos);
  CHECK(frame_bytes(*r, file, 1, e) == "\xFF\xD8" "abcd");
  CHECK(!r->reindex("again"));  // a fragment scan is not a table: nothing left to fall back to
}

TEST_CASE("an index snapshot restores the same index with no index reads, and a damaged or foreign one is refused") {
  for (const char* name : {"slide_eot", "slide_bot", "slide_scan", "slide_tiff", "slide_multifrag_scan", "native16", "native1bit"}) {
    INFO(name);
    auto built = open_fixture(name);
    const std::vector<uint8_t> snap = built.reader->index_snapshot();
    REQUIRE(!snap.empty());
    auto file = test::read_file(test::fixtures_dir() + "/index/" + std::string(name) + ".dcm");
    // Reopen: the header's bytes only (everything before the pixel data's value), no index built.
    instance_options o;
    o.build_index = false;
    instance_reader again(file.size(), o);
    const uint64_t header_end = built.reader->file().pixel.value_offset;
    again.feed(0, file.data(), size_t(header_end));
    REQUIRE(again.step() == parse_status::done);
    REQUIRE(again.index() == nullptr);
    REQUIRE(again.restore_index(snap.data(), snap.size()));
    REQUIRE(again.step() == parse_status::done);
    REQUIRE(again.index());
    const frame_index& a = *built.reader->index();
    const frame_index& b = *again.index();
    CHECK(a.kind == b.kind);
    REQUIRE(a.frames.size() == b.frames.size());
    for (size_t i = 0; i < a.frames.size(); ++i) {
      CHECK(a.frames[i].offset == b.frames[i].offset);
      CHECK(a.frames[i].length == b.frames[i].length);
      CHECK(a.frames[i].bit_offset == b.frames[i].bit_offset);
      CHECK(a.frames[i].has_item_headers == b.frames[i].has_item_headers);
      CHECK(a.frames[i].expected_length == b.frames[i].expected_length);
    }
    CHECK(b.notes.back() == "index restored from the persistent cache");
  }

  auto built = open_fixture("slide_bot");
  const std::vector<uint8_t> snap = built.reader->index_snapshot();
  auto file = test::read_file(test::fixtures_dir() + "/index/slide_bot.dcm");
  auto refused = [&](std::vector<uint8_t> bytes, uint64_t size, const std::string& why) {
    instance_options o;
    o.build_index = false;
    instance_reader r(size, o);
    r.feed(0, file.data(), std::min<size_t>(file.size(), size_t(size)));
    if (r.step() != parse_status::done) return false;
    const bool ok = r.restore_index(bytes.data(), bytes.size());
    INFO(r.failure().message);
    CHECK(r.failure().code == (ok ? errc::ok : errc::invalid_argument));
    CHECK(r.failure().message.find(why) != std::string::npos);
    // The index is then built as usual.
    r.build_index();
    CHECK(r.step() == parse_status::done);
    CHECK(r.index());
    return !ok;
  };
  CHECK(refused(std::vector<uint8_t>(snap.begin(), snap.end() - 1), file.size(), "checksum"));
  auto moved = snap;
  moved[moved.size() - 8 - 22] ^= 0x40;  // the last frame's offset
  CHECK(refused(moved, file.size(), "checksum"));
  auto foreign = snap;
  foreign[0] = 'X';
  CHECK(refused(foreign, file.size(), "not an index snapshot"));
  CHECK(refused(snap, file.size() + 2, "saved for a file of"));
  // Another image's index (another frame count) for this header.
  auto other = open_fixture("slide_scan").reader->index_snapshot();
  if (test::read_file(test::fixtures_dir() + "/index/slide_scan.dcm").size() == file.size()) {
    CHECK(refused(other, file.size(), "frames, the header says"));
  }
}

TEST_CASE("no snapshot where there is nothing to keep: deflated pixel data") {
  auto built = open_fixture("deflated");
  CHECK(built.reader->index_snapshot().empty());
}
