// The image attributes of a dataset that locate and size its frames (Rows, Columns, Samples per
// Pixel, Bits Allocated, ...), read and checked against lazydcm's limits before anything is
// allocated from them. Used by the frame indexer (native frame sizes) and by every pixel reader.
#pragma once
#include <cstdint>
#include <string>

#include "core/error.hpp"
#include "dicom/dataset.hpp"
#include "dicom/reader.hpp"

namespace lazydcm {

struct image_info {
  uint32_t rows = 0, columns = 0, samples_per_pixel = 1, bits_allocated = 0, bits_stored = 0;
  uint32_t pixel_representation = 0, planar_configuration = 0;
  uint64_t number_of_frames = 1;
  std::string photometric_interpretation;
  bool samples_per_pixel_was_zero = false;  // a writer's quirk, read as 1 (MONOCHROME)
  // Bits of one native frame. YBR_FULL_422 stores two samples per pixel (Y, and Cb or Cr).
  uint64_t frame_bits() const {
    if (photometric_interpretation == "YBR_FULL_422" && samples_per_pixel == 3)
      return uint64_t(rows) * ((uint64_t(columns) + 1) / 2 * 2) * 2 * bits_allocated;
    return uint64_t(rows) * columns * samples_per_pixel * bits_allocated;
  }
};
// Limits for declared sizes, checked before anything is allocated from them: 4,194,304 frames
// (whole-slide levels hold ~10^5 tiles, large SEGs ~10^5 frames) and 1 GiB per decoded frame.
constexpr uint64_t k_max_frames = uint64_t(1) << 22;
constexpr uint64_t k_max_frame_bytes = uint64_t(1) << 30;
result<image_info> read_image_info(const dataset& ds, const pixel_data_info& px);

}  // namespace lazydcm
