#include <catch2/catch.hpp>

#include "dicom/json_model.hpp"
#include "helpers.hpp"

using namespace lazydcm;
using nlohmann::json;

namespace {
dataset read_ct() {
  auto file = test::read_file("/usr/lib/python3/dist-packages/pydicom/data/test_files/CT_small.dcm");
  dataset_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  return r.result().body;
}
}  // namespace

TEST_CASE("DICOM JSON out follows PS3.18 F.2 (values checked against pydicom's reading of CT_small)") {
  json j = to_json(read_ct()).json;
  CHECK(j["00100010"]["vr"] == "PN");
  CHECK(j["00100010"]["Value"][0]["Alphabetic"] == "CompressedSamples^CT1");
  CHECK(j["00280010"]["vr"] == "US");
  CHECK(j["00280010"]["Value"][0] == 128);
  CHECK(j["00200013"]["vr"] == "IS");
  CHECK(j["00200013"]["Value"][0].is_number_integer());
  CHECK(j["00280030"]["vr"] == "DS");
  CHECK(j["00280030"]["Value"][0].get<double>() == Approx(0.661468));
  CHECK(j["00080008"]["Value"].size() == 3);  // ImageType ORIGINAL\PRIMARY\AXIAL
  CHECK(j["00080008"]["Value"][2] == "AXIAL");
  CHECK(j["7FE00010"].contains("BulkDataURI"));
  CHECK_FALSE(j.contains("00020010"));  // the meta header is not part of the dataset's JSON
}

TEST_CASE("DICOM JSON round trip: out, in, out again is identical") {
  json a = to_json(read_ct()).json;
  auto back = from_json(a);
  REQUIRE(back.ok());
  json b = to_json(back.value()).json;
  // JSON text is UTF-8, so the dataset read back says so; everything else is identical.
  CHECK(b["00080005"]["Value"][0] == "ISO_IR 192");
  a.erase("00080005");
  b.erase("00080005");
  CHECK(a == b);
}

TEST_CASE("DICOM JSON in: DICOMweb metadata with sequences, PN, AT, InlineBinary, BulkDataURI") {
  const char* text = R"([{
    "00080005": {"vr": "CS", "Value": ["ISO_IR 192"]},
    "00100010": {"vr": "PN", "Value": [{"Alphabetic": "Müller^Hans", "Ideographic": "ミュラー"}]},
    "00280010": {"vr": "US", "Value": [512]},
    "00281050": {"vr": "DS", "Value": [40, 40.5]},
    "00209165": {"vr": "AT", "Value": ["00209056"]},
    "00089123": {"vr": "UI", "Value": ["1.2.3"]},
    "52009230": {"vr": "SQ", "Value": [{"00209111": {"vr": "SQ", "Value": [{"00209157": {"vr": "UL", "Value": [1, 2]}}]}}]},
    "00282000": {"vr": "OB", "InlineBinary": "AQID"},
    "7FE00010": {"vr": "OB", "BulkDataURI": "https://example.org/bulk/1"}
  }])";
  auto ds = from_json_text(text);
  REQUIRE(ds.ok());
  CHECK(ds->integer(0x00280010).value() == 512);
  CHECK(ds->real(0x00281050, 1).value() == Approx(40.5));
  CHECK(ds->string(0x00089123).value() == "1.2.3");
  const element* pn = ds->find(0x00100010);
  CHECK(std::string(pn->raw_string()) == "Müller^Hans=ミュラー");
  const element* at = ds->find(0x00209165);
  CHECK(at->value == std::vector<uint8_t>{0x20, 0x00, 0x56, 0x90});
  const element* sq = ds->find(0x52009230);
  REQUIRE(sq->items.size() == 1);
  CHECK(sq->items[0].find(0x00209111)->items[0].integer(0x00209157, 1).value() == 2);
  CHECK(ds->find(0x00282000)->value == std::vector<uint8_t>{1, 2, 3});
  CHECK(ds->find(0x7FE00010)->bulk_uri == "https://example.org/bulk/1");
  json out = to_json(ds.value()).json;
  CHECK(out["00100010"]["Value"][0]["Ideographic"] == "ミュラー");
  CHECK(out["7FE00010"]["BulkDataURI"] == "https://example.org/bulk/1");
}

TEST_CASE("DICOM JSON in: malformed input is invalid_json, not a crash") {
  for (const char* bad : {"{", "[1,2]", R"({"0010": {"vr": "PN"}})", R"({"00100010": {"Value": []}})",
                          R"({"00100010": {"vr": "QQ"}})", R"({"00280010": {"vr": "US", "Value": ["x"]}})"}) {
    INFO(bad);
    auto r = from_json_text(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.err().code == errc::invalid_json);
  }
}

TEST_CASE("base64") {
  std::vector<uint8_t> v = {0, 1, 2, 250, 251, 252, 253};
  for (size_t n = 0; n <= v.size(); ++n) {
    auto enc = base64_encode(v.data(), n);
    auto dec = base64_decode(enc);
    REQUIRE(dec.ok());
    CHECK(dec.value() == std::vector<uint8_t>(v.begin(), v.begin() + n));
  }
  CHECK(base64_encode(reinterpret_cast<const uint8_t*>("Man"), 3) == "TWFu");
}
