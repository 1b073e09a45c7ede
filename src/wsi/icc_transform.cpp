// ICC transforms with lcms2: linked into native builds and the lazydcm-icc WebAssembly module
// (the core module does not carry lcms2).
#include "wsi/icc.hpp"

#include <lcms2.h>

namespace lazydcm {

namespace {
cmsHPROFILE target_profile(icc_target target) {
  if (target == icc_target::srgb) return cmsCreate_sRGBProfile();
  // Display P3: DCI-P3 primaries, D65 white, the sRGB tone curve.
  cmsCIExyY white{0.3127, 0.3290, 1.0};
  cmsCIExyYTRIPLE primaries{{0.680, 0.320, 1.0}, {0.265, 0.690, 1.0}, {0.150, 0.060, 1.0}};
  const cmsFloat64Number params[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  cmsToneCurve* curve = cmsBuildParametricToneCurve(nullptr, 4, params);
  cmsToneCurve* curves[3] = {curve, curve, curve};
  cmsHPROFILE p = cmsCreateRGBProfile(&white, &primaries, curves);
  cmsFreeToneCurve(curve);
  return p;
}

std::string profile_description(cmsHPROFILE p) {
  char buf[256] = {0};
  cmsGetProfileInfoASCII(p, cmsInfoDescription, "en", "US", buf, sizeof buf);
  return buf;
}
}  // namespace

result<icc_transform> icc_transform::create(const uint8_t* profile, size_t size, icc_target target, icc_intent intent) {
  if (!profile || size < 132)
    return make_error(errc::icc_error, error::no_offset, "ICC profile of " + std::to_string(size) + " bytes is too short");
  cmsHPROFILE in = cmsOpenProfileFromMem(profile, cmsUInt32Number(size));
  if (!in) return make_error(errc::icc_error, error::no_offset, "lcms2 cannot read the ICC profile");
  if (cmsGetColorSpace(in) != cmsSigRgbData) {
    cmsCloseProfile(in);
    return make_error(errc::icc_error, error::no_offset, "the ICC profile is not an RGB profile");
  }
  cmsHPROFILE out = target_profile(target);
  cmsHTRANSFORM t = cmsCreateTransform(in, TYPE_RGB_8, out, TYPE_RGB_8, cmsUInt32Number(intent), 0);
  icc_transform x;
  x.description_ = profile_description(in) + " -> " + (target == icc_target::srgb ? "sRGB" : "Display P3");
  cmsCloseProfile(in);
  cmsCloseProfile(out);
  if (!t) return make_error(errc::icc_error, error::no_offset, "lcms2 cannot build a transform from the ICC profile");
  x.handle_ = t;
  return x;
}

icc_transform::icc_transform(icc_transform&& o) noexcept : handle_(o.handle_), description_(std::move(o.description_)) { o.handle_ = nullptr; }
icc_transform& icc_transform::operator=(icc_transform&& o) noexcept {
  std::swap(handle_, o.handle_);
  std::swap(description_, o.description_);
  return *this;
}
icc_transform::~icc_transform() {
  if (handle_) cmsDeleteTransform(static_cast<cmsHTRANSFORM>(handle_));
}

void icc_transform::apply(uint8_t* rgb, size_t pixels) const {
  constexpr size_t chunk = 1 << 20;  // lcms takes a 32-bit pixel count
  for (size_t done = 0; done < pixels; done += chunk) {
    const size_t n = std::min(chunk, pixels - done);
    cmsDoTransform(static_cast<cmsHTRANSFORM>(handle_), rgb + 3 * done, rgb + 3 * done, cmsUInt32Number(n));
  }
}

}  // namespace lazydcm
