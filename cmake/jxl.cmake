# JPEG XL decoding: libjxl 0.11.2's decoder (no encoder, no colour management: frames are returned
# in their own colour space, as the other codecs do) on Highway 1.3.0 and Brotli 1.2.0's decoder,
# from the pinned sources in LAZYDCM_THIRD_PARTY_DIR. Plain static libraries, as the other codecs:
# libjxl's own source lists (lib/jxl_lists.cmake) name the files; its two generated headers are
# written here. Native builds use Highway's static target (SSE2 on x86-64); the SIMD WebAssembly
# build its WASM SIMD target, the baseline build its portable target.
set(LAZYDCM_JXL_DIR "${LAZYDCM_THIRD_PARTY_DIR}/libjxl" CACHE PATH "libjxl 0.11.2 sources")
set(LAZYDCM_HWY_DIR "${LAZYDCM_THIRD_PARTY_DIR}/highway" CACHE PATH "Highway 1.3.0 sources")
set(LAZYDCM_BROTLI_DIR "${LAZYDCM_THIRD_PARTY_DIR}/brotli" CACHE PATH "Brotli 1.2.0 sources")
foreach(dir LAZYDCM_JXL_DIR LAZYDCM_HWY_DIR LAZYDCM_BROTLI_DIR)
  if(NOT EXISTS "${${dir}}")
    message(FATAL_ERROR "${dir} (${${dir}}) not found: run scripts/fetch-third-party.sh")
  endif()
endforeach()

# ---- Brotli 1.2.0 (decoder) ----
file(GLOB BROTLI_SOURCES "${LAZYDCM_BROTLI_DIR}/c/common/*.c" "${LAZYDCM_BROTLI_DIR}/c/dec/*.c")
add_library(lazydcm_brotli STATIC ${BROTLI_SOURCES})
target_include_directories(lazydcm_brotli SYSTEM PUBLIC "${LAZYDCM_BROTLI_DIR}/c/include")
target_compile_options(lazydcm_brotli PRIVATE -w -O2)

# ---- Highway 1.3.0 ----
add_library(lazydcm_hwy STATIC
  "${LAZYDCM_HWY_DIR}/hwy/abort.cc" "${LAZYDCM_HWY_DIR}/hwy/aligned_allocator.cc" "${LAZYDCM_HWY_DIR}/hwy/per_target.cc"
  "${LAZYDCM_HWY_DIR}/hwy/print.cc" "${LAZYDCM_HWY_DIR}/hwy/targets.cc" "${LAZYDCM_HWY_DIR}/hwy/timer.cc")
target_include_directories(lazydcm_hwy SYSTEM PUBLIC "${LAZYDCM_HWY_DIR}")
target_compile_definitions(lazydcm_hwy PUBLIC HWY_STATIC_DEFINE)
target_compile_options(lazydcm_hwy PRIVATE -w -O2)
if(NOT EMSCRIPTEN)
  # Natively one target, the compiler's baseline (SSE2 on x86-64): Highway's run-time dispatch would
  # compile libjxl once per x86 target (3-5x the build time in every native, sanitizer and fuzz
  # build of the test command) for a decoder that ships as WebAssembly.
  target_compile_definitions(lazydcm_hwy PUBLIC HWY_COMPILE_ONLY_STATIC=1)
endif()

# ---- libjxl 0.11.2 (decoder, with JPEG reconstruction for .4.111) ----
include("${LAZYDCM_JXL_DIR}/lib/jxl_lists.cmake")
set(JXL_SOURCES ${JPEGXL_INTERNAL_DEC_SOURCES} ${JPEGXL_INTERNAL_DEC_BOX_SOURCES} ${JPEGXL_INTERNAL_DEC_JPEG_SOURCES})
list(FILTER JXL_SOURCES INCLUDE REGEX "\\.cc$")
list(TRANSFORM JXL_SOURCES PREPEND "${LAZYDCM_JXL_DIR}/lib/")
set(jxl_cfg "${CMAKE_BINARY_DIR}/jxl-include/jxl")
file(MAKE_DIRECTORY "${jxl_cfg}")
file(WRITE "${jxl_cfg}/jxl_export.h.new"
  "// Written by cmake/jxl.cmake: a static build exports nothing.\n#pragma once\n#define JXL_EXPORT\n#define JXL_NO_EXPORT\n#define JXL_DEPRECATED\n")
file(WRITE "${jxl_cfg}/version.h.new"
  "// Written by cmake/jxl.cmake.\n#pragma once\n#define JPEGXL_MAJOR_VERSION 0\n#define JPEGXL_MINOR_VERSION 11\n#define JPEGXL_PATCH_VERSION 2\n"
  "#define JPEGXL_COMPUTE_NUMERIC_VERSION(major, minor, patch) (((major) << 24) | ((minor) << 16) | ((patch) << 8) | 0)\n"
  "#define JPEGXL_NUMERIC_VERSION JPEGXL_COMPUTE_NUMERIC_VERSION(0, 11, 2)\n")
file(WRITE "${jxl_cfg}/jxl_cms_export.h.new" "#pragma once\n#define JXL_CMS_EXPORT\n")
file(WRITE "${jxl_cfg}/jxl_threads_export.h.new" "#pragma once\n#define JXL_THREADS_EXPORT\n")
foreach(h jxl_export.h version.h jxl_cms_export.h jxl_threads_export.h)
  file(COPY_FILE "${jxl_cfg}/${h}.new" "${jxl_cfg}/${h}" ONLY_IF_DIFFERENT)
endforeach()
add_library(lazydcm_jxl STATIC ${JXL_SOURCES})
target_include_directories(lazydcm_jxl SYSTEM PUBLIC "${LAZYDCM_JXL_DIR}/lib/include" "${CMAKE_BINARY_DIR}/jxl-include")
target_include_directories(lazydcm_jxl PRIVATE "${LAZYDCM_JXL_DIR}")
target_compile_definitions(lazydcm_jxl PUBLIC JXL_STATIC_DEFINE PRIVATE JPEGXL_ENABLE_TRANSCODE_JPEG=1 JPEGXL_ENABLE_BOXES=1
  JPEGXL_ENABLE_SKCMS=0 JPEGXL_ENABLE_CMS=0)
target_link_libraries(lazydcm_jxl PUBLIC lazydcm_hwy lazydcm_brotli)
target_compile_options(lazydcm_jxl PRIVATE -w -fno-exceptions)
if(NOT LAZYDCM_SANITIZE AND NOT LAZYDCM_FUZZ)
  # -O2 for the product; the sanitizer and fuzz builds keep their own -O1 (libjxl is most of their
  # compile time in the test command).
  target_compile_options(lazydcm_jxl PRIVATE -O2)
endif()

# ---- djxl 0.11.2, natively: the reference the JPEG XL fixtures are checked against ----
# libjxl's own decoder tool (tools/djxl_main.cc with its extras: PNM/PGX/NPY writers, threads, the
# lcms2 CMS), built from the pinned source on the same library, so the lossy (.112/.111) references
# are the 0.11.2 decoder's and not Debian's djxl 0.7's (which rounds differently). Not shipped.
if(NOT EMSCRIPTEN AND NOT LAZYDCM_SANITIZE AND NOT LAZYDCM_FUZZ)
  set(DJXL_SOURCES tools/djxl_main.cc tools/cmdline.cc tools/codec_config.cc tools/speed_stats.cc tools/tool_version.cc
    lib/extras/alpha_blend.cc lib/extras/common.cc lib/extras/dec/color_description.cc lib/extras/dec/color_hints.cc
    lib/extras/dec/decode.cc lib/extras/enc/encode.cc lib/extras/exif.cc lib/extras/mmap.cc lib/extras/time.cc
    lib/extras/dec/apng.cc lib/extras/dec/exr.cc lib/extras/dec/gif.cc lib/extras/dec/jpg.cc lib/extras/dec/jxl.cc
    lib/extras/dec/pgx.cc lib/extras/dec/pnm.cc lib/extras/enc/apng.cc lib/extras/enc/exr.cc lib/extras/enc/jpg.cc
    lib/extras/enc/npy.cc lib/extras/enc/pgx.cc lib/extras/enc/pnm.cc
    lib/threads/thread_parallel_runner.cc lib/threads/thread_parallel_runner_internal.cc lib/jxl/cms/jxl_cms.cc)
  list(TRANSFORM DJXL_SOURCES PREPEND "${LAZYDCM_JXL_DIR}/")
  find_package(Threads REQUIRED)
  add_executable(lazydcm_djxl ${DJXL_SOURCES} tests/tools/djxl_basic_info.cpp)
  set_target_properties(lazydcm_djxl PROPERTIES OUTPUT_NAME djxl RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tools")
  target_include_directories(lazydcm_djxl PRIVATE "${LAZYDCM_JXL_DIR}")
  target_compile_definitions(lazydcm_djxl PRIVATE JPEGXL_VERSION="0.11.2" JPEGXL_ENABLE_APNG=0 JPEGXL_ENABLE_EXR=0
    JPEGXL_ENABLE_GIF=0 JPEGXL_ENABLE_JPEG=0 JPEGXL_ENABLE_SJPEG=0 JPEGXL_ENABLE_JPEGLI=0 JPEGXL_ENABLE_SKCMS=0
    JPEGXL_ENABLE_TRANSCODE_JPEG=1 JPEGXL_ENABLE_BOXES=1 JXL_CMS_STATIC_DEFINE JXL_THREADS_STATIC_DEFINE)
  target_link_libraries(lazydcm_djxl PRIVATE lazydcm_jxl lazydcm_lcms2 Threads::Threads)
  target_compile_options(lazydcm_djxl PRIVATE -w -O2)
endif()
