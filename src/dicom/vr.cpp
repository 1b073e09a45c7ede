#include "dicom/vr.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace lazydcm {

namespace {
// The WebAssembly core leaves the keywords out (LAZYDCM_NO_KEYWORDS: ~160 KB of strings nothing in
// it reads); tag_for_keyword / keyword_for_tag then know none.
#ifdef LAZYDCM_NO_KEYWORDS
#define LAZYDCM_KEYWORD(k) ""
#else
#define LAZYDCM_KEYWORD(k) k
#endif
#include "dicom/dictionary_table.inc"
#undef LAZYDCM_KEYWORD
}  // namespace

std::string tag_string(tag_t t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", tag_group(t), tag_element(t));
  return buf;
}

std::string tag_hex(tag_t t) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "%08X", t);
  return buf;
}

std::string vr_name(vr_t v) {
  switch (v) {
    case vr::ob_or_ow: return "OB or OW";
    case vr::us_or_ss: return "US or SS";
    case vr::us_ss_or_ow: return "US or SS or OW";
    case vr::us_or_ow: return "US or OW";
    default: return std::string{char(v >> 8), char(v & 0xFF)};
  }
}

bool is_known_vr(vr_t v) {
  switch (v) {
    case vr::AE: case vr::AS: case vr::AT: case vr::CS: case vr::DA: case vr::DS: case vr::DT:
    case vr::FD: case vr::FL: case vr::IS: case vr::LO: case vr::LT: case vr::OB: case vr::OD:
    case vr::OF: case vr::OL: case vr::OV: case vr::OW: case vr::PN: case vr::SH: case vr::SL:
    case vr::SQ: case vr::SS: case vr::ST: case vr::SV: case vr::TM: case vr::UC: case vr::UI:
    case vr::UL: case vr::UN: case vr::UR: case vr::US: case vr::UT: case vr::UV:
      return true;
    default:
      return false;
  }
}

bool has_long_header(vr_t v) {
  switch (v) {
    case vr::OB: case vr::OD: case vr::OF: case vr::OL: case vr::OV: case vr::OW: case vr::SQ:
    case vr::SV: case vr::UC: case vr::UN: case vr::UR: case vr::UT: case vr::UV:
      return true;
    default:
      return false;
  }
}

bool is_string_vr(vr_t v) {
  switch (v) {
    case vr::AE: case vr::AS: case vr::CS: case vr::DA: case vr::DS: case vr::DT: case vr::IS:
    case vr::LO: case vr::LT: case vr::PN: case vr::SH: case vr::ST: case vr::TM: case vr::UC:
    case vr::UI: case vr::UR: case vr::UT:
      return true;
    default:
      return false;
  }
}

bool is_text_charset_vr(vr_t v) {
  switch (v) {
    case vr::SH: case vr::LO: case vr::ST: case vr::LT: case vr::PN: case vr::UC: case vr::UT:
      return true;
    default:
      return false;
  }
}

unsigned vr_value_size(vr_t v) {
  switch (v) {
    case vr::US: case vr::SS: case vr::OW: return 2;
    case vr::UL: case vr::SL: case vr::FL: case vr::OF: case vr::OL: case vr::AT: return 4;
    case vr::FD: case vr::OD: case vr::SV: case vr::UV: case vr::OV: return 8;
    default: return 0;
  }
}

vr_t parse_vr(std::string_view s) {
  if (s.size() != 2) return 0;
  vr_t v = vr_code(s[0], s[1]);
  return is_known_vr(v) ? v : 0;
}

const dictionary_entry* dictionary_lookup(tag_t t) {
  auto first = std::begin(k_dictionary), last = std::end(k_dictionary);
  auto it = std::lower_bound(first, last, t,
                             [](const dictionary_entry& e, tag_t x) { return e.tag < x; });
  if (it != last && it->tag == t) return it;
  // Repeating groups (50xx, 60xx, ...) share one static entry per mask, built on first use.
  static std::vector<dictionary_entry> repeaters = [] {
    std::vector<dictionary_entry> out;
    for (const auto& r : k_repeaters) out.push_back({r.value, r.vr, r.vm, r.keyword, r.retired});
    return out;
  }();
  for (size_t i = 0; i < std::size(k_repeaters); ++i)
    if ((t & k_repeaters[i].mask) == k_repeaters[i].value) return &repeaters[i];
  return nullptr;
}

std::optional<tag_t> tag_for_keyword(std::string_view keyword) {
  static const std::unordered_map<std::string_view, tag_t> index = [] {
    std::unordered_map<std::string_view, tag_t> m;
    m.reserve(std::size(k_dictionary));
    for (const auto& e : k_dictionary)
      if (*e.keyword) m.emplace(e.keyword, e.tag);
    return m;
  }();
  auto it = index.find(keyword);
  if (it == index.end()) return std::nullopt;
  return it->second;
}

const char* keyword_for_tag(tag_t t) {
  if (tag_group(t) & 1) return "";
  const dictionary_entry* e = dictionary_lookup(t);
  return e ? e->keyword : "";
}

vr_t implicit_vr(tag_t t) {
  uint16_t group = tag_group(t), element = tag_element(t);
  if (element == 0) return vr::UL;  // group length
  if (group & 1) {
    if (element >= 0x10 && element <= 0xFF) return vr::LO;  // private creator
    return vr::UN;
  }
  const dictionary_entry* e = dictionary_lookup(t);
  return e ? e->vr : vr::UN;
}

}  // namespace lazydcm
