/* lazydcm's configuration of OpenJPEG 2.5.4 (native Linux and wasm32: both little-endian) */
#define OPJ_HAVE_INTTYPES_H 1
#define OPJ_PACKAGE_VERSION "2.5.4"
#define OPJ_HAVE_POSIX_MEMALIGN 1
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200112L
#endif
