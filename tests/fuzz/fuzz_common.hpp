// Shared by the libFuzzer targets (tests/fuzz/README.md): reading a fuzzer input as the sans-IO
// core is driven in production, in chunks of sizes derived from the input, answering need().
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

#include "index/instance_reader.hpp"

namespace fuzz {

// Decoded frames larger than this are skipped (the core allows 1 GiB; a fuzzer needs speed).
constexpr uint64_t k_max_decoded = uint64_t(4) << 20;

inline uint64_t hash(const uint8_t* p, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < n && i < 64; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  return h ^ n;
}

// Runs an instance reader over `data` as the TypeScript I/O layer does: each need() answered with
// the bytes asked for (clipped to the input) plus a read-ahead whose size comes from the input,
// sometimes fed in two pieces. Returns the reader, done or failed.
inline void drive(lazydcm::instance_reader& reader, const uint8_t* data, size_t size) {
  auto* r = &reader;
  uint64_t rng = hash(data, size);
  for (int steps = 0; steps < 4096; ++steps) {
    auto s = r->step();
    if (s != lazydcm::parse_status::need_bytes) break;
    auto n = r->need();
    if (n.offset >= size) break;  // the reader asked past the end: production says `truncated`
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t ahead = (rng >> 33) % 4 == 0 ? 0 : (rng >> 40) % 8192;
    uint64_t len = std::min<uint64_t>(std::max<uint64_t>(n.length, 1) + ahead, size - n.offset);
    if (len > 1 && (rng >> 20) % 3 == 0) {  // in two pieces, second first
      uint64_t half = len / 2;
      r->feed(n.offset + half, data + n.offset + half, size_t(len - half));
      r->feed(n.offset, data + n.offset, size_t(half));
    } else {
      r->feed(n.offset, data + n.offset, size_t(len));
    }
  }
}
inline std::unique_ptr<lazydcm::instance_reader> read_instance(const uint8_t* data, size_t size) {
  auto r = std::make_unique<lazydcm::instance_reader>(size);
  drive(*r, data, size);
  return r;
}

// The bytes of frame i's indexed range inside the input, or nullptr (deflated files: the reader
// holds the inflated stream, the range is not needed).
inline const uint8_t* frame_range(const lazydcm::instance_reader& r, size_t i, const uint8_t* data, size_t size,
                                  size_t& length) {
  const auto& loc = r.index()->frames[i];
  length = 0;
  if (r.file().pixel.in_inflated_stream) return data;
  if (loc.offset > size || loc.length > size - loc.offset) return nullptr;
  length = size_t(loc.length);
  return data + loc.offset;
}

}  // namespace fuzz
