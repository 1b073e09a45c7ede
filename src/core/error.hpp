// Error codes and results. The numeric values are stable API (TypeScript and the CLI expose them);
// the message text is not. Errors carry the byte offset in the file where it is known.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace lazydcm {

enum class errc : uint16_t {
  ok = 0,
  truncated = 1,                     // the input ends inside a structure
  length_beyond_end = 2,             // a declared length runs past its container or the file
  odd_length = 3,                    // value lengths must be even
  undefined_length_not_allowed = 4,  // 0xFFFFFFFF on an element that cannot have it
  invalid_vr = 5,                    // explicit VR bytes that are not a VR
  not_dicom = 6,                     // neither DICM nor a plausible dataset at the start
  invalid_item = 7,                  // an item / delimiter tag expected and not found
  value_too_large = 8,               // a declared size beyond what the input or a limit allows
  unsupported_transfer_syntax = 9,
  unsupported_character_set = 10,
  deflate_error = 11,
  no_pixel_data = 12,
  invalid_image_attributes = 13,     // rows/columns/bits missing or inconsistent
  invalid_offset_table = 14,
  invalid_tiff = 15,
  frame_count_mismatch = 16,
  invalid_json = 17,
  invalid_argument = 18,
  frame_out_of_range = 19,
  invalid_value = 20,                // a value that cannot be interpreted for its VR
  not_a_volume = 21,                 // frames/instances without a regular 3D grid (the message says why)
  segment_overlap = 22,              // segments cannot be combined into one label volume
  not_a_slide = 23,                  // no whole-slide pyramid in the instances (the message says why)
  out_of_image = 24,                 // a patch or region that does not touch the image at all
  icc_error = 25,                    // an ICC profile lcms2 cannot read, or a transform it cannot build
  out_of_memory = 26,                // an allocation failed (the message names what was asked)
};

const char* errc_name(errc code) noexcept;

struct error {
  static constexpr uint64_t no_offset = ~uint64_t{0};
  errc code = errc::ok;
  uint64_t offset = no_offset;
  std::string message;

  bool has_offset() const noexcept { return offset != no_offset; }
  std::string to_string() const;  // "length_beyond_end at byte 1234: ..."
};

inline error make_error(errc code, uint64_t offset, std::string message) {
  return error{code, offset, std::move(message)};
}

// A value or an error (simdjson's simdjson_result, dicom-rs' Result).
template <class T>
class result {
 public:
  result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  result(error e) : v_(std::move(e)) {}                // NOLINT
  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const error& err() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, error> v_;
};

}  // namespace lazydcm
