// libjpeg-turbo 3.1.3 for every JPEG process DICOM uses — baseline and extended DCT (8 and 12
// bits) and lossless (process 14, all predictors, 2 to 16 bits) — from one library, the sample
// precision chosen at run time (jpeg_/jpeg12_/jpeg16_read_scanlines).
// libjpeg reports errors through error_exit, whose default calls exit(): ours longjmps back and
// maps the message to an error code (squoosh's mozjpeg wrapper warns about exactly this).
#include <csetjmp>
#include <cstdio>
#include <cstring>

extern "C" {
#include <jpeglib.h>
#include <jerror.h>
}

#include "codec/jpeg_turbo.hpp"

namespace lazydcm {
namespace {

struct error_manager {
  jpeg_error_mgr pub;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  bool premature_end;
};

void on_error(j_common_ptr cinfo) {
  auto* m = reinterpret_cast<error_manager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, m->message);
  longjmp(m->jump, 1);
}

void on_message(j_common_ptr cinfo, int level) {
  auto* m = reinterpret_cast<error_manager*>(cinfo->err);
  // A codestream that ends early is filled with grey by libjpeg: we call it an error instead.
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) m->premature_end = true;
}

// Rows of the precision's sample type (JSAMPLE: 8 bits, J12SAMPLE: short, J16SAMPLE: unsigned short).
JDIMENSION read_rows(j_decompress_ptr cinfo, void** rows, JDIMENSION n) {
  if (cinfo->data_precision <= 8) return jpeg_read_scanlines(cinfo, reinterpret_cast<JSAMPARRAY>(rows), n);
  if (cinfo->data_precision <= 12) return jpeg12_read_scanlines(cinfo, reinterpret_cast<J12SAMPARRAY>(rows), n);
  return jpeg16_read_scanlines(cinfo, reinterpret_cast<J16SAMPARRAY>(rows), n);
}

}  // namespace

error decode_libjpeg(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                     bool to_rgb, bool lossless) {
  jpeg_decompress_struct cinfo;
  error_manager jerr;
  std::memset(&jerr, 0, sizeof jerr);
  cinfo.err = jpeg_std_error(&jerr.pub);
  jerr.pub.error_exit = on_error;
  jerr.pub.emit_message = on_message;
  // No C++ objects with destructors live between here and the longjmp target.
  if (setjmp(jerr.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return make_error(errc::invalid_value, error::no_offset, std::string("libjpeg-turbo: ") + jerr.message);
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, src, (unsigned long)size);
  jpeg_read_header(&cinfo, TRUE);
  const int precision = cinfo.data_precision;
  const uint32_t sample_bytes = precision <= 8 ? 1 : 2;
  // An edge tile of a TILED_FULL image may be coded at the size of its part of the matrix (a
  // 55 x 240 JPEG in a 256 x 256 frame, as some converters write): it goes to the frame's top-left
  // corner, the rest is 0 (outside the total pixel matrix, so never shown in a region).
  const bool smaller = cinfo.image_width <= info.columns && cinfo.image_height <= info.rows &&
                       (cinfo.image_width < info.columns || cinfo.image_height < info.rows);
  if ((!smaller && (cinfo.image_width != info.columns || cinfo.image_height != info.rows)) ||
      uint32_t(cinfo.num_components) != info.samples_per_pixel ||
      // 1-bit storage holds one byte per pixel here, which put_sample cannot address (found by fuzzing).
      info.bits_allocated == 1 || uint32_t(precision) > info.bits_allocated) {
    char text[200];
    std::snprintf(text, sizeof text, "JPEG frame is %ux%ux%d of %d bits, the dataset says %ux%ux%u of %u bits",
                  cinfo.image_width, cinfo.image_height, cinfo.num_components, precision, info.columns, info.rows,
                  info.samples_per_pixel, info.bits_allocated);
    jpeg_destroy_decompress(&cinfo);
    return make_error(errc::invalid_image_attributes, error::no_offset, text);
  }
  // Stored values are never colour-converted, as pydicom (with GDCM or Pillow) returns them: a
  // YBR image stays YBR, and so does an "RGB" image whose stream says it holds YCbCr (JFIF, or
  // an Adobe APP14 with transform 1). The report names what was returned, so the pixel
  // transforms can convert YBR to RGB. (libjpeg alone would guess YCbCr for any unmarked
  // 3-component stream and convert it.) Lossless data is never converted.
  const bool ybr = std::strncmp(info.photometric_interpretation.c_str(), "YBR", 3) == 0;
  const bool marked_ycc = cinfo.saw_JFIF_marker || (cinfo.saw_Adobe_marker && cinfo.Adobe_transform == 1);
  if (cinfo.num_components == 1) {
    cinfo.jpeg_color_space = cinfo.out_color_space = JCS_GRAYSCALE;
  } else if (cinfo.num_components == 3) {
    cinfo.jpeg_color_space = (ybr || marked_ycc) ? JCS_YCbCr : JCS_RGB;
    // to_rgb (slides, viewers): libjpeg-turbo's own YCbCr -> RGB, as PIL and browsers decode.
    cinfo.out_color_space = to_rgb && !lossless ? JCS_RGB : cinfo.jpeg_color_space;
  } else {
    cinfo.out_color_space = cinfo.jpeg_color_space;
  }
  cinfo.dct_method = JDCT_ISLOW;
  jpeg_start_decompress(&cinfo);
  const uint32_t row_samples = cinfo.output_width * uint32_t(cinfo.output_components);
  const size_t pitch = size_t(info.columns) * uint32_t(cinfo.output_components);  // samples per frame row
  if (smaller) {
    std::memset(dst, 0, size_t(info.rows) * pitch * bytes_per_sample(info.bits_allocated));
    char text[120];
    std::snprintf(text, sizeof text, "; a %ux%u codestream in a %ux%u frame (zero-padded)", cinfo.image_width,
                  cinfo.image_height, info.columns, info.rows);
    report.decoder += text;
  }
  // Samples of the precision's type straight into the frame when the storage has that width
  // (8-bit samples in 8-bit storage; 12/16-bit samples, 0..65535, in 16-bit little-endian storage).
  const bool direct = sample_bytes == bytes_per_sample(info.bits_allocated);
  void* row = (*cinfo.mem->alloc_large)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, size_t(row_samples) * sample_bytes);
  while (cinfo.output_scanline < cinfo.output_height) {
    const size_t y = cinfo.output_scanline;
    if (direct) {
      void* rows[16];
      JDIMENSION n = 0;
      for (; n < 16 && y + n < cinfo.output_height; ++n) rows[n] = dst + (y + n) * pitch * sample_bytes;
      if (read_rows(&cinfo, rows, n) == 0) break;
      continue;
    }
    void* rows[1] = {row};
    if (read_rows(&cinfo, rows, 1) != 1) break;
    for (uint32_t i = 0; i < row_samples; ++i) {
      const int32_t v = sample_bytes == 1 ? static_cast<const uint8_t*>(row)[i] : static_cast<const uint16_t*>(row)[i];
      codec_util::put_sample(dst, y * pitch + i, info.bits_allocated, v);
    }
  }
  const bool premature = jerr.premature_end;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (premature) return make_error(errc::truncated, error::no_offset, "libjpeg-turbo: the JPEG data ends early");
  if (cinfo.num_components == 3) report.photometric_interpretation = (ybr || marked_ycc) && !(to_rgb && !lossless) ? "YBR_FULL" : "RGB";
  return {};
}

}  // namespace lazydcm
