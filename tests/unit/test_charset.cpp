#include <catch2/catch.hpp>

#include "dicom/charset.hpp"
#include "dicom/json_model.hpp"
#include "helpers.hpp"

using namespace lazydcm;

TEST_CASE("default repertoire, ISO_IR 100 and ISO_IR 192 to UTF-8") {
  CHECK(charset::from_value("").value().decode("Doe^John") == "Doe^John");
  CHECK(charset::from_value("ISO_IR 100").value().decode("Buc^J\xe9r\xf4me") == "Buc^J\xc3\xa9r\xc3\xb4me");
  CHECK(charset::from_value("ISO_IR 192").value().decode("\xc3\xa9t\xc3\xa9") == "\xc3\xa9t\xc3\xa9");
  // Invalid UTF-8 is replaced, never passed through.
  CHECK(charset::from_value("ISO_IR 192").value().decode("a\xff" "b") == "a\xef\xbf\xbd" "b");
  // ISO-8859-5 (Cyrillic): expected text from Python's iso8859_5 codec.
  CHECK(charset::from_value("ISO_IR 144").value().decode("\xbb\xee\xdd\xd5\xdc\xd0") ==
        "\xd0\x9b\xd1\x8e\xd0\xbd\xd0\xb5\xd0\xbc\xd0\xb0");
}

TEST_CASE("unsupported character sets are reported") {
  auto r = charset::from_value("\\ISO 2022 IR 87");
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().code == errc::unsupported_character_set);
  CHECK_FALSE(charset::from_value("GB18030").ok());
}

TEST_CASE("patient names decode as pydicom decodes them (pydicom charset test files)") {
  auto corpus = test::read_json(test::fixtures_dir() + "/corpus.json");
  int same = 0, reported = 0;
  for (auto& [key, v] : corpus.items()) {
    if (!v.contains("patient_name") || key.rfind("charset_files/", 0) != 0) continue;
    INFO(key);
    auto file = test::read_file(v["path"].get<std::string>());
    dataset_reader r(file.size());
    r.feed(0, file.data(), file.size());
    REQUIRE(r.step() == parse_status::done);
    const element* cs = r.result().body.find(tags::specific_character_set);
    auto set = charset::from_value(cs ? cs->raw_string() : "");
    auto json = to_json(r.result().body);
    if (!set.ok()) {
      // Our JSON says so rather than decoding silently.
      CHECK_FALSE(json.warnings.empty());
      ++reported;
      continue;
    }
    std::string expected = v["patient_name"].get<std::string>();
    const element* pn = r.result().body.find(0x00100010);
    REQUIRE(pn);
    std::string ours = set.value().decode(pn->raw_string());
    while (!ours.empty() && ours.back() == '=') ours.pop_back();  // empty trailing PN groups, as pydicom's str()
    CHECK(ours == expected);
    ++same;
  }
  CHECK(same >= 6);
  CHECK(reported >= 3);
}
