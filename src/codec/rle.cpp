// RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits segment per byte
// plane (most significant first) of each sample; output interleaved.
#include <cstring>

#include "codec/adapters.hpp"
#include "core/bytes.hpp"

namespace lazydcm {
namespace {

class rle final : public codec {
 public:
  const char* name() const override { return "RLE Lossless"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t,
               decode_report&, const decode_options&) const override {
    if (size < 64) return make_error(errc::truncated, 0, "RLE header is 64 bytes");
    if (info.bits_allocated == 1 && info.samples_per_pixel == 1) return decode_1bit(src, size, info, dst);
    if (info.bits_allocated % 8 != 0)
      return make_error(errc::invalid_image_attributes, error::no_offset, "RLE needs 1, 8, 16 or 32 bits allocated");
    const uint32_t bytes = info.bits_allocated / 8, spp = info.samples_per_pixel;
    const uint32_t segments = load_u32le(src);
    if (segments != bytes * spp || segments > 15)
      return make_error(errc::invalid_value, 0,
                        "RLE header lists " + std::to_string(segments) + " segments, the image needs " +
                            std::to_string(bytes * spp));
    const uint64_t pixels = uint64_t(info.rows) * info.columns;
    std::vector<uint8_t> plane(pixels);
    for (uint32_t seg = 0; seg < segments; ++seg) {
      uint64_t start = load_u32le(src + 4 + 4 * seg);
      uint64_t end = seg + 1 < segments ? load_u32le(src + 8 + 4 * seg) : size;
      if (start < 64 || start > end || end > size)
        return make_error(errc::invalid_value, 4 + 4 * seg, "RLE segment offset out of range");
      if (error e = unpack(src + start, size_t(end - start), plane.data(), pixels, start); e.code != errc::ok) return e;
      // Segment order: sample 0 MSB..LSB, sample 1 ... ; little-endian output.
      const uint32_t sample = seg / bytes, byte_in_sample = bytes - 1 - seg % bytes;
      for (uint64_t p = 0; p < pixels; ++p) dst[(p * spp + sample) * bytes + byte_in_sample] = plane[p];
    }
    return {};
  }

 private:
  // 1-bit frames (segmentations): one segment holding the frame's bits packed as in native data
  // (LSB first, the frame padded to a whole byte: PS3.5 G.2 as pydicom >= 3.1 and highdicom write
  // it), or, from older writers, one byte per pixel. One uint8 0/1 per pixel out.
  static error decode_1bit(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst) {
    if (load_u32le(src) != 1)
      return make_error(errc::invalid_value, 0, "a 1-bit RLE frame has one segment, the header lists " + std::to_string(load_u32le(src)));
    const uint64_t start = load_u32le(src + 4), pixels = uint64_t(info.rows) * info.columns;
    if (start < 64 || start > size) return make_error(errc::invalid_value, 4, "RLE segment offset out of range");
    std::vector<uint8_t> plane(static_cast<size_t>(pixels));
    uint64_t got = 0;
    error e = unpack(src + start, size_t(size - start), plane.data(), pixels, start, &got);
    if (e.code == errc::ok) {
      for (uint64_t p = 0; p < pixels; ++p) dst[p] = plane[p] ? 1 : 0;
      return {};
    }
    if (got != (pixels + 7) / 8) return e;
    for (uint64_t p = 0; p < pixels; ++p) dst[p] = (plane[p >> 3] >> (p & 7)) & 1;
    return {};
  }

  // `produced`: the bytes written, also when the segment ends early (an error).
  static error unpack(const uint8_t* in, size_t n, uint8_t* out, uint64_t want, uint64_t offset, uint64_t* produced = nullptr) {
    uint64_t o = 0;
    size_t i = 0;
    while (o < want && i < n) {
      if (produced) *produced = o;
      int8_t h = int8_t(in[i++]);
      if (h >= 0) {
        size_t count = size_t(h) + 1;
        if (i + count > n) return make_error(errc::truncated, offset + i, "RLE literal run past the segment");
        count = size_t(std::min<uint64_t>(count, want - o));
        std::memcpy(out + o, in + i, count);
        o += count;
        i += size_t(h) + 1;
      } else if (h != -128) {
        if (i >= n) return make_error(errc::truncated, offset + i, "RLE repeat run past the segment");
        size_t count = size_t(std::min<uint64_t>(size_t(1 - h), want - o));
        std::memset(out + o, in[i++], count);
        o += count;
      }
    }
    if (produced) *produced = o;
    if (o < want)
      return make_error(errc::truncated, offset + i,
                        "RLE segment decodes to " + std::to_string(o) + " of " + std::to_string(want) + " bytes");
    return {};
  }
};

}  // namespace

const codec* rle_codec() {
  static const rle instance;
  return &instance;
}

}  // namespace lazydcm
