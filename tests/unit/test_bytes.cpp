#include <catch2/catch.hpp>
#include <random>

#include "core/bytes.hpp"

using namespace lazydcm;

TEST_CASE("byte_store merges pieces fed in any order into contiguous views") {
  std::vector<uint8_t> file(1000);
  for (size_t i = 0; i < file.size(); ++i) file[i] = uint8_t(i * 7 + 3);
  std::mt19937 rng(42);
  for (int round = 0; round < 50; ++round) {
    byte_store s;
    std::vector<bool> held(file.size());
    for (int k = 0; k < 40; ++k) {
      size_t off = rng() % file.size(), len = 1 + rng() % 80;
      len = std::min(len, file.size() - off);
      s.add(off, file.data() + off, len);
      for (size_t i = off; i < off + len; ++i) held[i] = true;
      // Every maximal held run must be one view with the right bytes.
      for (size_t i = 0; i < file.size();) {
        if (!held[i]) { REQUIRE_FALSE(s.has(i, 1)); ++i; continue; }
        size_t j = i;
        while (j < file.size() && held[j]) ++j;
        const uint8_t* v = s.view(i, j - i);
        REQUIRE(v != nullptr);
        REQUIRE(std::equal(v, v + (j - i), file.data() + i));
        REQUIRE(s.held_until(i) == j);
        if (j < file.size()) REQUIRE(s.view(i, j - i + 1) == nullptr);
        i = j;
      }
    }
    size_t count = std::count(held.begin(), held.end(), true);
    REQUIRE(s.bytes_held() == count);
  }
}

TEST_CASE("endian loads") {
  uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(load_u16(b, false) == 0x0201);
  CHECK(load_u16(b, true) == 0x0102);
  CHECK(load_u32(b, false) == 0x04030201u);
  CHECK(load_u32(b, true) == 0x01020304u);
  CHECK(load_u64(b, false) == 0x0807060504030201ull);
  CHECK(load_u64(b, true) == 0x0102030405060708ull);
}
