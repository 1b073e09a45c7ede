/* arm_neon.h for WebAssembly builds: SIMDe (Debian libsimde-dev) maps Arm Neon intrinsics to
 * WASM SIMD, so libjpeg-turbo's Neon code compiles for the SIMD flavour. */
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/arm/neon.h>
