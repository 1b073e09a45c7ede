// JPEG-LS lossless and near-lossless (.80, .81) with CharLS 2.4 through its C interface (no
// exception crosses it); planar (ILV none) output is interleaved to the common layout.
#include <charls/charls.h>

#include <cstring>
#include <memory>
#include <vector>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

struct decoder_deleter {
  void operator()(charls_jpegls_decoder* d) const { charls_jpegls_decoder_destroy(d); }
};

error charls_error(charls_jpegls_errc ec) {
  return make_error(errc::invalid_value, error::no_offset, std::string("CharLS: ") + charls_get_error_message(ec));
}

class jpegls final : public codec {
 public:
  const char* name() const override { return "CharLS 2.4.2"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report&, const decode_options&) const override {
    // CharLS declares its source non-null: an empty frame (a null pointer here) is ours to refuse.
    if (size < 4 || !src) return make_error(errc::truncated, error::no_offset, "JPEG-LS frame of " + std::to_string(size) + " bytes");
    std::unique_ptr<charls_jpegls_decoder, decoder_deleter> dec(charls_jpegls_decoder_create());
    if (!dec) return make_error(errc::out_of_memory, error::no_offset, "CharLS: no decoder");
    charls_frame_info params{};
    charls_interleave_mode ilv{};
    charls_jpegls_errc ec = charls_jpegls_decoder_set_source_buffer(dec.get(), src, size);
    if (ec == charls::jpegls_errc::success) ec = charls_jpegls_decoder_read_header(dec.get());
    if (ec == charls::jpegls_errc::success) ec = charls_jpegls_decoder_get_frame_info(dec.get(), &params);
    if (ec == charls::jpegls_errc::success) ec = charls_jpegls_decoder_get_interleave_mode(dec.get(), &ilv);
    if (ec != charls::jpegls_errc::success) return charls_error(ec);
    if (params.width != info.columns || params.height != info.rows ||
        uint32_t(params.component_count) != info.samples_per_pixel)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "JPEG-LS frame is " + std::to_string(params.width) + "x" + std::to_string(params.height) +
                            "x" + std::to_string(params.component_count) + ", the dataset says " +
                            std::to_string(info.columns) + "x" + std::to_string(info.rows) + "x" +
                            std::to_string(info.samples_per_pixel));
    const uint32_t sample_bytes = params.bits_per_sample > 8 ? 2 : 1;
    if (sample_bytes * 8 > info.bits_allocated)
      return make_error(errc::invalid_image_attributes, error::no_offset,
                        "JPEG-LS samples of " + std::to_string(params.bits_per_sample) + " bits in " +
                            std::to_string(info.bits_allocated) + "-bit samples");
    const size_t pixels = size_t(info.rows) * info.columns, samples = pixels * info.samples_per_pixel;
    const bool direct = sample_bytes * 8 == info.bits_allocated &&
                        (info.samples_per_pixel == 1 || ilv != charls::interleave_mode::none);
    std::vector<uint8_t> tmp;
    uint8_t* out = dst;
    if (!direct) {
      tmp.resize(samples * sample_bytes);
      out = tmp.data();
    }
    ec = charls_jpegls_decoder_decode_to_buffer(dec.get(), out, direct ? dst_size : tmp.size(), 0);
    if (ec != charls::jpegls_errc::success) return charls_error(ec);
    if (direct) return {};
    const bool planar = ilv == charls::interleave_mode::none;
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
