#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace lazydcm;

namespace {
// Reads a whole buffer; returns the error (code ok when it parsed).
error parse(const std::vector<uint8_t>& file, bool strict = true) {
  parse_options opt;
  opt.stop_at_pixel_data = false;
  opt.strict_odd_length = strict;
  dataset_reader r(file.size(), opt);
  test::fetch_log log;
  auto s = test::serve(r, file, log, 0, 100000);
  REQUIRE(s != parse_status::need_bytes);
  return s == parse_status::failed ? r.failure() : error{};
}

test::writer explicit_file() {
  test::writer w;
  w.file_start(uids::explicit_vr_le);
  w.element(0x00080060, "CS", "CT");
  return w;
}
}  // namespace

TEST_CASE("truncated files fail with truncated and the offset where the data stops") {
  auto file = test::read_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");
  int errors = 0;
  for (size_t cut : {140u, 200u, 333u, 777u, 1500u, 2000u}) {
    INFO("cut at " << cut);
    std::vector<uint8_t> part(file.begin(), file.begin() + cut);
    error e = parse(part);
    REQUIRE(e.code != errc::ok);
    CHECK((e.code == errc::truncated || e.code == errc::length_beyond_end));
    REQUIRE(e.has_offset());
    CHECK(e.offset < cut);
    ++errors;
  }
  CHECK(errors == 6);
}

TEST_CASE("a truncated Pixel Data: the header reads, with a warning (pydicom reads it too)") {
  auto file = test::read_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");
  for (size_t cut : {6400u, 7000u, 20000u}) {
    INFO("cut at " << cut);
    dataset_reader r(cut);
    r.feed(0, file.data(), cut);
    REQUIRE(r.step() == parse_status::done);
    CHECK(r.result().pixel.present);
    CHECK(r.result().body.string(tags::rows).has_value());
    REQUIRE(!r.result().warnings.empty());
    CHECK(r.result().warnings.back().find("frames past the end cannot be read") != std::string::npos);
  }
}

TEST_CASE("a length past the end of the file: error, no allocation of the declared size") {
  auto w = explicit_file();
  w.header(0x00420011, "OB", 0xFFFFFFF0u);  // "4 GB" value in a tiny file
  w.u32(0);
  size_t at = 128 + 4 + 8 + 20 + 10;  // preamble, DICM, TS element, CS element
  error e = parse(w.out);
  CHECK(e.code == errc::length_beyond_end);
  CHECK(e.offset == at);
}

TEST_CASE("odd lengths are an error with the element offset") {
  auto w = explicit_file();
  size_t at = w.out.size();
  w.element(0x00100010, "PN", "Odd");
  CHECK(parse(w.out).code == errc::odd_length);
  CHECK(parse(w.out).offset == at);
  // By default odd lengths are read (as pydicom and DCMTK do) and reported with the offset.
  dataset_reader r(w.out.size());
  r.feed(0, w.out.data(), w.out.size());
  REQUIRE(r.step() == parse_status::done);
  CHECK(std::string(r.result().body.find(0x00100010)->raw_string()) == "Odd");
  REQUIRE(r.result().warnings.size() == 1);
  CHECK(r.result().warnings[0].find("odd_length at byte " + std::to_string(at)) == 0);
}

TEST_CASE("undefined length where it is not allowed") {
  auto w = explicit_file();
  size_t at = w.out.size();
  w.header(0x00204000, "UT", 0xFFFFFFFFu);
  w.raw("abcd");
  error e = parse(w.out);
  CHECK(e.code == errc::undefined_length_not_allowed);
  CHECK(e.offset == at);
}

TEST_CASE("bytes that are not a VR in an explicit VR dataset") {
  auto w = explicit_file();
  size_t at = w.out.size();
  w.tag(0x00100010);
  w.raw("zz");
  w.u16(4);
  w.raw("abcd");
  error e = parse(w.out);
  CHECK(e.code == errc::invalid_vr);
  CHECK(e.offset == at + 4);
}

TEST_CASE("an item running past its sequence, and a non-item inside a sequence") {
  {
    auto w = explicit_file();
    w.header(0x00081140, "SQ", 16);
    size_t item = w.out.size();
    w.header(0xFFFEE000, "", 100);  // item longer than the sequence
    w.out.resize(w.out.size() + 8, 0);
    error e = parse(w.out);
    CHECK(e.code == errc::length_beyond_end);
    CHECK(e.offset == item);
  }
  {
    auto w = explicit_file();
    w.header(0x00081140, "SQ", 0xFFFFFFFFu);
    size_t bad = w.out.size();
    w.element(0x00100010, "PN", "Doe^");
    error e = parse(w.out);
    CHECK(e.code == errc::invalid_item);
    CHECK(e.offset == bad);
  }
}

TEST_CASE("deeply nested undefined-length sequences that never end: truncated, no hang") {
  auto w = explicit_file();
  for (int i = 0; i < 100; ++i) {
    w.header(0x00081140, "SQ", 0xFFFFFFFFu);
    w.header(0xFFFEE000, "", 0xFFFFFFFFu);
  }
  error e = parse(w.out);
  CHECK(e.code == errc::truncated);
  // Nesting beyond any real file is refused before it can exhaust the stack.
  for (int i = 0; i < 100000; ++i) {
    w.header(0x00081140, "SQ", 0xFFFFFFFFu);
    w.header(0xFFFEE000, "", 0xFFFFFFFFu);
  }
  CHECK(parse(w.out).code == errc::value_too_large);
}

TEST_CASE("not DICOM at all") {
  std::vector<uint8_t> junk(300);
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = uint8_t(0xF1 + i * 13);
  CHECK(parse(junk).code == errc::not_dicom);
  CHECK(parse(std::vector<uint8_t>(4, 0)).code == errc::not_dicom);
}

TEST_CASE("a missing meta header is read by guessing, with a warning") {
  test::writer w;  // no preamble, no meta: explicit VR little endian dataset
  w.element(0x00080060, "CS", "MR");
  w.element(0x00100010, "PN", "Doe^Jane");
  dataset_reader r(w.out.size());
  r.feed(0, w.out.data(), w.out.size());
  REQUIRE(r.step() == parse_status::done);
  CHECK(r.result().body.string(0x00100010).value() == "Doe^Jane");
  CHECK_FALSE(r.result().warnings.empty());
}

TEST_CASE("a garbage deflate stream gives deflate_error") {
  test::writer w;
  w.file_start(uids::deflated_explicit_vr_le);
  for (int i = 0; i < 64; ++i) w.out.push_back(uint8_t(0xFF - i));
  error e = parse(w.out);
  CHECK(e.code == errc::deflate_error);
}

TEST_CASE("lying image attributes and offset tables do not allocate or crash") {
  // Native pixel data claiming 2^31 frames.
  auto w = explicit_file();
  w.image("2147483647", 512, 512, 16);
  w.header(0x7FE00010, "OW", 16);
  w.out.resize(w.out.size() + 16, 0);
  instance_reader r(w.out.size());
  r.feed(0, w.out.data(), w.out.size());
  REQUIRE(r.step() == parse_status::done);
  REQUIRE(r.index_error().has_value());
  CHECK(r.index_error()->code == errc::value_too_large);  // above the frame limit, before any table is made
}

TEST_CASE("a Basic Offset Table pointing past the end falls back to the fragment scan") {
  auto w = explicit_file();
  w.image("2", 8, 8, 8);
  w.header(0x7FE00010, "OB", 0xFFFFFFFFu);
  w.header(0xFFFEE000, "", 8);
  w.u32(0);
  w.u32(0x7FFFFFF0);  // lies
  for (int f = 0; f < 2; ++f) {
    w.header(0xFFFEE000, "", 4);
    w.u32(0xE0FFD8FF);
  }
  w.header(0xFFFEE0DD, "", 0);
  instance_reader r(w.out.size());
  test::fetch_log log;
  REQUIRE(test::serve(r, w.out, log) == parse_status::done);
  REQUIRE_FALSE(r.index_error().has_value());
  CHECK(r.index()->kind == index_kind::fragment_scan);
  CHECK(r.index()->frames.size() == 2);
  CHECK_FALSE(r.index()->notes.empty());
}

TEST_CASE("fragments fewer than frames: frame_count_mismatch with the offset") {
  auto w = explicit_file();
  w.image("3", 8, 8, 8);
  w.header(0x7FE00010, "OB", 0xFFFFFFFFu);
  w.header(0xFFFEE000, "", 0);
  w.header(0xFFFEE000, "", 4);
  w.u32(0xE0FFD8FF);
  w.header(0xFFFEE0DD, "", 0);
  instance_reader r(w.out.size());
  test::fetch_log log;
  REQUIRE(test::serve(r, w.out, log) == parse_status::done);
  REQUIRE(r.index_error().has_value());
  CHECK(r.index_error()->code == errc::frame_count_mismatch);
  CHECK(r.index_error()->has_offset());
}

TEST_CASE("random corruption of real files never crashes or hangs") {
  std::mt19937 rng(99);
  const std::string dir = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
  for (const char* name : {"CT_small.dcm", "MR_small_RLE.dcm", "JPEG2000.dcm", "image_dfl.dcm", "rtplan.dcm"}) {
    auto orig = test::read_file(dir + name);
    for (int k = 0; k < 150; ++k) {
      auto file = orig;
      int flips = 1 + int(rng() % 8);
      for (int i = 0; i < flips; ++i) file[132 + rng() % (file.size() - 132)] = uint8_t(rng());
      if (k % 3 == 0) file.resize(132 + rng() % (file.size() - 132));
      instance_reader r(file.size());
      test::fetch_log log;
      auto s = test::serve(r, file, log, 0, 1 << 20);
      REQUIRE(s != parse_status::need_bytes);
      if (s == parse_status::failed) {
        REQUIRE(r.failure().code != errc::ok);
      }
    }
  }
}
