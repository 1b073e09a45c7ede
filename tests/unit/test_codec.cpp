// Every codec fixture (tests/fixtures/codecs.py: files made by GDCM, DCMTK and OpenJPH) decodes
// to the stored values an independent decoder returns (pydicom+GDCM, or ojph_expand for HTJ2K).
#include <catch2/catch.hpp>
#include <set>

#include "codec/codec.hpp"
#include "helpers.hpp"
#include "image/frames.hpp"

using namespace lazydcm;

namespace {
struct decoded_file {
  std::vector<std::vector<uint8_t>> frames;
  decode_report report;
};

decoded_file decode_all(const std::vector<uint8_t>& file) {
  instance_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  INFO((r.index_error() ? r.index_error()->to_string() : std::string()));
  REQUIRE_FALSE(r.index_error().has_value());
  auto image = read_image_info(r.file().body, r.file().pixel);
  REQUIRE(image.ok());
  decoded_file out;
  const byte_store& store = r.file().pixel.in_inflated_stream ? r.inflated_bytes() : r.bytes();
  for (const auto& loc : r.index()->frames) {
    const uint8_t* range = store.view(loc.offset, loc.length);
    if (!range) range = file.data() + loc.offset;  // whole file held: any range is in it
    std::vector<uint8_t> frame;
    error e = decode_stored_frame(r.file(), image.value(), loc, range, size_t(loc.length), frame, out.report);
    INFO(e.to_string());
    REQUIRE(e.code == errc::ok);
    out.frames.push_back(std::move(frame));
  }
  return out;
}
}  // namespace

TEST_CASE("every codec fixture decodes to the independent reference's stored values") {
  auto manifest = test::read_json(test::fixtures_dir() + "/codec.json");
  REQUIRE(manifest.size() >= 40);
  std::set<std::string> syntaxes;
  for (auto& [name, m] : manifest.items()) {
    INFO(name << " (" << m["transfer_syntax"].get<std::string>() << ", reference " << m["reference"].get<std::string>() << ")");
    auto file = test::read_file(test::fixtures_dir() + "/codec/" + m["file"].get<std::string>());
    auto expected = test::read_npy(test::fixtures_dir() + "/codec/" + name + ".npy");
    auto got = decode_all(file);
    REQUIRE(got.frames.size() == m["frames"].get<size_t>());
    size_t frame_bytes = expected.data.size() / got.frames.size();
    for (size_t f = 0; f < got.frames.size(); ++f) {
      INFO("frame " << f);
      REQUIRE(got.frames[f].size() == frame_bytes);
      const uint8_t* want = expected.data.data() + f * frame_bytes;
      size_t first = 0;
      while (first < frame_bytes && got.frames[f][first] == want[first]) ++first;
      INFO("first difference at byte " << first);
      CHECK(first == frame_bytes);
    }
    syntaxes.insert(m["transfer_syntax"].get<std::string>());
  }
  // Every decodable transfer syntax family is covered.
  for (const char* ts : {"1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.5",
                         "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.57",
                         "1.2.840.10008.1.2.4.70", "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81",
                         "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201",
                         "1.2.840.10008.1.2.4.203", "1.2.840.10008.1.2.4.110", "1.2.840.10008.1.2.4.111",
                         "1.2.840.10008.1.2.4.112"})
    CHECK(syntaxes.count(ts) == 1);
}

TEST_CASE("an unsupported transfer syntax is named in the error") {
  frame_info info;
  info.rows = info.columns = 2;
  std::vector<uint8_t> dst(4);
  decode_report report;
  uint8_t src[4] = {0};
  error e = decode_frame("1.2.840.10008.1.2.4.100", src, 4, info, dst.data(), dst.size(), report);
  CHECK(e.code == errc::unsupported_transfer_syntax);
  CHECK(e.message.find("1.2.840.10008.1.2.4.100") != std::string::npos);
}

TEST_CASE("corrupt codestreams give errors, never crashes") {
  auto manifest = test::read_json(test::fixtures_dir() + "/codec.json");
  std::mt19937 rng(5);
  int errors = 0, runs = 0;
  for (auto& [name, m] : manifest.items()) {
    auto file = test::read_file(test::fixtures_dir() + "/codec/" + m["file"].get<std::string>());
    instance_reader r(file.size());
    r.feed(0, file.data(), file.size());
    REQUIRE(r.step() == parse_status::done);
    if (!r.index() || r.file().pixel.in_inflated_stream) continue;
    auto image = read_image_info(r.file().body, r.file().pixel);
    const auto& loc = r.index()->frames[0];
    std::vector<uint8_t> encoded;
    REQUIRE(extract_frame(loc, file.data() + loc.offset, size_t(loc.length), encoded).code == errc::ok);
    frame_info info = make_frame_info(r.file(), image.value(), loc);
    std::vector<uint8_t> dst(size_t(stored_frame_size(info)));
    for (int k = 0; k < 40; ++k) {
      auto bad = encoded;
      if (k % 4 == 0) bad.resize(rng() % (bad.size() + 1));             // truncated
      else if (k % 4 == 1) for (auto& b : bad) b = uint8_t(rng());      // garbage
      else for (int i = 0; i < 1 + k % 7; ++i) if (!bad.empty()) bad[rng() % bad.size()] ^= uint8_t(1 + rng() % 255);
      frame_info wrong = info;
      if (k % 10 == 9) wrong.rows += 1;                                   // wrong size
      decode_report report;
      error e = decode_frame(r.file().syntax.uid, bad.data(), bad.size(), wrong, dst.data(), dst.size(), report);
      errors += e.code != errc::ok;
      ++runs;
    }
  }
  CHECK(runs > 1000);
  CHECK(errors > runs / 3);
}

TEST_CASE("1-bit frames that start mid-byte decode to the generator's bits") {
  auto manifest = test::read_json(test::fixtures_dir() + "/index.json");
  const auto& bits = manifest["native1bit"]["bits"];
  auto file = test::read_file(test::fixtures_dir() + "/index/native1bit.dcm");
  auto got = decode_all(file);
  REQUIRE(got.frames.size() == bits.size());
  for (size_t f = 0; f < bits.size(); ++f) {
    REQUIRE(got.frames[f].size() == bits[f].size());
    for (size_t i = 0; i < bits[f].size(); ++i) CHECK(int(got.frames[f][i]) == bits[f][i].get<int>());
  }
}

namespace {
// Frame 1 of a codec fixture: its encoded bytes and frame description.
struct first_frame {
  std::vector<uint8_t> encoded;
  frame_info info;
};
first_frame encoded_first_frame(const std::string& name) {
  auto manifest = test::read_json(test::fixtures_dir() + "/codec.json");
  auto file = test::read_file(test::fixtures_dir() + "/codec/" + manifest[name]["file"].get<std::string>());
  instance_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  auto image = read_image_info(r.file().body, r.file().pixel);
  REQUIRE(image.ok());
  const auto& loc = r.index()->frames[0];
  first_frame out;
  REQUIRE(extract_frame(loc, file.data() + loc.offset, size_t(loc.length), out.encoded).code == errc::ok);
  out.info = make_frame_info(r.file(), image.value(), loc);
  return out;
}
}  // namespace

TEST_CASE("HTJ2K frames go to OpenJPH; what it leaves goes to OpenJPEG, named in the report") {
  const char* ht = "1.2.840.10008.1.2.4.201";
  for (const char* name : {"mr16_htj2k", "rgb8x2_htj2k", "rgb8x2_htj2k_lossy"}) {
    INFO(name);
    auto got = decode_all(test::read_file(test::fixtures_dir() + "/codec/" + name + ".dcm"));
    CHECK(got.report.decoder.rfind("OpenJPH 0.31.0", 0) == 0);
  }
  // Reduced resolution through OpenJPH equals `ojph_expand -skip_res 1,1`.
  {
    auto f = encoded_first_frame("mr16_htj2k");
    auto half = test::read_npy(test::fixtures_dir() + "/codec/mr16_htj2k_reduce1.npy");
    decode_options options;
    options.reduce = 1;
    std::vector<uint8_t> dst(size_t(stored_frame_size(f.info, 1)));
    decode_report report;
    REQUIRE(decode_frame(ht, f.encoded.data(), f.encoded.size(), f.info, dst.data(), dst.size(), report, options).code == errc::ok);
    CHECK(report.decoder.rfind("OpenJPH", 0) == 0);
    CHECK(report.rows == (f.info.rows + 1) / 2);
    CHECK(dst == half.data);
  }
  // A Part 1 codestream (no CAP marker) under an HTJ2K syntax: OpenJPEG, with the same values as under .90.
  {
    auto f = encoded_first_frame("mr16_j2k");
    std::vector<uint8_t> as_ht(size_t(stored_frame_size(f.info))), as_j2k(as_ht.size());
    decode_report report, reference;
    REQUIRE(decode_frame(ht, f.encoded.data(), f.encoded.size(), f.info, as_ht.data(), as_ht.size(), report).code == errc::ok);
    REQUIRE(decode_frame("1.2.840.10008.1.2.4.90", f.encoded.data(), f.encoded.size(), f.info, as_j2k.data(), as_j2k.size(), reference).code == errc::ok);
    CHECK(report.decoder.find("OpenJPEG") == 0);
    CHECK(report.decoder.find("no CAP marker") != std::string::npos);
    CHECK(as_ht == as_j2k);
  }
  // A truncated HT codestream: an error, not a crash or a silently zero-filled image (OpenJPH alone decodes it so).
  {
    auto f = encoded_first_frame("mr16_htj2k");
    std::vector<uint8_t> dst(size_t(stored_frame_size(f.info)));
    decode_report report;
    for (size_t keep : {size_t(40), f.encoded.size() / 3}) {
      error e = decode_frame(ht, f.encoded.data(), keep, f.info, dst.data(), dst.size(), report);
      INFO(keep << ": " << e.to_string() << " / " << report.decoder);
      CHECK(e.code != errc::ok);
    }
  }
}
