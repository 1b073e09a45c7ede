// The last error, the out-of-memory path and operator new (see glue.hpp).
#include "glue.hpp"

#include <emscripten/heap.h>

#include <cstdio>
#include <cstdlib>
#include <new>

namespace {
lazydcm::error g_error;
size_t g_failed_request = 0;
}  // namespace

// The module's memory grows to at most 2 GiB (CMakeLists.txt). The core refuses declared sizes past
// its limits (value_too_large) before allocating; an allocation within them that still does not fit
// makes operator new throw, and the entry point's guard records outOfMemory naming the request.
void* operator new(size_t n) {
  if (void* p = std::malloc(n ? n : 1)) return p;
  g_failed_request = n;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }

namespace lazydcm::glue {

void clear_error() { g_error = error{}; }
void fail(const error& e) {
  if (e.code != errc::ok) g_error = e;
}
bool failed() { return g_error.code != errc::ok; }
int last_error_code() { return int(g_error.code); }

void fail_out_of_memory(const char* entry, bool address_space) {
  const double mib = 1024.0 * 1024.0;
  char message[256];
  if (address_space)
    std::snprintf(message, sizeof message,
                  "out of memory in %s: a buffer larger than the address space was asked for (WASM memory %.0f MiB of at most 2048 MiB)",
                  entry, double(emscripten_get_heap_size()) / mib);
  else
    std::snprintf(message, sizeof message,
                  "out of memory in %s: %.1f MiB were asked for, the WASM memory holds %.0f MiB of at most 2048 MiB", entry,
                  double(g_failed_request) / mib, double(emscripten_get_heap_size()) / mib);
  g_failed_request = 0;
  g_error = make_error(errc::out_of_memory, error::no_offset, message);
}

val last_error() {
  return object()
      .set("code", int(g_error.code))
      .set("name", errc_name(g_error.code))
      .set("message", g_error.message)
      .set("offset", g_error.has_offset() ? js(g_error.offset) : val::null())
      .done();
}

val borrowed_bytes(const uint8_t* data, size_t size) { return val(emscripten::typed_memory_view(size, data)); }

}  // namespace lazydcm::glue

// Every module (the core and each codec module) links this file: the error convention is bound once.
EMSCRIPTEN_BINDINGS(lazydcm_errors) {
  emscripten::function("lastError", &lazydcm::glue::last_error);
  emscripten::function("lastErrorCode", &lazydcm::glue::last_error_code);
}
