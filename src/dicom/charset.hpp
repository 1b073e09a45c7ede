// Specific Character Set (0008,0005) to UTF-8 (PS3.5 6.1, PS3.3 C.12.1.1.2).
#pragma once
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace lazydcm {

// Supported: the default repertoire (bytes >= 0x80 read as Latin-1, as pydicom does), ISO_IR 192
// (UTF-8), and the single-byte sets ISO_IR 100/101/109/110/126/127/138/144/148/166/203 with or
// without their ISO 2022 names when no code extension escapes are used.
// Anything else (ISO 2022 escapes for Japanese/Korean/Chinese, GB18030, GBK) is reported as
// errc::unsupported_character_set rather than decoded wrongly.
class charset {
 public:
  static result<charset> from_value(std::string_view specific_character_set);  // raw (0008,0005) value
  static charset utf8();
  std::string decode(std::string_view bytes) const;  // always valid UTF-8; U+FFFD for bad bytes
  const std::string& name() const { return name_; }

 private:
  enum class kind { default_repertoire, utf8, single_byte } kind_ = kind::default_repertoire;
  const uint16_t* upper_ = nullptr;  // single-byte table for 0x80..0xFF
  std::string name_;
};

void append_utf8(std::string& out, uint32_t code_point);

}  // namespace lazydcm
