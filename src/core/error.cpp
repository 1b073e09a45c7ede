#include "core/error.hpp"

namespace lazydcm {

const char* errc_name(errc code) noexcept {
  switch (code) {
    case errc::ok: return "ok";
    case errc::truncated: return "truncated";
    case errc::length_beyond_end: return "length_beyond_end";
    case errc::odd_length: return "odd_length";
    case errc::undefined_length_not_allowed: return "undefined_length_not_allowed";
    case errc::invalid_vr: return "invalid_vr";
    case errc::not_dicom: return "not_dicom";
    case errc::invalid_item: return "invalid_item";
    case errc::value_too_large: return "value_too_large";
    case errc::unsupported_transfer_syntax: return "unsupported_transfer_syntax";
    case errc::unsupported_character_set: return "unsupported_character_set";
    case errc::deflate_error: return "deflate_error";
    case errc::no_pixel_data: return "no_pixel_data";
    case errc::invalid_image_attributes: return "invalid_image_attributes";
    case errc::invalid_offset_table: return "invalid_offset_table";
    case errc::invalid_tiff: return "invalid_tiff";
    case errc::frame_count_mismatch: return "frame_count_mismatch";
    case errc::invalid_json: return "invalid_json";
    case errc::invalid_argument: return "invalid_argument";
    case errc::frame_out_of_range: return "frame_out_of_range";
    case errc::invalid_value: return "invalid_value";
    case errc::not_a_volume: return "not_a_volume";
    case errc::segment_overlap: return "segment_overlap";
    case errc::not_a_slide: return "not_a_slide";
    case errc::out_of_image: return "out_of_image";
    case errc::icc_error: return "icc_error";
    case errc::out_of_memory: return "out_of_memory";
  }
  return "unknown";
}

std::string error::to_string() const {
  std::string s = errc_name(code);
  if (has_offset()) s += " at byte " + std::to_string(offset);
  if (!message.empty()) s += ": " + message;
  return s;
}

}  // namespace lazydcm
