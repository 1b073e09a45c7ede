// JPEG 2000 (.90, .91) with OpenJPEG 2.5.4 (and the HTJ2K frames OpenJPH leaves to it, htj2k.cpp): J2K codestreams or JP2 files,
// reduced-resolution decoding, signed components, subsampled components brought to full size.
// OpenJPEG applies the inverse RCT/ICT, so YBR_RCT / YBR_ICT frames come back as RGB (as GDCM).
#include <openjpeg.h>

#include <algorithm>
#include <cstring>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

struct memory_stream {
  const uint8_t* data;
  OPJ_SIZE_T size;
  OPJ_SIZE_T pos;
};

OPJ_SIZE_T read_fn(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  if (s->pos >= s->size) return OPJ_SIZE_T(-1);
  OPJ_SIZE_T k = std::min(n, s->size - s->pos);
  std::memcpy(buffer, s->data + s->pos, k);
  s->pos += k;
  return k;
}
OPJ_OFF_T skip_fn(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  OPJ_OFF_T target = OPJ_OFF_T(s->pos) + n;
  if (target < 0) target = 0;
  if (OPJ_SIZE_T(target) > s->size) target = OPJ_OFF_T(s->size);
  OPJ_OFF_T moved = target - OPJ_OFF_T(s->pos);
  s->pos = OPJ_SIZE_T(target);
  return moved;
}
OPJ_BOOL seek_fn(OPJ_OFF_T n, void* user) {
  auto* s = static_cast<memory_stream*>(user);
  if (n < 0 || OPJ_SIZE_T(n) > s->size) return OPJ_FALSE;
  s->pos = OPJ_SIZE_T(n);
  return OPJ_TRUE;
}
void capture(const char* msg, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->empty()) {
    *out = msg;
    while (!out->empty() && (out->back() == '\n' || out->back() == ' ')) out->pop_back();
  }
}
void ignore(const char*, void*) {}

// One full-size component into the interleaved output, typed by bits allocated.
void copy_component(const OPJ_INT32* src, size_t n, uint32_t c, uint32_t nc, uint32_t bits, uint8_t* dst) {
  switch (bits) {
    case 8:
      for (size_t i = 0; i < n; ++i) dst[i * nc + c] = uint8_t(src[i]);
      break;
    case 16: {
      for (size_t i = 0; i < n; ++i) {
        const uint16_t v = uint16_t(src[i]);
        std::memcpy(dst + 2 * (i * nc + c), &v, 2);  // little-endian targets
      }
      break;
    }
    default:
      for (size_t i = 0; i < n; ++i) codec_util::put_sample(dst, i * nc + c, bits, src[i]);
  }
}

}  // namespace

// OpenJPEG's and OpenJPH's header reading allocate per tile: a 150-byte codestream declaring a
// 3,211,364-pixel-wide image in 32,114 tiles took 312 MB before the size check that follows it
// (found by fuzz_codec_htj2k). This reads SIZ first.
std::string j2k_siz_mismatch(const uint8_t* p, size_t n, const frame_info& info) {
  if (n < 4 + 40 || p[2] != 0xFF || p[3] != 0x51) return "no SIZ marker after SOC";
  auto u32 = [&](size_t at) { return uint32_t(p[at]) << 24 | uint32_t(p[at + 1]) << 16 | uint32_t(p[at + 2]) << 8 | p[at + 3]; };
  const uint64_t x = u32(8), y = u32(12), x0 = u32(16), y0 = u32(20), tx = u32(24), ty = u32(28), tx0 = u32(32), ty0 = u32(36);
  const uint32_t components = uint32_t(p[40]) << 8 | p[41];
  if (x <= x0 || y <= y0 || tx == 0 || ty == 0 || tx0 > x0 || ty0 > y0) return "an inconsistent SIZ marker";
  if (x - x0 != info.columns || y - y0 != info.rows || components != info.samples_per_pixel)
    return "J2K image is " + std::to_string(x - x0) + "x" + std::to_string(y - y0) + "x" + std::to_string(components) +
           ", the frame " + std::to_string(info.columns) + "x" + std::to_string(info.rows) + "x" + std::to_string(info.samples_per_pixel);
  const uint64_t tiles = ((x - tx0 + tx - 1) / tx) * ((y - ty0 + ty - 1) / ty);
  if (tiles > 4096) return "J2K frame in " + std::to_string(tiles) + " tiles (at most 4096)";
  return {};
}

namespace {

class j2k final : public codec {
 public:
  const char* name() const override { return "OpenJPEG 2.5.4"; }
  bool reduces() const override { return true; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t,
               decode_report& report, const decode_options& options) const override {
    OPJ_CODEC_FORMAT format;
    if (size >= 4 && src[0] == 0xFF && src[1] == 0x4F && src[2] == 0xFF && src[3] == 0x51) format = OPJ_CODEC_J2K;
    else if (size >= 12 && std::memcmp(src + 4, "jP  ", 4) == 0) format = OPJ_CODEC_JP2;
    else return make_error(errc::invalid_value, 0, "neither a J2K codestream nor a JP2 file");
    if (format == OPJ_CODEC_J2K) {
      if (std::string bad = j2k_siz_mismatch(src, size, info); !bad.empty())
        return make_error(errc::invalid_image_attributes, error::no_offset, bad);
    }
    std::string message;
    opj_codec_t* codec = opj_create_decompress(format);
    opj_set_error_handler(codec, capture, &message);
    opj_set_warning_handler(codec, ignore, nullptr);
    opj_set_info_handler(codec, ignore, nullptr);
    opj_dparameters_t params;
    opj_set_default_decoder_parameters(&params);
    params.cp_reduce = OPJ_UINT32(options.reduce);
    memory_stream ms{src, size, 0};
    opj_stream_t* stream = opj_stream_default_create(OPJ_TRUE);
    opj_stream_set_user_data(stream, &ms, nullptr);
    opj_stream_set_user_data_length(stream, size);
    opj_stream_set_read_function(stream, read_fn);
    opj_stream_set_skip_function(stream, skip_fn);
    opj_stream_set_seek_function(stream, seek_fn);
    opj_image_t* image = nullptr;
    auto done = [&](error e) {
      if (image) opj_image_destroy(image);
      opj_stream_destroy(stream);
      opj_destroy_codec(codec);
      return e;
    };
    auto failed = [&](const char* stage) {
      return done(make_error(errc::invalid_value, error::no_offset,
                             std::string("OpenJPEG: ") + stage + (message.empty() ? "" : ": " + message)));
    };
    if (!opj_setup_decoder(codec, &params)) return failed("setup");
    if (!opj_read_header(stream, codec, &image)) return failed("reading the header");
    // The codestream's size and components against the frame's, before decoding: a 25 KB
    // codestream may declare a gigapixel image.
    uint32_t rows = info.rows, cols = info.columns;
    for (int r = 0; r < options.reduce; ++r) {
      rows = (rows + 1) / 2;
      cols = (cols + 1) / 2;
    }
    const uint32_t nc = image->numcomps;
    if (nc != info.samples_per_pixel)
      return done(make_error(errc::invalid_image_attributes, error::no_offset,
                             "J2K has " + std::to_string(nc) + " components, the dataset says " +
                                 std::to_string(info.samples_per_pixel)));
    const uint32_t full_w = uint32_t((uint64_t(image->x1) - image->x0 + (1u << options.reduce) - 1) >> options.reduce);
    const uint32_t full_h = uint32_t((uint64_t(image->y1) - image->y0 + (1u << options.reduce) - 1) >> options.reduce);
    if (full_w != cols || full_h != rows)
      return done(make_error(errc::invalid_image_attributes, error::no_offset,
                             "J2K image is " + std::to_string(full_w) + "x" + std::to_string(full_h) +
                                 ", expected " + std::to_string(cols) + "x" + std::to_string(rows)));
    if (!opj_decode(codec, stream, image)) return failed("decoding");
    if (!opj_end_decompress(codec, stream)) return failed("finishing");
    for (uint32_t c = 0; c < nc; ++c) {
      const opj_image_comp_t& comp = image->comps[c];
      if (!comp.data || comp.prec > info.bits_allocated || comp.dx == 0 || comp.dy == 0)
        return done(make_error(errc::invalid_image_attributes, error::no_offset,
                               "J2K component " + std::to_string(c) + " of " + std::to_string(comp.prec) +
                                   " bits does not fit " + std::to_string(info.bits_allocated) + "-bit samples"));
      if (comp.dx == 1 && comp.dy == 1 && comp.w == cols && comp.h == rows) {
        copy_component(comp.data, size_t(rows) * cols, c, nc, info.bits_allocated, dst);
        continue;
      }
      // Subsampled components are repeated to full size.
      for (uint32_t y = 0; y < rows; ++y) {
        const uint32_t cy = std::min<uint32_t>(y / comp.dy, comp.h - 1);
        for (uint32_t x = 0; x < cols; ++x) {
          const uint32_t cx = std::min<uint32_t>(x / comp.dx, comp.w - 1);
          codec_util::put_sample(dst, (size_t(y) * cols + x) * nc + c, info.bits_allocated,
                                 comp.data[size_t(cy) * comp.w + cx]);
        }
      }
    }
    report.rows = rows;
    report.columns = cols;
    if (info.pixel_representation == 1 && !image->comps[0].sgnd) {
      // An unsigned codestream under Pixel Representation 1 (J2K_pixelrep_mismatch.dcm): follow
      // the dataset, as pydicom and GDCM do: sign-extend from Bits Stored.
      const uint32_t bits = info.bits_stored > 0 && info.bits_stored <= info.bits_allocated ? info.bits_stored : image->comps[0].prec;
      codec_util::sign_extend(dst, size_t(rows) * cols * nc, info.bits_allocated, bits);
      report.decoder += "; unsigned codestream, Pixel Representation 1: sign-extended from bit " + std::to_string(bits);
    }
    if (nc == 3 && (info.photometric_interpretation == "YBR_RCT" || info.photometric_interpretation == "YBR_ICT"))
      report.photometric_interpretation = "RGB";
    return done({});
  }
};

}  // namespace

const codec* j2k_codec() {
  static const j2k instance;
  return &instance;
}

}  // namespace lazydcm
