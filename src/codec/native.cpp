// Native (uncompressed) frames: 1-bit unpacking (frames may start mid-byte), big-endian words
// swapped, planar configuration 1 interleaved.
#include <cstring>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

// Native YBR_FULL_422 holds two luminance samples and one Cb, Cr pair per two pixels.
bool is_ybr_422(const frame_info& info) {
  return info.photometric_interpretation == "YBR_FULL_422" && info.samples_per_pixel == 3 && info.bits_allocated == 8;
}

error expand_422(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst) {
  const uint64_t pairs = (uint64_t(info.columns) + 1) / 2;
  if (size < pairs * 4 * info.rows) return make_error(errc::truncated, error::no_offset, "YBR_FULL_422 frame too short");
  for (uint32_t y = 0; y < info.rows; ++y) {
    const uint8_t* in = src + y * pairs * 4;
    for (uint32_t x = 0; x < info.columns; ++x) {
      const uint8_t* pair = in + (x / 2) * 4;
      uint8_t* out = dst + (uint64_t(y) * info.columns + x) * 3;
      out[0] = pair[x % 2];
      out[1] = pair[2];
      out[2] = pair[3];
    }
  }
  return {};
}

class native final : public codec {
 public:
  const char* name() const override { return "native"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report&, const decode_options&) const override {
    const uint64_t pixels = uint64_t(info.rows) * info.columns;
    const uint64_t samples = pixels * info.samples_per_pixel;
    if (info.bits_allocated == 1) {
      if (size * 8 < info.bit_offset + samples)
        return make_error(errc::truncated, error::no_offset, "1-bit frame shorter than its pixels");
      for (uint64_t i = 0; i < samples; ++i) {
        uint64_t bit = info.bit_offset + i;
        dst[i] = (src[bit / 8] >> (bit % 8)) & 1;
      }
      return {};
    }
    const unsigned bytes = info.bits_allocated / 8;
    if (is_ybr_422(info)) return expand_422(src, size, info, dst);
    const uint64_t need = samples * bytes;
    if (size < need)
      return make_error(errc::truncated, error::no_offset,
                        "frame holds " + std::to_string(size) + " bytes, needs " + std::to_string(need));
    (void)dst_size;
    const bool swap = info.big_endian && bytes > 1;
    const bool planar = info.planar_configuration == 1 && info.samples_per_pixel > 1;
    if (!swap && !planar) {
      std::memcpy(dst, src, need);
      return {};
    }
    const uint32_t spp = info.samples_per_pixel;
    for (uint64_t p = 0; p < pixels; ++p) {
      for (uint32_t s = 0; s < spp; ++s) {
        const uint8_t* in = src + (planar ? (s * pixels + p) : (p * spp + s)) * bytes;
        uint8_t* out = dst + (p * spp + s) * bytes;
        for (unsigned b = 0; b < bytes; ++b) out[b] = swap ? in[bytes - 1 - b] : in[b];
      }
    }
    return {};
  }
};

}  // namespace

const codec* native_codec() {
  static const native instance;
  return &instance;
}

}  // namespace lazydcm
