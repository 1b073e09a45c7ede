// An ICC profile from a slide's Optical Path Sequence, turned into a transform to sRGB or Display
// P3 by lcms2 and applied to a few pixels.
#include <cstdint>
#include <vector>

#include "wsi/icc.hpp"

using namespace lazydcm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const icc_target target = data[0] & 1 ? icc_target::display_p3 : icc_target::srgb;
  std::vector<uint8_t> profile(data + 1, data + size);
  auto t = icc_transform::create(profile.data(), profile.size(), target);
  if (!t) return 0;
  uint8_t rgb[3 * 64];
  for (int i = 0; i < 3 * 64; ++i) rgb[i] = uint8_t(i * 37);
  t.value().apply(rgb, 64);
  return 0;
}
