// Native header parse time (the WASM and peer numbers come from bench/parse-header.mjs).
// Usage: lazydcm_bench_parse FILE [repeats]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include "index/instance_reader.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [repeats]\n", argv[0]);
    return 2;
  }
  std::ifstream f(argv[1], std::ios::binary);
  std::vector<uint8_t> file((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  int repeats = argc > 2 ? std::atoi(argv[2]) : 5;
  double best = 1e30;
  size_t frames = 0, elements = 0;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    lazydcm::instance_reader r(file.size());
    r.feed(0, file.data(), file.size());
    if (r.step() != lazydcm::parse_status::done) {
      std::fprintf(stderr, "%s\n", r.failure().to_string().c_str());
      return 1;
    }
    auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double, std::milli>(t1 - t0).count());
    frames = r.index() ? r.index()->frames.size() : 0;
    elements = r.file().body.deep_size();
  }
  std::printf("{\"native_ms\": %.3f, \"frames\": %zu, \"elements\": %zu}\n", best, frames, elements);
}
