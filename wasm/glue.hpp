// What every file of the Embind glue shares: the one error convention, the out-of-memory guard,
// borrowed views, and conversions between core values and JavaScript values.
//
// The convention, for every entry point: a call first clears the module's last error; a call that
// fails records its error there and returns an empty value (0, "", undefined). TypeScript
// (web/src/wasm/core.ts, the only caller) reads lastErrorCode() after each call and throws a
// LazydcmError built from lastError(). Nothing else carries an error across: no status numbers
// with side channels, no {error} inside returned values, no thrown C++ exceptions.
//
// Structured values cross as plain JavaScript objects and arrays built field by field here (the
// conversions only map names: no decisions). Emscripten 3.1.6's value_object has no optional
// fields and register_vector yields a handle class, not an array, so they are not used; DICOM JSON
// stays a JSON string (it is a document). Bytes cross as borrowed views of WASM memory: valid until
// the next call into the module, copied by the caller when kept.
#pragma once
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "core/error.hpp"

namespace lazydcm::glue {

using emscripten::val;

// ---- the last error ----
void clear_error();
void fail(const error& e);         // records e (no-op when e is ok); later calls clear it
bool failed();
void fail_out_of_memory(const char* entry, bool address_space);
int last_error_code();
val last_error();                  // {code, name, message, offset | null}

// ---- the guard every entry point goes through ----
// guarded<&f, name>::call: the last error cleared, std::bad_alloc / std::length_error recorded as
// outOfMemory naming the entry point (the core is built without exceptions: frames between the
// failed allocation and here leak what they held, once; the module stays usable).
template <class R, class F>
R run(const char* entry, F&& f) {
  clear_error();
  try {
    return f();
  } catch (const std::bad_alloc&) {
    fail_out_of_memory(entry, false);
  } catch (const std::length_error&) {
    fail_out_of_memory(entry, true);
  }
  if constexpr (std::is_same_v<R, val>) return val::undefined();
  else if constexpr (!std::is_void_v<R>) return R{};
}
template <auto F, const char* Name>
struct guarded;
template <class C, class R, class... A, R (C::*F)(A...), const char* Name>
struct guarded<F, Name> {
  static R call(C& self, A... a) { return run<R>(Name, [&]() -> R { return (self.*F)(std::move(a)...); }); }
};
template <class C, class R, class... A, R (C::*F)(A...) const, const char* Name>
struct guarded<F, Name> {
  static R call(const C& self, A... a) { return run<R>(Name, [&]() -> R { return (self.*F)(std::move(a)...); }); }
};
template <class R, class... A, R (*F)(A...), const char* Name>
struct guarded<F, Name> {
  static R call(A... a) { return run<R>(Name, [&]() -> R { return F(std::move(a)...); }); }
};

// ---- borrowed views ----
template <class T>
val borrowed(const std::vector<T>& v) {
  return val(emscripten::typed_memory_view(v.size(), v.data()));
}
val borrowed_bytes(const uint8_t* data, size_t size);

// ---- core values -> JavaScript ----
inline val js(double v) { return val(v); }
inline val js(int v) { return val(v); }
inline val js(unsigned v) { return val(v); }
inline val js(uint64_t v) { return val(double(v)); }
inline val js(int64_t v) { return val(double(v)); }
inline val js(unsigned long v) { return val(double(v)); }
inline val js(bool v) { return val(v); }
inline val js(const std::string& v) { return val(v); }
inline val js(const char* v) { return val(std::string(v)); }
inline val js(const val& v) { return v; }
template <class T>
val js(const std::optional<T>& v);
template <class T>
val js(const std::vector<T>& v);
template <class T, size_t N>
val js(const std::array<T, N>& v);
template <class T>
val js(const std::optional<T>& v) {
  return v ? js(*v) : val::null();
}
template <class T>
val js(const std::vector<T>& v) {
  val out = val::array();
  for (size_t i = 0; i < v.size(); ++i) out.set(i, js(v[i]));
  return out;
}
template <class T, size_t N>
val js(const std::array<T, N>& v) {
  val out = val::array();
  for (size_t i = 0; i < N; ++i) out.set(i, js(v[i]));
  return out;
}

// An object built field by field: object().set("rows", r.rows).set(...).done().
class object {
 public:
  object() : o_(val::object()) {}
  template <class T>
  object& set(const char* key, const T& value) {
    o_.set(key, js(value));
    return *this;
  }
  val done() { return o_; }

 private:
  val o_;
};

// ---- JavaScript -> core values (fields the caller left out take the fallback) ----
inline bool has(const val& o, const char* key) {
  if (!o.isUndefined() && !o.isNull() && o.typeOf().as<std::string>() == "object") {
    val v = o[key];
    return !v.isUndefined() && !v.isNull();
  }
  return false;
}
template <class T>
T field(const val& o, const char* key, T fallback) {
  return has(o, key) ? o[key].as<T>() : fallback;
}
template <class T>
std::vector<T> vector_of(const val& array) {
  std::vector<T> out;
  if (array.isUndefined() || array.isNull()) return out;
  const size_t n = array["length"].as<size_t>();
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(array[i].as<T>());
  return out;
}
template <class T, size_t N>
std::optional<std::array<T, N>> array_of(const val& o, const char* key) {
  if (!has(o, key)) return std::nullopt;
  std::array<T, N> out{};
  val a = o[key];
  for (size_t i = 0; i < N; ++i) out[i] = a[i].as<T>();
  return out;
}

}  // namespace lazydcm::glue

// The guarded entry point for PTR, named LABEL in out-of-memory messages.
#define LAZYDCM_ENTRY(PTR, LABEL)                     \
  ([] {                                               \
    static constexpr char name[] = LABEL;             \
    return &::lazydcm::glue::guarded<PTR, name>::call; \
  }())
