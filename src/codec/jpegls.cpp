// JPEG-LS lossless and near-lossless (.80, .81) with CharLS; planar (ILV none) output is
// interleaved to the common layout.
#include <charls.h>

#include <cstring>
#include <vector>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

class jpegls final : public codec {
 public:
  const char* name() const override { return "CharLS 2.0 (GDCM 3.0.21)"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report&, const decode_options&) const override {
    JlsParameters params;
    std::memset(&params, 0, sizeof params);
    char message[256] = {0};
    if (JpegLsReadHeader(src, size, &params, message) != charls::ApiResult::OK)
      return make_error(errc::invalid_value, error::no_offset, std::string("CharLS: ") + message);
    if (uint32_t(params.width) != info.columns || uint32_t(params.height) != info.rows ||
        uint32_t(params.components) != info.samples_per_pixel)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "JPEG-LS frame is " + std::to_string(params.width) + "x" + std::to_string(params.height) +
                            "x" + std::to_string(params.components) + ", the dataset says " +
                            std::to_string(info.columns) + "x" + std::to_string(info.rows) + "x" +
                            std::to_string(info.samples_per_pixel));
    const uint32_t sample_bytes = params.bitsPerSample > 8 ? 2 : 1;
    if (sample_bytes * 8 > info.bits_allocated)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "JPEG-LS samples of " + std::to_string(params.bitsPerSample) + " bits in " +
                            std::to_string(info.bits_allocated) + "-bit samples");
    const size_t pixels = size_t(info.rows) * info.columns, samples = pixels * info.samples_per_pixel;
    const bool direct = sample_bytes * 8 == info.bits_allocated &&
                        (info.samples_per_pixel == 1 || params.interleaveMode != charls::InterleaveMode::None);
    std::vector<uint8_t> tmp;
    uint8_t* out = dst;
    if (!direct) {
      tmp.resize(samples * sample_bytes);
      out = tmp.data();
    }
    // CharLS 2.0 peeks one byte past the end of a truncated scan (DecoderStrategy::EndScan, found
    // by ASan): give it a zero-padded copy so a corrupt frame is an error, not an overread.
    std::vector<uint8_t> padded(size + 16, 0);
    std::memcpy(padded.data(), src, size);
    if (JpegLsDecode(out, direct ? dst_size : tmp.size(), padded.data(), size, nullptr, message) != charls::ApiResult::OK)
      return make_error(errc::invalid_value, error::no_offset, std::string("CharLS: ") + message);
    if (direct) return {};
    const bool planar = params.interleaveMode == charls::InterleaveMode::None;
    const uint32_t spp = info.samples_per_pixel;
    for (size_t p = 0; p < pixels; ++p)
      for (uint32_t s = 0; s < spp; ++s) {
        size_t from = planar ? s * pixels + p : p * spp + s;
        int32_t v = sample_bytes == 2 ? int32_t(tmp[2 * from] | tmp[2 * from + 1] << 8) : tmp[from];
        codec_util::put_sample(dst, p * spp + s, info.bits_allocated, v);
      }
    return {};
  }
};

}  // namespace

const codec* jpegls_codec() {
  static const jpegls instance;
  return &instance;
}

}  // namespace lazydcm
