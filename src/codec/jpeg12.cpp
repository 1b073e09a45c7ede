// 12-bit libjpeg-turbo: its symbols carry a _12 suffix (LAZYDCM_JPEG12_MANGLE, generated).
#include LAZYDCM_JPEG12_MANGLE
#define LAZYDCM_JPEG_FN decode_jpeg12
#include "codec/jpeg_turbo_impl.inc"
