# Third-party decoders built from the pinned sources in LAZYDCM_THIRD_PARTY_DIR (fetched by
# scripts/fetch-third-party.sh), for the native and the WASM target alike. Their own build
# systems are not used: each is a plain static library with a configuration header written here.

set(LAZYDCM_JPEG_DIR "${LAZYDCM_THIRD_PARTY_DIR}/libjpeg-turbo" CACHE PATH "libjpeg-turbo 3.1.3 sources")
set(LAZYDCM_OPENJPEG_DIR "${LAZYDCM_THIRD_PARTY_DIR}/openjpeg" CACHE PATH "OpenJPEG 2.5.4 sources")
set(LAZYDCM_CHARLS_DIR "${LAZYDCM_THIRD_PARTY_DIR}/charls" CACHE PATH "CharLS sources")
set(LAZYDCM_LCMS2_DIR "${LAZYDCM_THIRD_PARTY_DIR}/lcms2" CACHE PATH "Little CMS 2.19.1 sources")
set(LAZYDCM_OPENJPH_DIR "${LAZYDCM_THIRD_PARTY_DIR}/openjph" CACHE PATH "OpenJPH 0.31.0 sources")
foreach(dir LAZYDCM_JPEG_DIR LAZYDCM_OPENJPEG_DIR LAZYDCM_CHARLS_DIR LAZYDCM_LCMS2_DIR LAZYDCM_OPENJPH_DIR)
  if(NOT EXISTS "${${dir}}")
    message(FATAL_ERROR "${dir} (${${dir}}) not found: run scripts/fetch-third-party.sh")
  endif()
endforeach()

# ---- libjpeg-turbo 3.1.3: one decoder library for 2- to 16-bit samples, DCT and lossless ----
# Upstream compiles the precision-dependent sources once per precision through its wrapper files
# (src/wrapper/<name>-8.c, -12.c, -16.c); the API picks one at run time.
set(JPEG_DECODER_SOURCES jaricom.c jcomapi.c jdapimin.c jdarith.c jdatasrc.c jdhuff.c jdicc.c jdinput.c
    jdlhuff.c jdmarker.c jdmaster.c jdphuff.c jdtrans.c jerror.c jmemmgr.c jmemnobs.c jpeg_nbits.c)
foreach(name jdapistd jdcolor jddiffct jdlossls jdmainct jdpostct jdsample jutils)
  list(APPEND JPEG_DECODER_SOURCES wrapper/${name}-8.c wrapper/${name}-12.c wrapper/${name}-16.c)
endforeach()
foreach(name jdcoefct jddctmgr jdmerge jidctflt jidctfst jidctint jidctred jquant1 jquant2)
  list(APPEND JPEG_DECODER_SOURCES wrapper/${name}-8.c wrapper/${name}-12.c)
endforeach()
list(TRANSFORM JPEG_DECODER_SOURCES PREPEND "${LAZYDCM_JPEG_DIR}/src/")
if(CMAKE_SIZEOF_VOID_P EQUAL 8)
  set(LAZYDCM_SIZEOF_SIZE_T 8)
else()
  set(LAZYDCM_SIZEOF_SIZE_T 4)
endif()
if(EMSCRIPTEN AND LAZYDCM_SIMD)
  set(LAZYDCM_JPEG_WITH_SIMD "#define WITH_SIMD 1")
else()
  set(LAZYDCM_JPEG_WITH_SIMD "/* no SIMD */")
endif()
set(cfg "${CMAKE_BINARY_DIR}/jpeg-config")
set(COPYRIGHT_YEAR "1991-2025")
configure_file("${PROJECT_SOURCE_DIR}/cmake/config/jconfig.h.in" "${cfg}/jconfig.h" @ONLY)
configure_file("${PROJECT_SOURCE_DIR}/cmake/config/jconfigint.h.in" "${cfg}/jconfigint.h" @ONLY)
configure_file("${LAZYDCM_JPEG_DIR}/src/jversion.h.in" "${cfg}/jversion.h" @ONLY)
set(sources ${JPEG_DECODER_SOURCES})
if(EMSCRIPTEN AND LAZYDCM_SIMD)
  # libjpeg-turbo's Neon intrinsics through SIMDe: upsampling in WASM SIMD (src/codec/jsimd_wasm.c).
  list(APPEND sources "${PROJECT_SOURCE_DIR}/src/codec/jsimd_wasm.c" "${LAZYDCM_JPEG_DIR}/simd/arm/jdsample-neon.c")
endif()
add_library(lazydcm_jpeg STATIC ${sources})
if(EMSCRIPTEN AND LAZYDCM_SIMD)
  find_path(LAZYDCM_SIMDE_DIR simde/arm/neon.h PATHS /usr/include NO_CMAKE_FIND_ROOT_PATH)
  if(NOT LAZYDCM_SIMDE_DIR)
    message(FATAL_ERROR "simde/arm/neon.h not found: apt-get install libsimde-dev")
  endif()
  file(MAKE_DIRECTORY "${CMAKE_BINARY_DIR}/simde-include")
  file(CREATE_LINK "${LAZYDCM_SIMDE_DIR}/simde" "${CMAKE_BINARY_DIR}/simde-include/simde" SYMBOLIC)
  target_include_directories(lazydcm_jpeg PRIVATE "${PROJECT_SOURCE_DIR}/cmake/config/neon"
                             "${CMAKE_BINARY_DIR}/simde-include" "${LAZYDCM_JPEG_DIR}/simd/arm" "${LAZYDCM_JPEG_DIR}")
endif()
target_include_directories(lazydcm_jpeg PRIVATE "${cfg}" "${LAZYDCM_JPEG_DIR}/src")
target_include_directories(lazydcm_jpeg SYSTEM INTERFACE "${cfg}" "${LAZYDCM_JPEG_DIR}/src")
target_compile_options(lazydcm_jpeg PRIVATE -w -O3)

# ---- OpenJPEG 2.5.4 (JPEG 2000 and HTJ2K decoding) ----
set(OPJ_SOURCES bio.c cio.c dwt.c event.c function_list.c ht_dec.c image.c invert.c j2k.c jp2.c mct.c mqc.c
    openjpeg.c opj_clock.c opj_malloc.c pi.c sparse_array.c t1.c t2.c tcd.c tgt.c thread.c)
list(TRANSFORM OPJ_SOURCES PREPEND "${LAZYDCM_OPENJPEG_DIR}/src/lib/openjp2/")
add_library(lazydcm_openjpeg STATIC ${OPJ_SOURCES})
target_include_directories(lazydcm_openjpeg PRIVATE "${PROJECT_SOURCE_DIR}/cmake/config")
target_include_directories(lazydcm_openjpeg SYSTEM PUBLIC "${LAZYDCM_OPENJPEG_DIR}/src/lib/openjp2"
                           "${PROJECT_SOURCE_DIR}/cmake/config")
target_compile_definitions(lazydcm_openjpeg PUBLIC OPJ_STATIC)
target_compile_options(lazydcm_openjpeg PRIVATE -w -O3)
if(EMSCRIPTEN AND LAZYDCM_SIMD)
  # OpenJPEG's SSE2 paths (DWT, MCT, T1) compile to WebAssembly SIMD through Emscripten's SSE headers.
  target_compile_options(lazydcm_openjpeg PRIVATE -msse -msse2)
endif()

# ---- CharLS 2.4.2 (JPEG-LS) ----
add_library(lazydcm_charls STATIC
  "${LAZYDCM_CHARLS_DIR}/src/charls_jpegls_decoder.cpp" "${LAZYDCM_CHARLS_DIR}/src/jpeg_stream_reader.cpp"
  "${LAZYDCM_CHARLS_DIR}/src/jpegls.cpp" "${LAZYDCM_CHARLS_DIR}/src/jpegls_error.cpp"
  "${LAZYDCM_CHARLS_DIR}/src/version.cpp" "${LAZYDCM_CHARLS_DIR}/src/validate_spiff_header.cpp")
target_include_directories(lazydcm_charls SYSTEM PUBLIC "${LAZYDCM_CHARLS_DIR}/include")
target_compile_definitions(lazydcm_charls PUBLIC CHARLS_STATIC PRIVATE CHARLS_LIBRARY_BUILD)
target_compile_options(lazydcm_charls PRIVATE -w -O3)
if(EMSCRIPTEN)
  # CharLS reports errors with C++ exceptions, caught at its C interface.
  target_compile_options(lazydcm_charls PRIVATE -fexceptions -sDISABLE_EXCEPTION_CATCHING=0)
endif()

# ---- Little CMS 2.19.1 (ICC colour management for slides) ----
file(GLOB LCMS2_SOURCES "${LAZYDCM_LCMS2_DIR}/src/cms*.c")
add_library(lazydcm_lcms2 STATIC ${LCMS2_SOURCES})
target_include_directories(lazydcm_lcms2 SYSTEM PUBLIC "${LAZYDCM_LCMS2_DIR}/include")
target_compile_definitions(lazydcm_lcms2 PRIVATE CMS_NO_REGISTER_KEYWORD=1)
target_compile_options(lazydcm_lcms2 PRIVATE -w -O2)

# ---- OpenJPH 0.31.0 (HTJ2K) ----
# The generic code everywhere; natively also its x86 SIMD paths (chosen at run time by CPU
# detection); in the SIMD WebAssembly build its WebAssembly SIMD paths (one path per build: WASM
# has no run-time dispatch).
set(OJPH_SRC "${LAZYDCM_OPENJPH_DIR}/src/core")
file(GLOB OJPH_SOURCES "${OJPH_SRC}/codestream/*.cpp" "${OJPH_SRC}/coding/*.cpp" "${OJPH_SRC}/others/*.cpp"
     "${OJPH_SRC}/transform/*.cpp" "${OJPH_SRC}/others/*.c")
list(FILTER OJPH_SOURCES EXCLUDE REGEX "_(sse|sse2|ssse3|avx|avx2|avx512|wasm|vsx|neon)\\.cpp$")
set(OJPH_X86_FLAGS codestream/ojph_codestream_sse.cpp=-msse codestream/ojph_codestream_sse2.cpp=-msse2
    codestream/ojph_codestream_avx.cpp=-mavx codestream/ojph_codestream_avx2.cpp=-mavx2
    coding/ojph_block_decoder_ssse3.cpp=-mssse3 coding/ojph_block_decoder_avx2.cpp=-mavx2
    coding/ojph_block_encoder_avx2.cpp=-mavx2 transform/ojph_colour_sse.cpp=-msse transform/ojph_colour_sse2.cpp=-msse2
    transform/ojph_colour_avx.cpp=-mavx transform/ojph_colour_avx2.cpp=-mavx2 transform/ojph_transform_sse.cpp=-msse
    transform/ojph_transform_sse2.cpp=-msse2 transform/ojph_transform_avx.cpp=-mavx transform/ojph_transform_avx2.cpp=-mavx2)
if(EMSCRIPTEN)
  if(LAZYDCM_SIMD)
    file(GLOB OJPH_WASM "${OJPH_SRC}/codestream/*_wasm.cpp" "${OJPH_SRC}/coding/*_wasm.cpp" "${OJPH_SRC}/transform/*_wasm.cpp")
    list(APPEND OJPH_SOURCES ${OJPH_WASM})
  endif()
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  set(OJPH_NATIVE_X86 ON)
  foreach(pair ${OJPH_X86_FLAGS})
    string(REPLACE "=" ";" pair "${pair}")
    list(GET pair 0 file)
    list(GET pair 1 flag)
    list(APPEND OJPH_SOURCES "${OJPH_SRC}/${file}")
    set_source_files_properties("${OJPH_SRC}/${file}" PROPERTIES COMPILE_OPTIONS "${flag}")
  endforeach()
endif()
add_library(lazydcm_openjph STATIC ${OJPH_SOURCES})
target_include_directories(lazydcm_openjph SYSTEM PUBLIC "${OJPH_SRC}/openjph")
target_include_directories(lazydcm_openjph PRIVATE "${OJPH_SRC}/common" "${OJPH_SRC}/codestream" "${OJPH_SRC}/coding"
                           "${OJPH_SRC}/others" "${OJPH_SRC}/transform" "${OJPH_SRC}/shared")
target_compile_options(lazydcm_openjph PRIVATE -w -O3)
if(OJPH_NATIVE_X86)
  target_compile_definitions(lazydcm_openjph PRIVATE OJPH_DISABLE_AVX512)  # SSE to AVX2 only
endif()
if(EMSCRIPTEN)
  # OpenJPH reports errors with C++ exceptions (caught in src/codec/htj2k.cpp; some inside it).
  target_compile_options(lazydcm_openjph PRIVATE -fexceptions -sDISABLE_EXCEPTION_CATCHING=0)
  if(LAZYDCM_SIMD)
    target_compile_options(lazydcm_openjph PRIVATE -msimd128)
    target_compile_definitions(lazydcm_openjph PUBLIC OJPH_ENABLE_WASM_SIMD)
  endif()
endif()
