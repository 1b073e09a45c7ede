#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace lazydcm;

namespace {
void require_same(const dataset& a, const dataset& b) {
  REQUIRE(a.elements.size() == b.elements.size());
  for (size_t i = 0; i < a.elements.size(); ++i) {
    const element& x = a.elements[i];
    const element& y = b.elements[i];
    REQUIRE(x.tag == y.tag);
    REQUIRE(x.vr == y.vr);
    REQUIRE(x.length == y.length);
    REQUIRE(x.value_offset == y.value_offset);
    REQUIRE(x.bulk == y.bulk);
    REQUIRE(x.value == y.value);
    REQUIRE(x.items.size() == y.items.size());
    for (size_t k = 0; k < x.items.size(); ++k) require_same(x.items[k], y.items[k]);
  }
}

std::vector<std::string> corpus_files() {
  auto corpus = test::read_json(test::fixtures_dir() + "/corpus.json");
  std::vector<std::string> out;
  for (auto& [key, v] : corpus.items()) out.push_back(v["path"].get<std::string>());
  return out;
}
}  // namespace

TEST_CASE("feeding one byte at a time or in random chunks gives the same dataset") {
  std::mt19937 rng(1234);
  auto files = corpus_files();
  for (const char* extra : {"index/slide_eot.dcm", "index/deflated.dcm", "index/native1bit.dcm"})
    files.push_back(test::fixtures_dir() + "/" + extra);
  int compared = 0;
  for (const auto& path : files) {
    auto file = test::read_file(path);
    parse_options opt;
    opt.stop_at_pixel_data = false;
    dataset_reader whole(file.size(), opt);
    whole.feed(0, file.data(), file.size());
    auto s = whole.step();
    REQUIRE(s != parse_status::need_bytes);
    std::vector<std::vector<size_t>> plans = {{1}, {}};
    for (int i = 0; i < 8; ++i) plans[1].push_back(1 + rng() % 700);
    // Byte-at-a-time on the larger files would only repeat what the small ones show, slowly.
    if (file.size() > 200000) plans.erase(plans.begin());
    for (const auto& plan : plans) {
      INFO(path << " chunk plan starting " << plan[0]);
      dataset_reader r(file.size(), opt);
      auto t = test::feed_in_chunks(r, file, plan);
      REQUIRE(t == s);
      if (s == parse_status::failed) {
        REQUIRE(r.failure().code == whole.failure().code);
        REQUIRE(r.failure().offset == whole.failure().offset);
        continue;
      }
      require_same(r.result().meta, whole.result().meta);
      require_same(r.result().body, whole.result().body);
      REQUIRE(r.result().pixel.fragments.size() == whole.result().pixel.fragments.size());
      ++compared;
    }
  }
  CHECK(compared > 150);
}

TEST_CASE("the header is read without touching pixel data, in few requests") {
  auto file = test::read_file(test::fixtures_dir() + "/index/slide_eot.dcm");
  dataset_reader r(file.size());
  test::fetch_log log;
  REQUIRE(test::serve(r, file, log) == parse_status::done);
  auto& px = r.result().pixel;
  REQUIRE(px.present);
  CHECK(px.encapsulated);
  // Everything fetched lies before the pixel data value.
  CHECK(log.bytes <= px.value_offset);
}

TEST_CASE("values above the inline limit are skipped as bulk data, not fetched") {
  test::writer w;
  w.file_start(uids::explicit_vr_le);
  w.element(0x00100010, "PN", "Doe^John");
  w.header(0x00420011, "OB", 100000);  // Encapsulated Document, 100 kB
  w.out.resize(w.out.size() + 100000, 0xAB);
  w.element(0x00420012, "LO", "application/pdf ");
  parse_options opt;
  opt.max_inline_value = 4096;
  dataset_reader r(w.out.size(), opt);
  test::fetch_log log;
  REQUIRE(test::serve(r, w.out, log) == parse_status::done);
  const element* doc = r.result().body.find(0x00420011);
  REQUIRE(doc);
  CHECK(doc->bulk);
  CHECK(doc->length == 100000);
  CHECK(log.bytes < 1000);
  CHECK(r.result().body.string(0x00420012).value() == "application/pdf");
}

TEST_CASE("explicit VR big endian values are swapped to little endian") {
  auto file = test::read_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/MR_small_bigendian.dcm");
  dataset_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  CHECK(r.result().syntax.big_endian);
  CHECK(r.result().body.integer(tags::rows).value() == 64);
  CHECK(r.result().body.integer(tags::columns).value() == 64);
  CHECK(r.result().body.integer(tags::bits_allocated).value() == 16);
}

TEST_CASE("deflated explicit VR little endian inflates lazily") {
  auto file = test::read_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/image_dfl.dcm");
  dataset_reader r(file.size());
  test::fetch_log log;
  REQUIRE(test::serve(r, file, log) == parse_status::done);
  CHECK(r.result().syntax.deflated);
  CHECK(r.result().pixel.present);
  CHECK(r.result().pixel.in_inflated_stream);
  CHECK(r.result().body.integer(tags::rows).value() > 0);
}

TEST_CASE("files without preamble or meta header: syntax guessed as pydicom does") {
  const std::string dir = "/usr/lib/python3/dist-packages/pydicom/data/test_files/";
  struct { const char* name; bool implicit; bool big; } cases[] = {
      {"ExplVR_LitEndNoMeta.dcm", false, false}, {"ExplVR_BigEndNoMeta.dcm", false, true}};
  for (auto& c : cases) {
    INFO(c.name);
    auto file = test::read_file(dir + c.name);
    dataset_reader r(file.size());
    r.feed(0, file.data(), file.size());
    REQUIRE(r.step() == parse_status::done);
    CHECK_FALSE(r.result().has_meta);
    CHECK(r.result().syntax.implicit_vr == c.implicit);
    CHECK(r.result().syntax.big_endian == c.big);
    CHECK_FALSE(r.result().warnings.empty());
  }
}
