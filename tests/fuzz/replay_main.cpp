// Runs a fuzz target's LLVMFuzzerTestOneInput over files and folders without libFuzzer: the
// reproducers kept in tests/fuzz/regressions replay in every ctest build (native, ASan + UBSan).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// An input that takes longer than this is a hang (a fuzzer's timeout): the replay fails.
constexpr double k_max_seconds = 3.0;

int main(int argc, char** argv) {
  size_t runs = 0;
  int slow = 0;
  for (int a = 1; a < argc; ++a) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(argv[a])) {
      for (const auto& e : std::filesystem::directory_iterator(argv[a]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::exists(argv[a])) {
      files.emplace_back(argv[a]);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const auto t0 = std::chrono::steady_clock::now();
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (s > k_max_seconds) {
        std::printf("%s: %.1f s (more than %.0f s: a hang)\n", f.string().c_str(), s, k_max_seconds);
        ++slow;
      }
      ++runs;
    }
  }
  std::printf("replayed %zu inputs\n", runs);
  return slow ? 1 : 0;
}
