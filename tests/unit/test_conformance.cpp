// The conformance fixtures (tests/conformance/make_fixtures.py: files from PixelMed, dcmtk, GDCM,
// pydicom and real-file quirks) decoded by the native core, every frame against its independent
// reference — so the sanitizer tier (ASan + UBSan) runs the real writers' files too. The Node and
// Chromium tiers check the same files through the public API (tests/conformance/).
#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "image/frames.hpp"

using namespace lazydcm;

namespace {
const std::string dir = LAZYDCM_CONFORMANCE_DIR;

// The decoded frames of a file (JPEG as RGB, like the slide viewers), re-indexing once when a
// frame read finds the offset table wrong, as the TypeScript layer does.
std::vector<std::vector<uint8_t>> decode_frames(const std::vector<uint8_t>& file, size_t limit) {
  instance_reader r(file.size());
  r.feed(0, file.data(), file.size());
  REQUIRE(r.step() == parse_status::done);
  INFO((r.index_error() ? r.index_error()->to_string() : std::string()));
  REQUIRE_FALSE(r.index_error().has_value());
  auto image = read_image_info(r.file().body, r.file().pixel);
  REQUIRE(image.ok());
  decode_options options;
  options.rgb = true;
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < std::min(limit, r.index()->frames.size()); ++i) {
    std::vector<uint8_t> frame;
    decode_report report;
    auto decode = [&] {
      const frame_location& loc = r.index()->frames[i];
      const uint8_t* range = r.file().pixel.in_inflated_stream ? r.inflated_bytes().view(loc.offset, loc.length)
                                                                : file.data() + loc.offset;
      return decode_stored_frame(r.file(), image.value(), loc, range, size_t(loc.length), frame, report, options);
    };
    error e = decode();
    if (e.code == errc::invalid_offset_table && r.reindex(e.message)) {
      r.feed(0, file.data(), file.size());
      REQUIRE(r.step() == parse_status::done);
      e = decode();
    }
    INFO("frame " << i + 1 << ": " << e.to_string());
    REQUIRE(e.code == errc::ok);
    out.push_back(std::move(frame));
  }
  return out;
}

size_t first_difference(const uint8_t* a, const uint8_t* b, size_t n) {
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}
}  // namespace

TEST_CASE("real writers' files: every frame decodes natively to its independent reference") {
  auto manifest = test::read_json(dir + "/manifest.json");
  int files = 0, frames = 0;
  for (const auto& fx : manifest["fixtures"]) {
    const std::string name = fx["name"].get<std::string>();
    INFO(name << " (" << fx["writer"].get<std::string>() << ")");
    if (fx["kind"] == "slide") {
      for (const auto& level : fx["levels"]) {
        INFO(level["file"].get<std::string>());
        auto file = test::read_file(dir + "/" + level["file"].get<std::string>());
        auto mosaic = test::read_npy(dir + "/" + level["mosaic"].get<std::string>());
        const size_t R = level["tileRows"], C = level["tileColumns"], W = mosaic.shape[1];
        const size_t across = (level["columns"].get<size_t>() + C - 1) / C;
        auto got = decode_frames(file, SIZE_MAX);
        REQUIRE(got.size() == level["frames"].get<size_t>());
        for (size_t k = 0; k < got.size(); ++k) {
          INFO("frame " << k + 1);
          REQUIRE(got[k].size() == R * C * 3);
          const size_t r0 = k / across * R, c0 = k % across * C;
          for (size_t y = 0; y < R; ++y) {
            const uint8_t* want = mosaic.data.data() + ((r0 + y) * W + c0) * 3;
            CHECK(first_difference(got[k].data() + y * C * 3, want, C * 3) == C * 3);
          }
          ++frames;
        }
        ++files;
      }
      continue;
    }
    if (!fx.contains("reference")) continue;
    auto file = test::read_file(dir + "/" + fx["files"][0].get<std::string>());
    auto ref = test::read_npy(dir + "/" + fx["reference"].get<std::string>());
    const size_t n = ref.shape[0], per = ref.data.size() / n;
    auto got = decode_frames(file, n);
    REQUIRE(got.size() == n);
    for (size_t k = 0; k < n; ++k) {
      INFO("frame " << k + 1);
      REQUIRE(got[k].size() == per);
      CHECK(first_difference(got[k].data(), ref.data.data() + k * per, per) == per);
      ++frames;
    }
    ++files;
  }
  CHECK(files >= 60);
  WARN("conformance: " << files << " files, " << frames << " frames equal to their references");
}
