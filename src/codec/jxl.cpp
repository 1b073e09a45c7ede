// JPEG XL (.4.110 lossless, .4.111 JPEG recompression, .4.112) with libjxl 0.11.2's decoder: one
// frame's codestream (or container) to its samples — 8 or 16 bits, 1 or 3 samples, the values the
// codestream holds (bit depth from the codestream, not rescaled to the output type). A recompressed
// JPEG is decoded to pixels here; jxl_to_jpeg gives its original JPEG bytes back. Colour is
// returned as coded (RGB for three samples); no colour management is linked.
#include <jxl/decode.h>

#include <memory>
#include <string>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

struct decoder_deleter {
  void operator()(JxlDecoder* d) const { JxlDecoderDestroy(d); }
};
using decoder_ptr = std::unique_ptr<JxlDecoder, decoder_deleter>;

error jxl_error(errc code, const std::string& what) { return make_error(code, error::no_offset, "JPEG XL: " + what); }

// A decoder over the whole input (closed: the frame is all there is).
error open_decoder(const uint8_t* src, size_t size, int events, decoder_ptr& out) {
  if (!src || size < 2) return jxl_error(errc::truncated, "frame of " + std::to_string(size) + " bytes");
  const JxlSignature sig = JxlSignatureCheck(src, size);
  if (sig != JXL_SIG_CODESTREAM && sig != JXL_SIG_CONTAINER) return jxl_error(errc::invalid_value, "no JPEG XL signature");
  out.reset(JxlDecoderCreate(nullptr));
  if (!out) return jxl_error(errc::out_of_memory, "no decoder");
  if (JxlDecoderSubscribeEvents(out.get(), events) != JXL_DEC_SUCCESS || JxlDecoderSetInput(out.get(), src, size) != JXL_DEC_SUCCESS)
    return jxl_error(errc::invalid_value, "the decoder refused its input");
  JxlDecoderCloseInput(out.get());
  return {};
}

class jxl final : public codec {
 public:
  const char* name() const override { return "libjxl 0.11.2"; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report& report, const decode_options&) const override {
    if (info.bits_allocated != 8 && info.bits_allocated != 16)
      return jxl_error(errc::invalid_image_attributes, std::to_string(info.bits_allocated) + "-bit samples (8 or 16 only)");
    if (info.samples_per_pixel != 1 && info.samples_per_pixel != 3)
      return jxl_error(errc::invalid_image_attributes, std::to_string(info.samples_per_pixel) + " samples per pixel");
    decoder_ptr dec;
    if (error e = open_decoder(src, size, JXL_DEC_BASIC_INFO | JXL_DEC_FULL_IMAGE, dec); e.code != errc::ok) return e;
    // The frame's own orientation: DICOM says how rows and columns lie, not the codestream.
    JxlDecoderSetKeepOrientation(dec.get(), JXL_TRUE);
    const JxlPixelFormat format{info.samples_per_pixel, info.bits_allocated == 8 ? JXL_TYPE_UINT8 : JXL_TYPE_UINT16,
                                JXL_LITTLE_ENDIAN, 0};
    JxlBasicInfo basic{};
    bool have_basic = false, done = false;
    while (!done) {
      switch (JxlDecoderProcessInput(dec.get())) {
        case JXL_DEC_BASIC_INFO: {
          if (JxlDecoderGetBasicInfo(dec.get(), &basic) != JXL_DEC_SUCCESS) return jxl_error(errc::invalid_value, "no basic info");
          // Checked before any pixel is decoded (the header alone sizes the decoder's buffers).
          if (basic.xsize != info.columns || basic.ysize != info.rows || basic.num_color_channels != info.samples_per_pixel)
            return jxl_error(errc::invalid_image_attributes,
                             "frame is " + std::to_string(basic.xsize) + "x" + std::to_string(basic.ysize) + "x" +
                                 std::to_string(basic.num_color_channels) + ", the dataset says " + std::to_string(info.columns) +
                                 "x" + std::to_string(info.rows) + "x" + std::to_string(info.samples_per_pixel));
          if (basic.exponent_bits_per_sample != 0) return jxl_error(errc::invalid_image_attributes, "floating-point samples");
          if (basic.bits_per_sample > info.bits_allocated)
            return jxl_error(errc::invalid_image_attributes, std::to_string(basic.bits_per_sample) + "-bit samples in " +
                                                                 std::to_string(info.bits_allocated) + "-bit values");
          have_basic = true;
          break;
        }
        case JXL_DEC_NEED_IMAGE_OUT_BUFFER: {
          size_t need = 0;
          if (!have_basic || JxlDecoderImageOutBufferSize(dec.get(), &format, &need) != JXL_DEC_SUCCESS || need > dst_size)
            return jxl_error(errc::invalid_image_attributes, "output of " + std::to_string(need) + " bytes for a frame of " +
                                                                 std::to_string(dst_size));
          if (JxlDecoderSetImageOutBuffer(dec.get(), &format, dst, need) != JXL_DEC_SUCCESS)
            return jxl_error(errc::invalid_value, "the decoder refused the output buffer");
          const JxlBitDepth depth{JXL_BIT_DEPTH_FROM_CODESTREAM, 0, 0};  // stored values, not rescaled
          if (JxlDecoderSetImageOutBitDepth(dec.get(), &depth) != JXL_DEC_SUCCESS)
            return jxl_error(errc::invalid_value, "the decoder refused the codestream's bit depth");
          break;
        }
        case JXL_DEC_FULL_IMAGE:
          done = true;  // the first frame is the DICOM frame
          break;
        case JXL_DEC_SUCCESS:
          if (!done) return jxl_error(errc::invalid_value, "no image in the codestream");
          done = true;
          break;
        case JXL_DEC_NEED_MORE_INPUT:
          return jxl_error(errc::truncated, "the codestream ends early");
        case JXL_DEC_ERROR:
          return jxl_error(errc::invalid_value, "invalid codestream");
        default:
          break;  // events not subscribed to
      }
    }
    if (info.pixel_representation == 1 && basic.bits_per_sample < 16 && info.bits_allocated == 16)
      codec_util::sign_extend(dst, size_t(info.rows) * info.columns * info.samples_per_pixel, 16, info.bits_stored);
    if (info.samples_per_pixel == 3) report.photometric_interpretation = "RGB";
    return {};
  }
};

}  // namespace

const codec* jxl_codec() {
  static const jxl c;
  return &c;
}

result<std::vector<uint8_t>> jxl_to_jpeg(const uint8_t* src, size_t size) {
  decoder_ptr dec;
  if (error e = open_decoder(src, size, JXL_DEC_JPEG_RECONSTRUCTION | JXL_DEC_FULL_IMAGE, dec); e.code != errc::ok) return e;
  std::vector<uint8_t> out(size_t(64) * 1024 + size * 2);
  bool reconstructing = false;
  for (;;) {
    switch (JxlDecoderProcessInput(dec.get())) {
      case JXL_DEC_JPEG_RECONSTRUCTION:
        reconstructing = true;
        if (JxlDecoderSetJPEGBuffer(dec.get(), out.data(), out.size()) != JXL_DEC_SUCCESS)
          return jxl_error(errc::invalid_value, "the decoder refused the JPEG buffer");
        break;
      case JXL_DEC_JPEG_NEED_MORE_OUTPUT: {
        const size_t left = JxlDecoderReleaseJPEGBuffer(dec.get()), used = out.size() - left;
        if (out.size() > (size_t(1) << 30)) return jxl_error(errc::value_too_large, "reconstructed JPEG over 1 GiB");
        out.resize(out.size() * 2);
        if (JxlDecoderSetJPEGBuffer(dec.get(), out.data() + used, out.size() - used) != JXL_DEC_SUCCESS)
          return jxl_error(errc::invalid_value, "the decoder refused the JPEG buffer");
        break;
      }
      case JXL_DEC_FULL_IMAGE:
      case JXL_DEC_SUCCESS: {
        if (!reconstructing) return jxl_error(errc::invalid_value, "the codestream holds no recompressed JPEG (not .4.111)");
        out.resize(out.size() - JxlDecoderReleaseJPEGBuffer(dec.get()));
        return out;
      }
      case JXL_DEC_NEED_IMAGE_OUT_BUFFER:
        return jxl_error(errc::invalid_value, "the codestream holds no recompressed JPEG (not .4.111)");
      case JXL_DEC_NEED_MORE_INPUT:
        return jxl_error(errc::truncated, "the codestream ends early");
      case JXL_DEC_ERROR:
        return jxl_error(errc::invalid_value, "invalid codestream");
      default:
        break;
    }
  }
}

}  // namespace lazydcm
