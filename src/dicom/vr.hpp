// Value representations (PS3.5 6.2) and the data dictionary (PS3.6).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lazydcm {

using tag_t = uint32_t;  // group << 16 | element
constexpr tag_t make_tag(uint16_t group, uint16_t element) { return tag_t(group) << 16 | element; }
constexpr uint16_t tag_group(tag_t t) { return uint16_t(t >> 16); }
constexpr uint16_t tag_element(tag_t t) { return uint16_t(t & 0xFFFF); }
std::string tag_string(tag_t t);  // "(7FE0,0010)"
std::string tag_hex(tag_t t);     // "7FE00010" as DICOM JSON keys

namespace tags {
constexpr tag_t item = 0xFFFEE000, item_delimitation = 0xFFFEE00D, sequence_delimitation = 0xFFFEE0DD;
constexpr tag_t transfer_syntax_uid = 0x00020010, specific_character_set = 0x00080005;
constexpr tag_t sop_class_uid = 0x00080016, sop_instance_uid = 0x00080018;
constexpr tag_t samples_per_pixel = 0x00280002, photometric_interpretation = 0x00280004;
constexpr tag_t planar_configuration = 0x00280006, number_of_frames = 0x00280008;
constexpr tag_t rows = 0x00280010, columns = 0x00280011, bits_allocated = 0x00280100;
constexpr tag_t bits_stored = 0x00280101, high_bit = 0x00280102, pixel_representation = 0x00280103;
constexpr tag_t extended_offset_table = 0x7FE00001, extended_offset_table_lengths = 0x7FE00002;
constexpr tag_t float_pixel_data = 0x7FE00008, double_float_pixel_data = 0x7FE00009;
constexpr tag_t pixel_data = 0x7FE00010;
constexpr tag_t total_pixel_matrix_columns = 0x00480006, total_pixel_matrix_rows = 0x00480007;
// Used by more than one layer (volumes, tiled images, slides):
constexpr tag_t series_instance_uid = 0x0020000E, frame_of_reference_uid = 0x00200052;
constexpr tag_t concatenation_uid = 0x00209161, concatenation_frame_offset = 0x00209228;
constexpr tag_t dimension_organization_type = 0x00209311, per_frame_groups = 0x52009230;
constexpr tag_t pixel_measures_sequence = 0x00289110, pixel_spacing = 0x00280030;
constexpr tag_t number_of_optical_paths = 0x00480302, total_focal_planes = 0x00480303;
constexpr tag_t optical_path_sequence = 0x00480105, icc_profile = 0x00282000;
}  // namespace tags

// A VR as its two characters (e.g. 'O'<<8|'B'). Lower-case codes are the dictionary's ambiguous
// VRs: ox = "OB or OW", xs = "US or SS", xw = "US or SS or OW", uw = "US or OW".
using vr_t = uint16_t;
constexpr vr_t vr_code(char a, char b) { return vr_t(uint8_t(a)) << 8 | uint8_t(b); }

namespace vr {
constexpr vr_t AE = vr_code('A', 'E'), AS = vr_code('A', 'S'), AT = vr_code('A', 'T'),
               CS = vr_code('C', 'S'), DA = vr_code('D', 'A'), DS = vr_code('D', 'S'),
               DT = vr_code('D', 'T'), FD = vr_code('F', 'D'), FL = vr_code('F', 'L'),
               IS = vr_code('I', 'S'), LO = vr_code('L', 'O'), LT = vr_code('L', 'T'),
               OB = vr_code('O', 'B'), OD = vr_code('O', 'D'), OF = vr_code('O', 'F'),
               OL = vr_code('O', 'L'), OV = vr_code('O', 'V'), OW = vr_code('O', 'W'),
               PN = vr_code('P', 'N'), SH = vr_code('S', 'H'), SL = vr_code('S', 'L'),
               SQ = vr_code('S', 'Q'), SS = vr_code('S', 'S'), ST = vr_code('S', 'T'),
               SV = vr_code('S', 'V'), TM = vr_code('T', 'M'), UC = vr_code('U', 'C'),
               UI = vr_code('U', 'I'), UL = vr_code('U', 'L'), UN = vr_code('U', 'N'),
               UR = vr_code('U', 'R'), US = vr_code('U', 'S'), UT = vr_code('U', 'T'),
               UV = vr_code('U', 'V');
constexpr vr_t ob_or_ow = vr_code('o', 'x'), us_or_ss = vr_code('x', 's'),
               us_ss_or_ow = vr_code('x', 'w'), us_or_ow = vr_code('u', 'w');
}  // namespace vr

std::string vr_name(vr_t v);                       // "OB"; "OB or OW" for ambiguous codes
bool is_known_vr(vr_t v);                          // one of the 34 VRs of PS3.5
bool has_long_header(vr_t v);                      // explicit VR: 2 reserved bytes + 4-byte length
bool is_string_vr(vr_t v);                         // character string VRs (charset applies to some)
bool is_text_charset_vr(vr_t v);                   // SH LO ST LT PN UC UT: Specific Character Set applies
unsigned vr_value_size(vr_t v);                    // bytes per value for binary numbers (2,4,8), else 0
vr_t parse_vr(std::string_view s);                 // "OB" -> vr::OB, 0 when not a VR

// A value without the space/NUL padding DICOM adds (leading spaces too: PS3.5 6.2 allows them).
inline std::string_view trim_padding(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

struct dictionary_entry {
  tag_t tag;
  vr_t vr;
  const char* vm;
  const char* keyword;
  bool retired;
};
struct repeater_entry {
  uint32_t mask;
  uint32_t value;
  vr_t vr;
  const char* vm;
  const char* keyword;
  bool retired;
};

// The PS3.6 entry for a tag (repeating groups such as 60xx included), nullptr when unknown.
const dictionary_entry* dictionary_lookup(tag_t t);
std::optional<tag_t> tag_for_keyword(std::string_view keyword);
const char* keyword_for_tag(tag_t t);  // "" when unknown or private
// The VR an implicit-VR reader assigns: dictionary VR, private creators LO, group lengths UL,
// else UN. Ambiguous dictionary VRs are returned as their lower-case code.
vr_t implicit_vr(tag_t t);

}  // namespace lazydcm
