// Deflated Image Frame Compression (1.2.840.10008.1.2.8.1, PS3.5 8.2.16, Sup 244): each frame is
// a native frame compressed with Deflate (RFC 1951, no zlib header), one frame per fragment
// (its item padded to even length). Inflated with zlib, then decoded as a native frame (1-bit
// segmentations unpacked, words swapped, planes interleaved).
#include <zlib.h>

#include <vector>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

class deflate_frame final : public codec {
 public:
  const char* name() const override { return "Deflate (zlib 1.3)"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report& report, const decode_options& options) const override {
    // The native frame's size: bit-packed for 1-bit data, else samples x bytes.
    const uint64_t native = info.bits_allocated == 1
                                ? (uint64_t(info.rows) * info.columns * info.samples_per_pixel + 7) / 8
                                : stored_frame_size(info);
    std::vector<uint8_t> plain(static_cast<size_t>(native));
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return make_error(errc::deflate_error, error::no_offset, "inflateInit2 failed");
    zs.next_in = const_cast<Bytef*>(src);
    zs.avail_in = uInt(size);
    zs.next_out = plain.data();
    zs.avail_out = uInt(plain.size());
    const int rc = inflate(&zs, Z_FINISH);
    const uint64_t produced = plain.size() - zs.avail_out;
    inflateEnd(&zs);
    // Z_BUF_ERROR with a full output: more data than a frame holds (ignored, as pad bytes are).
    if (rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced == native) && !(rc == Z_OK && produced == native))
      return make_error(errc::deflate_error, error::no_offset,
                        std::string("inflating the frame: ") + (zs.msg ? zs.msg : "stream ends early"));
    if (produced < native)
      return make_error(errc::truncated, error::no_offset,
                        "the frame inflates to " + std::to_string(produced) + " bytes, " + std::to_string(native) + " expected");
    return native_codec()->decode(plain.data(), plain.size(), info, dst, dst_size, report, options);
  }
};

}  // namespace

const codec* deflate_frame_codec() {
  static const deflate_frame instance;
  return &instance;
}

}  // namespace lazydcm
