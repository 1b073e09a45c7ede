#include <catch2/catch.hpp>

#include "dicom/vr.hpp"

using namespace lazydcm;

TEST_CASE("dictionary: keyword <-> tag, VR, repeating groups (values from PS3.6)") {
  CHECK(tag_for_keyword("PixelData").value() == 0x7FE00010u);
  CHECK(tag_for_keyword("PatientName").value() == 0x00100010u);
  CHECK(tag_for_keyword("ExtendedOffsetTable").value() == 0x7FE00001u);
  CHECK(tag_for_keyword("TotalPixelMatrixRows").value() == 0x00480007u);
  CHECK_FALSE(tag_for_keyword("NoSuchKeyword").has_value());
  CHECK(std::string(keyword_for_tag(0x00280010)) == "Rows");
  CHECK(std::string(keyword_for_tag(0x00291010)) == "");  // private
  CHECK(dictionary_lookup(0x00100010)->vr == vr::PN);
  CHECK(dictionary_lookup(0x7FE00001)->vr == vr::OV);
  CHECK(dictionary_lookup(0x00280106)->vr == vr::us_or_ss);
  CHECK(dictionary_lookup(0x7FE00010)->vr == vr::ob_or_ow);
  // 60xx3000 Overlay Data from the repeaters table
  REQUIRE(dictionary_lookup(0x60023000) != nullptr);
  CHECK(std::string(dictionary_lookup(0x60023000)->keyword) == "OverlayData");
  CHECK(implicit_vr(0x00090010) == vr::LO);  // private creator
  CHECK(implicit_vr(0x00091001) == vr::UN);
  CHECK(implicit_vr(0x00080000) == vr::UL);  // group length
  CHECK(vr_name(vr::ob_or_ow) == "OB or OW");
  CHECK(parse_vr("SV") == vr::SV);
  CHECK(parse_vr("ZZ") == 0);
}

#include "dicom/transfer_syntax.hpp"

TEST_CASE("UID names (PS3.6 Annex A) and transfer syntax properties") {
  CHECK(std::string(uid_name("1.2.840.10008.5.1.4.1.1.77.1.6")) == "VL Whole Slide Microscopy Image Storage");
  CHECK(std::string(uid_name("1.2.840.10008.5.1.4.1.1.2")) == "CT Image Storage");
  CHECK(std::string(uid_name("1.2.3.4")) == "");
  auto ts = lookup_transfer_syntax("1.2.840.10008.1.2.2");
  CHECK((ts.known && ts.big_endian && !ts.implicit_vr && !ts.encapsulated));
  auto htj2k = lookup_transfer_syntax("1.2.840.10008.1.2.4.201");
  CHECK((htj2k.known && htj2k.encapsulated));
  auto unknown = lookup_transfer_syntax("1.2.3.4.5");
  CHECK((!unknown.known && unknown.encapsulated && !unknown.implicit_vr));
}
