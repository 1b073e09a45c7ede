#include "volume/assembler.hpp"

#include <cstring>
#include <string>

namespace lazydcm {

namespace {
// The module's memory is at most 2 GiB: a volume is refused above 1.5 GiB before allocation.
constexpr uint64_t k_max_volume_bytes = uint64_t(3) << 29;
}  // namespace

result<volume_buffer> volume_buffer::create(const std::array<uint64_t, 6>& ranges, uint32_t rows, uint32_t columns,
                                            uint32_t samples, bool float32) {
  const auto [s0, s1, r0, r1, c0, c1] = ranges;
  if (s0 > s1 || r0 > r1 || c0 > c1 || r1 > rows || c1 > columns || samples > 4)
    return make_error(errc::invalid_argument, error::no_offset, "volume ranges outside the grid");
  volume_buffer v;
  v.r_ = ranges;
  v.rows_ = rows;
  v.columns_ = columns;
  v.samples_ = samples;
  v.float32_ = float32;
  // At most 4 samples of 8 bytes: the product stays far below 2^64 for 32-bit sizes. Samples not
  // known yet (0: the first frame says) are checked as one here and again when they are known.
  if ((s1 - s0) > (uint64_t(1) << 32)) return make_error(errc::value_too_large, error::no_offset, "a volume of more than 2^32 slices");
  if (error e = v.check_size(samples ? samples : 1); e.code != errc::ok) return e;
  if (samples) v.data_.assign(v.voxels() * samples * (float32 ? 4 : 8), 0);
  return v;
}

uint64_t volume_buffer::voxels() const {
  const auto [s0, s1, r0, r1, c0, c1] = r_;
  return (s1 - s0) * (r1 - r0) * (c1 - c0);
}

error volume_buffer::check_size(uint32_t samples) const {
  if (voxels() * samples * (float32_ ? 4 : 8) <= k_max_volume_bytes) return {};
  const auto [s0, s1, r0, r1, c0, c1] = r_;
  return make_error(errc::value_too_large, error::no_offset,
                    "a volume of " + std::to_string(s1 - s0) + " x " + std::to_string(r1 - r0) + " x " + std::to_string(c1 - c0) +
                        " voxels x " + std::to_string(samples) + " samples is above lazydcm's 1.5 GiB volume limit");
}

error volume_buffer::put(uint64_t slice, const double* values, size_t count, uint32_t rows, uint32_t columns, uint32_t samples) {
  const auto [s0, s1, r0, r1, c0, c1] = r_;
  if (samples_ == 0 && samples >= 1 && samples <= 4) {
    if (error e = check_size(samples); e.code != errc::ok) return e;
    samples_ = samples;
    data_.assign((s1 - s0) * (r1 - r0) * (c1 - c0) * samples * (float32_ ? 4 : 8), 0);
  }
  if (rows != rows_ || columns != columns_ || samples != samples_ || count < uint64_t(rows) * columns * samples)
    return make_error(errc::not_a_volume, error::no_offset, "not a volume: frames differ in size or samples per pixel");
  if (slice < s0 || slice >= s1) return {};  // outside the selected slices
  const size_t row_values = (c1 - c0) * samples_;
  for (uint64_t r = r0; r < r1; ++r) {
    const double* from = values + (r * columns_ + c0) * samples_;
    const size_t at = (((slice - s0) * (r1 - r0)) + (r - r0)) * row_values;
    if (float32_) {
      float* to = reinterpret_cast<float*>(data_.data()) + at;
      for (size_t k = 0; k < row_values; ++k) to[k] = float(from[k]);
    } else {
      std::memcpy(reinterpret_cast<double*>(data_.data()) + at, from, row_values * sizeof(double));
    }
  }
  return {};
}

}  // namespace lazydcm
