// ICC colour management for slides (lcms2): the slide's profile (Optical Path Sequence, else top
// level) to sRGB or Display P3, 8-bit RGB in place. Off unless asked for, as in EZ-WSI.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "dicom/dataset.hpp"

namespace lazydcm {

enum class icc_target { srgb, display_p3 };
enum class icc_intent { perceptual = 0, relative_colorimetric = 1, saturation = 2, absolute_colorimetric = 3 };

class icc_transform {
 public:
  static result<icc_transform> create(const uint8_t* profile, size_t size, icc_target target,
                                      icc_intent intent = icc_intent::perceptual);
  icc_transform(icc_transform&&) noexcept;
  icc_transform& operator=(icc_transform&&) noexcept;
  ~icc_transform();
  void apply(uint8_t* rgb, size_t pixels) const;  // interleaved RGB, in place
  const std::string& description() const { return description_; }

 private:
  icc_transform() = default;
  void* handle_ = nullptr;  // cmsHTRANSFORM
  std::string description_;
};

// The ICC profile element of a slide instance: Optical Path Sequence item `optical_path`, else
// the top level; null when there is none. Its value may be bulk (not read): check element::bulk.
const element* find_icc_profile(const dataset& ds, size_t optical_path = 0);

}  // namespace lazydcm
