#define LAZYDCM_JPEG_FN decode_jpeg8
#include "codec/jpeg_turbo_impl.inc"
