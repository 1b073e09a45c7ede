// Transfer syntaxes (PS3.5 10, PS3.6 Annex A): how a dataset is encoded and what the pixels are.
#pragma once
#include <string>
#include <string_view>

namespace lazydcm {

struct transfer_syntax {
  std::string uid;
  const char* name = "Unknown";
  bool known = false;
  bool implicit_vr = false;
  bool big_endian = false;
  bool deflated = false;      // the dataset after the meta header is a raw deflate stream
  bool encapsulated = false;  // Pixel Data is a sequence of fragments
};

transfer_syntax lookup_transfer_syntax(std::string_view uid);

namespace uids {
constexpr const char* implicit_vr_le = "1.2.840.10008.1.2";
constexpr const char* explicit_vr_le = "1.2.840.10008.1.2.1";
constexpr const char* deflated_explicit_vr_le = "1.2.840.10008.1.2.1.99";
constexpr const char* explicit_vr_be = "1.2.840.10008.1.2.2";
}  // namespace uids

}  // namespace lazydcm

namespace lazydcm {
// The PS3.6 name of a SOP class or transfer syntax UID, "" when unknown.
const char* uid_name(std::string_view uid);
}  // namespace lazydcm
