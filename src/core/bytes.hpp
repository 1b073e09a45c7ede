// Endian reads and a sparse store of file bytes at known offsets.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

namespace lazydcm {

// The largest output buffer (a region, a segment volume) a request may size: 4 GiB natively; in
// wasm32 less than 2 GiB, the module's maximum memory (a size_t there is 32 bits: never let a
// product wrap). Requests within it that still do not fit fail with out_of_memory.
constexpr uint64_t k_max_buffer_bytes = sizeof(size_t) >= 8 ? (uint64_t(1) << 32) : (uint64_t(1) << 31) - 1;

struct byte_range {
  uint64_t offset = 0;
  uint64_t length = 0;
  uint64_t end() const noexcept { return offset + length; }
};

inline uint16_t load_u16(const uint8_t* p, bool big_endian) noexcept {
  return big_endian ? uint16_t(p[0] << 8 | p[1]) : uint16_t(p[1] << 8 | p[0]);
}
inline uint32_t load_u32(const uint8_t* p, bool big_endian) noexcept {
  return big_endian ? (uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3])
                    : (uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]);
}
inline uint64_t load_u64(const uint8_t* p, bool big_endian) noexcept {
  uint64_t a = load_u32(p, big_endian), b = load_u32(p + 4, big_endian);
  return big_endian ? (a << 32 | b) : (b << 32 | a);
}
inline uint16_t load_u16le(const uint8_t* p) noexcept { return load_u16(p, false); }
inline uint32_t load_u32le(const uint8_t* p) noexcept { return load_u32(p, false); }
inline uint64_t load_u64le(const uint8_t* p) noexcept { return load_u64(p, false); }

// Bytes of one file (or stream) held at their offsets, fed in any order and any chunk size.
// Contiguous and overlapping pieces are merged, so a view of a range fed in many pieces is one
// pointer. Nothing here does I/O: the owner feeds what it fetched.
class byte_store {
 public:
  void add(uint64_t offset, const uint8_t* data, size_t size);
  bool has(uint64_t offset, uint64_t length) const;
  // Pointer to `length` contiguous bytes at `offset`, or nullptr when not all held.
  // Valid until the next add().
  const uint8_t* view(uint64_t offset, uint64_t length) const;
  // The first byte at or after `offset` that is not held (== offset when offset is not held).
  uint64_t held_until(uint64_t offset) const;
  // What to fetch so that [offset, end) is held: from the first byte not held up to end.
  byte_range missing(uint64_t offset, uint64_t end) const {
    uint64_t from = held_until(offset);
    return {from, end > from ? end - from : 0};
  }
  // Drops the bytes of [from, to) (those a reader no longer needs); the rest stays where it was.
  void erase(uint64_t from, uint64_t to);
  uint64_t bytes_held() const noexcept { return bytes_held_; }
  void clear() { chunks_.clear(); bytes_held_ = 0; }

 private:
  std::map<uint64_t, std::vector<uint8_t>> chunks_;  // start -> bytes; disjoint, non-adjacent
  uint64_t bytes_held_ = 0;
};

}  // namespace lazydcm
