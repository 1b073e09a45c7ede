/* libjpeg-turbo's SIMD dispatch for WebAssembly (the SIMD build only): the decoder's
 * upsamplers use libjpeg-turbo's own Arm Neon intrinsics code
 * (simd/arm/*-neon.c), compiled to WASM SIMD through SIMDe (Debian libsimde-dev; see
 * cmake/config/neon/arm_neon.h). Only the upsamplers are enabled: bit-exact with the C ones
 * (the codec tests check against GDCM and Pillow) and faster; everything else reports "no SIMD"
 * and libjpeg-turbo uses its C code. */
#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jsimd.h"
#include "jdct.h"
#include "jsimddct.h"
#include "simd/jsimd.h"

#define EIGHT_BIT_ONLY (BITS_IN_JSAMPLE == 8 && sizeof(JDIMENSION) == 4)

/* Stored values are never colour-converted (see jpeg_turbo_impl.inc): no YCbCr->RGB routine. */
GLOBAL(int) jsimd_can_ycc_rgb(void) { return 0; }
GLOBAL(int) jsimd_can_ycc_rgb565(void) { return 0; }
GLOBAL(void) jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row,
                                   JSAMPARRAY output_buf, int num_rows) {}
GLOBAL(void) jsimd_ycc_rgb565_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row,
                                      JSAMPARRAY output_buf, int num_rows) {}

GLOBAL(int) jsimd_can_h2v2_upsample(void) { return EIGHT_BIT_ONLY; }
GLOBAL(int) jsimd_can_h2v1_upsample(void) { return EIGHT_BIT_ONLY; }
GLOBAL(void) jsimd_h2v2_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr, JSAMPARRAY input_data,
                                 JSAMPARRAY *output_data_ptr) {
  jsimd_h2v2_upsample_neon(cinfo->max_v_samp_factor, cinfo->output_width, input_data, output_data_ptr);
}
GLOBAL(void) jsimd_h2v1_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr, JSAMPARRAY input_data,
                                 JSAMPARRAY *output_data_ptr) {
  jsimd_h2v1_upsample_neon(cinfo->max_v_samp_factor, cinfo->output_width, input_data, output_data_ptr);
}

GLOBAL(int) jsimd_can_h2v2_fancy_upsample(void) { return EIGHT_BIT_ONLY; }
GLOBAL(int) jsimd_can_h2v1_fancy_upsample(void) { return EIGHT_BIT_ONLY; }
GLOBAL(int) jsimd_can_h1v2_fancy_upsample(void) { return EIGHT_BIT_ONLY; }
GLOBAL(void) jsimd_h2v2_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                                       JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr) {
  jsimd_h2v2_fancy_upsample_neon(cinfo->max_v_samp_factor, compptr->downsampled_width, input_data, output_data_ptr);
}
GLOBAL(void) jsimd_h2v1_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                                       JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr) {
  jsimd_h2v1_fancy_upsample_neon(cinfo->max_v_samp_factor, compptr->downsampled_width, input_data, output_data_ptr);
}
GLOBAL(void) jsimd_h1v2_fancy_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr,
                                       JSAMPARRAY input_data, JSAMPARRAY *output_data_ptr) {
  jsimd_h1v2_fancy_upsample_neon(cinfo->max_v_samp_factor, compptr->downsampled_width, input_data, output_data_ptr);
}

GLOBAL(int) jsimd_can_h2v2_merged_upsample(void) { return 0; }
GLOBAL(int) jsimd_can_h2v1_merged_upsample(void) { return 0; }
GLOBAL(void) jsimd_h2v2_merged_upsample(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION in_row_group_ctr,
                                        JSAMPARRAY output_buf) {}
GLOBAL(void) jsimd_h2v1_merged_upsample(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION in_row_group_ctr,
                                        JSAMPARRAY output_buf) {}

/* The Neon IDCTs go through SIMDe's emulation of saturating narrows and transposes, which
 * measured 2.5x slower than libjpeg-turbo's C IDCT in WASM: keep the C ones. */
GLOBAL(int) jsimd_can_idct_2x2(void) { return 0; }
GLOBAL(int) jsimd_can_idct_4x4(void) { return 0; }
GLOBAL(int) jsimd_can_idct_islow(void) { return 0; }
GLOBAL(int) jsimd_can_idct_ifast(void) { return 0; }
GLOBAL(int) jsimd_can_idct_float(void) { return 0; }
GLOBAL(int) jsimd_can_idct_6x6(void) { return 0; }
GLOBAL(int) jsimd_can_idct_12x12(void) { return 0; }
GLOBAL(void) jsimd_idct_6x6(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                            JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_12x12(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                              JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_2x2(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                            JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_4x4(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                            JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                              JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_ifast(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                              JSAMPARRAY output_buf, JDIMENSION output_col) {}
GLOBAL(void) jsimd_idct_float(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                              JSAMPARRAY output_buf, JDIMENSION output_col) {}

GLOBAL(int) jsimd_can_int_upsample(void) { return 0; }
GLOBAL(void) jsimd_int_upsample(j_decompress_ptr cinfo, jpeg_component_info *compptr, JSAMPARRAY input_data,
                                JSAMPARRAY *output_data_ptr) {}
