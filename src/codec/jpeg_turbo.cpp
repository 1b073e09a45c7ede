// JPEG Baseline (.50) and Extended (.51): libjpeg-turbo 3.1.3 at the frame header's sample
// precision (8 or 12 bits).
#include "codec/adapters.hpp"
#include "codec/jpeg_turbo.hpp"

namespace lazydcm {

int jpeg_precision(const uint8_t* p, size_t n, uint8_t* sof) {
  size_t pos = 2;
  while (pos + 4 < n) {
    if (p[pos] != 0xFF) return 0;
    uint8_t m = p[pos + 1];
    if (m == 0xFF) { ++pos; continue; }
    if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
      if (sof) *sof = m;
      return pos + 4 < n ? p[pos + 4] : 0;
    }
    if (m == 0xD8 || m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { pos += 2; continue; }
    pos += 2 + (size_t(p[pos + 2]) << 8 | p[pos + 3]);
  }
  return 0;
}

namespace {

error decode_lossless(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report);

// A DCT codestream at its sample precision, into samples wide enough for it.
error decode_dct_at(int precision, const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst,
                    decode_report& report, const decode_options& options) {
  if ((precision == 8 && info.bits_allocated >= 8) || (precision == 12 && info.bits_allocated >= 16)) {
    report.decoder = "libjpeg-turbo 3.1.3 (" + std::to_string(precision) + "-bit)";
    return decode_libjpeg(src, size, info, dst, report, options.rgb, false);
  }
  return make_error(errc::invalid_value, error::no_offset,
                    "JPEG sample precision " + std::to_string(precision) + " in " +
                        std::to_string(info.bits_allocated) + "-bit samples");
}

class jpeg_turbo final : public codec {
 public:
  const char* name() const override { return "libjpeg-turbo 3.1.3"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t,
               decode_report& report, const decode_options& options) const override {
    if (size < 4 || src[0] != 0xFF || src[1] != 0xD8)
      return make_error(errc::invalid_value, 0, "JPEG frame does not start with SOI");
    uint8_t sof = 0;
    const int precision = jpeg_precision(src, size, &sof);
    if (sof == 0xC3) {
      // A lossless (process 14) codestream under a DCT transfer syntax: decode what it is.
      error e = decode_lossless(src, size, info, dst, report);
      if (e.code == errc::ok) report.decoder += "; JPEG process 14 (SOF3) under a DCT transfer syntax";
      return e;
    }
    return decode_dct_at(precision, src, size, info, dst, report, options);
  }
};

// Process 14 (SOF3) at its precision, 2 to 16 bits, every predictor and point transform.
error decode_lossless(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report) {
  report.decoder = "libjpeg-turbo 3.1.3 (lossless, " + std::to_string(jpeg_precision(src, size)) + "-bit)";
  return decode_libjpeg(src, size, info, dst, report, false, true);
}

// JPEG Lossless (.57, .70): process 14. A DCT codestream under these syntaxes is decoded as what it is.
class jpeg_lossless final : public codec {
 public:
  const char* name() const override { return "libjpeg-turbo 3.1.3 (lossless)"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t,
               decode_report& report, const decode_options& options) const override {
    if (size < 4 || src[0] != 0xFF || src[1] != 0xD8)
      return make_error(errc::invalid_value, 0, "JPEG frame does not start with SOI");
    uint8_t sof = 0;
    jpeg_precision(src, size, &sof);
    if (sof == 0xC0 || sof == 0xC1 || sof == 0xC2) {
      error e = decode_dct(src, size, info, dst, report, options);
      if (e.code == errc::ok) report.decoder += "; JPEG process SOF" + std::to_string(sof - 0xC0) + " under a lossless transfer syntax";
      return e;
    }
    if (sof != 0xC3)
      return make_error(errc::invalid_value, error::no_offset,
                        sof ? "JPEG lossless: SOF" + std::to_string(sof - 0xC0) + " is not a lossless frame" : "JPEG lossless: no SOF marker");
    return decode_lossless(src, size, info, dst, report);
  }
};

}  // namespace

const codec* jpeg_lossless_codec() {
  static const jpeg_lossless instance;
  return &instance;
}

error decode_dct(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                 const decode_options& options) {
  if (size < 4 || src[0] != 0xFF || src[1] != 0xD8)
    return make_error(errc::invalid_value, 0, "JPEG frame does not start with SOI");
  return decode_dct_at(jpeg_precision(src, size), src, size, info, dst, report, options);
}

const codec* jpeg_turbo_codec() {
  static const jpeg_turbo instance;
  return &instance;
}

}  // namespace lazydcm
