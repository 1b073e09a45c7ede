// Declared sizes that would allocate gigabytes (issue 19's hostile files): each is refused with a
// coded error before anything is sized by it. Before these guards each one aborted the process
// (std::length_error / bad_alloc; in WASM "lazydcm: undefined") or spent seconds and gigabytes.
#include <catch2/catch.hpp>

#include <chrono>

#include "helpers.hpp"
#include "codec/codec.hpp"
#include "image/total_pixel_matrix.hpp"
#include "pixel/transform.hpp"

using namespace lazydcm;

namespace {
std::unique_ptr<instance_reader> read(const std::vector<uint8_t>& file) {
  auto r = std::make_unique<instance_reader>(file.size());
  r->feed(0, file.data(), file.size());
  REQUIRE(r->step() == parse_status::done);
  return r;
}

dataset parse_dataset(const std::vector<uint8_t>& file) {
  parse_options o;
  o.stop_at_pixel_data = false;
  dataset_reader r(file.size(), o);
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  return r.result().body;
}
}  // namespace

TEST_CASE("DICOM JSON declaring 2^31 frames: an error, not a 64 GiB frame table") {
  auto ds = from_json_text(R"({"00280008": {"vr": "IS", "Value": [2147483648]}, "00280010": {"vr": "US", "Value": [8]},
    "00280011": {"vr": "US", "Value": [8]}, "00280100": {"vr": "US", "Value": [8]}, "7FE00010": {"vr": "OB"}})");
  REQUIRE(ds.ok());
  auto r = instance_reader::from_metadata(std::move(ds.value()), "1.2.840.10008.1.2.4.50");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::value_too_large);
}

TEST_CASE("DICOM JSON numbers out of range for US/UL are errors, not float-to-int conversions") {
  for (const char* value : {"1e30", "-1.5e300", "-31.4", "65536", "-1"}) {
    INFO(value);
    auto ds = from_json_text(std::string(R"({"00280010": {"vr": "US", "Value": [)") + value + "]}}");
    CHECK_FALSE(ds.ok());
  }
  auto ul = from_json_text(R"({"00081160": {"vr": "UL", "Value": [4294967296]}})");
  CHECK_FALSE(ul.ok());
  auto ok = from_json_text(R"({"00280010": {"vr": "US", "Value": [65535.0]}})");
  CHECK(ok.ok());
}

TEST_CASE("Rows x Columns at their maximum in a JPEG file: an error before a 12.9 GB frame is sized") {
  test::writer w;
  w.file_start("1.2.840.10008.1.2.4.50");
  w.us(0x00280002, 3);
  w.image("1", 65535, 65535, 8);
  w.header(0x7FE00010, "OB", 0xFFFFFFFFu);
  w.header(0xFFFEE000, "", 0);
  w.header(0xFFFEE000, "", 4);
  w.u32(0xE0FFD8FF);
  w.header(0xFFFEE0DD, "", 0);
  auto r = read(w.out);
  REQUIRE(r->index_error().has_value());
  CHECK(r->index_error()->code == errc::value_too_large);
}

TEST_CASE("an encapsulated file declaring more frames than its bytes can hold: an error before the table") {
  test::writer w;
  w.file_start("1.2.840.10008.1.2.4.50");
  w.image("4000000", 8, 8, 8);
  w.header(0x7FE00010, "OB", 0xFFFFFFFFu);
  w.header(0xFFFEE000, "", 0);
  w.header(0xFFFEE000, "", 4);
  w.u32(0xE0FFD8FF);
  w.header(0xFFFEE0DD, "", 0);
  auto r = read(w.out);
  REQUIRE(r->index_error().has_value());
  CHECK(r->index_error()->code == errc::truncated);
}

TEST_CASE("a concatenation part of a TILED_FULL matrix of 4 billion declared tiles lays out only its own") {
  test::writer w;
  w.file_start("1.2.840.10008.1.2.1");
  w.element(0x00209161, "UI", "1.2.3.4");         // Concatenation UID
  w.us(0x00209162, 1);                              // In-concatenation Number
  w.image("4", 1, 1, 8);
  w.header(0x00209228, "UL", 4); w.u32(8);          // Concatenation Frame Offset Number
  w.element(0x00209311, "CS", "TILED_FULL");
  w.header(0x00480006, "UL", 4); w.u32(65536);      // Total Pixel Matrix Columns
  w.header(0x00480007, "UL", 4); w.u32(65536);      // Total Pixel Matrix Rows
  auto ds = parse_dataset(w.out);
  const auto t0 = std::chrono::steady_clock::now();
  auto layout = read_tile_layout(ds, {});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(layout.ok());
  CHECK(layout->tiles.size() == 4);
  CHECK(layout->tiles[0].column == 8);
  CHECK(seconds < 1.0);  // was 14 s and 3 GiB listing every declared tile
}

TEST_CASE("a segmented palette LUT whose segments fan out past 65,536 entries is malformed, not 2 GiB") {
  // Red/green/blue: a discrete start, then linear segments of 65,535 entries each.
  std::vector<uint16_t> seg = {0, 1, 5};
  for (int k = 0; k < 40; ++k) for (uint16_t v : {uint16_t(1), uint16_t(65535), uint16_t(k & 1 ? 10 : 200)}) seg.push_back(v);
  std::string bytes(reinterpret_cast<const char*>(seg.data()), seg.size() * 2);
  std::string descriptor("\0\0\0\0\x10\0", 6);
  test::writer w;
  w.file_start("1.2.840.10008.1.2.1");
  w.us(0x00280002, 1);
  w.element(0x00280004, "CS", "PALETTE COLOR ");
  w.image("1", 1, 1, 16);
  for (int c = 0; c < 3; ++c) {
    w.element(0x00281101 + uint32_t(c), "US", descriptor);
    w.element(0x00281221 + uint32_t(c), "OW", bytes);
  }
  auto ds = parse_dataset(w.out);
  auto t = build_pixel_transform(ds, 0, {});
  REQUIRE_FALSE(t.ok());
  CHECK(t.err().code == errc::invalid_value);
}

TEST_CASE("a J2K codestream declaring a size other than the frame's is refused before decoding") {
  // mr16_j2k's codestream with its SIZ rewritten to one 8,192,064 x 64 tile (a 25 KB file of this
  // kind took 22 s and 665 MB to decode before the sizes were compared).
  auto file = test::read_file(test::fixtures_dir() + "/codec/mr16_j2k.dcm");
  auto r = std::make_unique<instance_reader>(file.size());
  r->feed(0, file.data(), file.size());
  REQUIRE(r->step() == parse_status::done);
  REQUIRE(r->index());
  const frame_location& loc = r->index()->frames[0];
  std::vector<uint8_t> codestream;
  REQUIRE(extract_frame(loc, file.data() + loc.offset, size_t(loc.length), codestream).code == errc::ok);
  REQUIRE(codestream.size() > 48);
  REQUIRE((codestream[2] == 0xFF && codestream[3] == 0x51));  // SIZ
  auto put32 = [&](size_t at, uint32_t v) { for (int b = 0; b < 4; ++b) codestream[at + size_t(b)] = uint8_t(v >> (24 - 8 * b)); };
  put32(8, 8192064);   // Xsiz
  put32(12, 64);       // Ysiz
  put32(16, 0);        // XOsiz
  put32(20, 0);        // YOsiz
  put32(24, 8192064);  // XTsiz
  put32(28, 64);       // YTsiz
  frame_info info;
  info.rows = info.columns = 64;
  info.bits_allocated = info.bits_stored = 16;
  std::vector<uint8_t> out(64 * 64 * 2);
  decode_report report;
  const auto t0 = std::chrono::steady_clock::now();
  error e = decode_frame("1.2.840.10008.1.2.4.90", codestream.data(), codestream.size(), info, out.data(), out.size(), report);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(e.code != errc::ok);
  CHECK(seconds < 1.0);
}

TEST_CASE("100,000 nested undefined-length sequences: value_too_large at the 257th level, no deep recursion") {
  test::writer w;
  w.file_start("1.2.840.10008.1.2.1");
  w.element(0x00080016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  const size_t first = w.out.size();
  for (int i = 0; i < 100000; ++i) {
    w.header(0x0040A730, "SQ", 0xFFFFFFFF);
    w.header(0xFFFEE000, "", 0xFFFFFFFF);
  }
  for (int i = 0; i < 100000; ++i) {
    w.header(0xFFFEE00D, "", 0);
    w.header(0xFFFEE0DD, "", 0);
  }
  dataset_reader r(w.out.size());
  r.feed(0, w.out.data(), w.out.size());
  REQUIRE(r.step() == parse_status::failed);
  CHECK(r.failure().code == errc::value_too_large);
  CHECK(r.failure().offset == first + 256 * 20 + 12);  // the item in the 257th sequence (12 + 8 bytes a level)
}
