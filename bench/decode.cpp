// Native decode time per frame for bench/decode.mjs: the same codecs as the WASM build.
// Usage: lazydcm_bench_decode INPUT_DIR   (made by bench/make-codec-inputs.py); prints JSON.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/codec.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s INPUT_DIR\n", argv[0]);
    return 2;
  }
  std::string dir = argv[1];
  std::ifstream f(dir + "/inputs.json");
  auto inputs = nlohmann::json::parse(f);
  nlohmann::json out = nlohmann::json::object();
  for (auto& [name, in] : inputs.items()) {
    std::vector<std::vector<uint8_t>> frames;
    for (auto& file : in["files"]) {
      std::ifstream b(dir + "/" + file.get<std::string>(), std::ios::binary);
      frames.emplace_back((std::istreambuf_iterator<char>(b)), std::istreambuf_iterator<char>());
    }
    lazydcm::frame_info info;
    auto& fr = in["frame"];
    info.rows = fr["rows"];
    info.columns = fr["columns"];
    info.samples_per_pixel = fr["samplesPerPixel"];
    info.bits_allocated = fr["bitsAllocated"];
    info.bits_stored = fr["bitsStored"];
    info.pixel_representation = fr["pixelRepresentation"];
    info.photometric_interpretation = fr["photometricInterpretation"];
    std::vector<uint8_t> dst(size_t(lazydcm::stored_frame_size(info)));
    std::vector<double> samples;
    auto t_end = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
    size_t k = 0;
    while (samples.size() < 20 || std::chrono::steady_clock::now() < t_end) {
      const auto& enc = frames[k++ % frames.size()];
      lazydcm::decode_report report;
      auto t0 = std::chrono::steady_clock::now();
      auto e = lazydcm::decode_frame(in["transferSyntax"].get<std::string>(), enc.data(), enc.size(), info, dst.data(),
                                     dst.size(), report);
      auto t1 = std::chrono::steady_clock::now();
      if (e.code != lazydcm::errc::ok) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), e.to_string().c_str());
        return 1;
      }
      samples.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      if (samples.size() > 5000) break;
    }
    std::sort(samples.begin(), samples.end());
    out[name] = samples[samples.size() / 2];
  }
  std::printf("%s\n", out.dump().c_str());
}
