// The whole pydicom test corpus parses, with the same elements pydicom reads (tag, VR, value
// bytes) or an error where pydicom also fails or reads a value shorter than it declares.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace lazydcm;
using nlohmann::json;

namespace {
bool vr_matches(tag_t tag, vr_t ours, const std::string& theirs) {
  if (vr_name(ours) == theirs) return true;
  // pydicom also has a private dictionary (vendor tags); we read private tags of implicit VR
  // files as UN (their bytes are still compared).
  if ((tag_group(tag) & 1) && ours == vr::UN) return true;
  std::string name = vr_name(ours);
  if (name.find(" or ") != std::string::npos) return name.find(theirs) != std::string::npos;
  return false;
}

void compare(const dataset& ds, const json& expected, const std::string& where, int& compared, uint64_t file_size) {
  size_t n = std::min(ds.elements.size(), expected.size());
  for (size_t i = 0; i < n; ++i) {
    const element& el = ds.elements[i];
    const json& ex = expected[i];
    INFO(where << " element " << tag_string(el.tag));
    REQUIRE(el.tag == ex["tag"].get<uint32_t>());
    CHECK(vr_matches(el.tag, el.vr, ex["vr"].get<std::string>()));
    if (ex.contains("items")) {
      REQUIRE(el.items.size() == ex["items"].size());
      for (size_t k = 0; k < el.items.size(); ++k)
        compare(el.items[k], ex["items"][k], where + "/" + tag_string(el.tag) + "[" + std::to_string(k) + "]", compared, file_size);
      continue;
    }
    if (el.bulk) {  // pixel data: we know where it is, we did not read it
      // A truncated Pixel Data (MR_truncated.dcm): pydicom keeps the bytes there are, we the declared
      // length (and a warning); both end at the end of the file.
      if (el.length != undefined_length && ex.contains("length"))
        CHECK((el.length == ex["length"].get<uint64_t>() ||
               (el.length > ex["length"].get<uint64_t>() && el.value_offset + ex["length"].get<uint64_t>() == file_size)));
      continue;
    }
    if (ex.contains("hash")) {
      CHECK(el.value.size() == ex["length"].get<uint64_t>());
      CHECK(test::fnv1a(el.value.data(), el.value.size()) == ex["hash"].get<std::string>());
      ++compared;
    }
  }
  CHECK(ds.elements.size() == expected.size());
}
}  // namespace

TEST_CASE("the pydicom test corpus: same elements as pydicom") {
  auto corpus = test::read_json(test::fixtures_dir() + "/corpus.json");
  int files = 0, values = 0, errors_agreed = 0;
  for (auto& [key, v] : corpus.items()) {
    INFO(key);
    auto file = test::read_file(v["path"].get<std::string>());
    parse_options opt;
    opt.stop_at_pixel_data = false;
    opt.max_inline_value = 64u << 20;
    dataset_reader r(file.size(), opt);
    r.feed(0, file.data(), file.size());
    auto s = r.step();
    if (!v["ok"].get<bool>()) {
      INFO("pydicom: " << v["error"].get<std::string>());
      CHECK(s == parse_status::failed);
      ++errors_agreed;
      continue;
    }
    // pydicom reads past-the-end items and values short without a word; we say the file is
    // truncated. Where pydicom did not notice, check the claim on the bytes ourselves.
    if (s == parse_status::failed && r.failure().code == errc::length_beyond_end && r.failure().has_offset() &&
        r.failure().offset + 8 <= file.size() && load_u16le(&file[r.failure().offset]) == 0xFFFE) {
      uint64_t off = r.failure().offset;
      CHECK(off + 8 + load_u32le(&file[off + 4]) > file.size());
      ++errors_agreed;
      continue;
    }
    if (s == parse_status::failed && v.value("truncated", false)) {
      CHECK((r.failure().code == errc::truncated || r.failure().code == errc::length_beyond_end));
      ++errors_agreed;
      continue;
    }
    INFO(r.failure().to_string());
    REQUIRE(s == parse_status::done);
    compare(r.result().body, v["elements"], key, values, file.size());
    ++files;
  }
  CHECK(files > 150);
  CHECK(values > 3000);
  WARN("corpus: " << files << " files equal to pydicom, " << values << " values compared, " << errors_agreed
                  << " errors agreed");
}
