#include "dicom/charset.hpp"
#include "dicom/vr.hpp"

#include <cstdint>
#include <vector>

namespace lazydcm {

namespace {
#include "dicom/charset_tables.inc"


// Length of a valid UTF-8 sequence at p (1..4), or 0.
size_t utf8_sequence(const unsigned char* p, size_t n) {
  unsigned char c = p[0];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || len > n) return 0;
  for (size_t i = 1; i < len; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  if (len == 2 && c < 0xC2) return 0;                      // overlong
  if (len == 3 && c == 0xE0 && p[1] < 0xA0) return 0;      // overlong
  if (len == 3 && c == 0xED && p[1] >= 0xA0) return 0;     // surrogates
  if (len == 4 && (c > 0xF4 || (c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))) return 0;
  return len;
}
}  // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | cp >> 6);
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | cp >> 12);
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | cp >> 18);
    out += char(0x80 | (cp >> 12 & 0x3F));
    out += char(0x80 | (cp >> 6 & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

charset charset::utf8() {
  charset c;
  c.kind_ = kind::utf8;
  c.name_ = "ISO_IR 192";
  return c;
}

result<charset> charset::from_value(std::string_view value) {
  // Multi-valued: the first value applies without escapes; further values need ISO 2022 code
  // extensions, which are only harmless when they repeat the first set.
  std::vector<std::string_view> terms;
  size_t start = 0;
  for (;;) {
    size_t bs = value.find('\\', start);
    terms.push_back(trim_padding(value.substr(start, bs == std::string_view::npos ? bs : bs - start)));
    if (bs == std::string_view::npos) break;
    start = bs + 1;
  }
  std::string_view first = terms[0];
  for (size_t i = 1; i < terms.size(); ++i) {
    if (terms[i] != first && !(first.empty() && (terms[i] == "ISO 2022 IR 6")))
      return make_error(errc::unsupported_character_set, error::no_offset,
                        "Specific Character Set '" + std::string(value) +
                            "' uses ISO 2022 code extensions, which are not supported");
  }
  charset c;
  c.name_ = std::string(first);
  if (first.empty() || first == "ISO_IR 6" || first == "ISO 2022 IR 6") {
    c.kind_ = kind::default_repertoire;
    return c;
  }
  if (first == "ISO_IR 192") return utf8();
  for (const auto& s : k_single_byte_charsets) {
    if (first == s.terms[0] || first == s.terms[1]) {
      c.kind_ = kind::single_byte;
      c.upper_ = s.upper;
      return c;
    }
  }
  return make_error(errc::unsupported_character_set, error::no_offset,
                    "Specific Character Set '" + std::string(value) + "' is not supported");
}

std::string charset::decode(std::string_view bytes) const {
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      out += char(c);
      ++i;
      continue;
    }
    switch (kind_) {
      case kind::default_repertoire:
        append_utf8(out, c);  // Latin-1, as pydicom's default
        ++i;
        break;
      case kind::single_byte:
        append_utf8(out, upper_[c - 0x80]);
        ++i;
        break;
      case kind::utf8: {
        size_t len = utf8_sequence(p + i, n - i);
        if (len == 0) {
          append_utf8(out, 0xFFFD);
          ++i;
        } else {
          out.append(bytes.data() + i, len);
          i += len;
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace lazydcm
