// A volume filled slice by slice with transformed frames (float64 values, samples interleaved),
// cropped to [s0, s1) x [r0, r1) x [c0, c1) of the full grid and stored as float32 or float64:
// frames are written straight to their place, the volume leaves once when it is complete.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace lazydcm {

class volume_buffer {
 public:
  // ranges: s0, s1, r0, r1, c0, c1 (0-based, half-open) of a grid of rows x columns per slice.
  // samples 0: taken from the first frame (palette and RGB images have 3 after the transforms).
  static result<volume_buffer> create(const std::array<uint64_t, 6>& ranges, uint32_t rows, uint32_t columns, uint32_t samples,
                                      bool float32);
  // The transformed frame of `slice` (in the full grid): rows x columns x samples values.
  error put(uint64_t slice, const double* values, size_t count, uint32_t rows, uint32_t columns, uint32_t samples);
  const std::vector<uint8_t>& data() const { return data_; }
  uint32_t samples() const { return samples_; }

 private:
  uint64_t voxels() const;
  error check_size(uint32_t samples) const;  // value_too_large above the limit
  std::array<uint64_t, 6> r_{};
  uint32_t rows_ = 0, columns_ = 0, samples_ = 0;
  bool float32_ = false;
  std::vector<uint8_t> data_;
};

}  // namespace lazydcm
