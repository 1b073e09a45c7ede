// Test helpers: files, an in-memory "server" that answers the readers' byte requests and logs
// them, a small DICOM writer for malformed inputs, and the FNV-1a hash the fixture generator uses.
#pragma once
#include <cstdint>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dicom/reader.hpp"
#include "index/instance_reader.hpp"

namespace test {

inline std::string fixtures_dir() { return LAZYDCM_FIXTURES_DIR; }

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline nlohmann::json read_json(const std::string& path) {
  std::ifstream f(path);
  return nlohmann::json::parse(f);
}

inline std::string fnv1a(const uint8_t* p, size_t n) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001B3ull;
  char buf[17];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// A whole file in memory and an instance reader that has read it (header and frame index).
struct loaded_instance {
  std::vector<uint8_t> file;
  std::unique_ptr<lazydcm::instance_reader> reader;
  explicit loaded_instance(const std::string& path)
      : file(read_file(path)), reader(std::make_unique<lazydcm::instance_reader>(file.size())) {
    INFO(path);
    REQUIRE(!file.empty());
    reader->feed(0, file.data(), file.size());
    REQUIRE(reader->step() == lazydcm::parse_status::done);
  }
  const lazydcm::dataset& body() const { return reader->file().body; }
  size_t frames() const { return reader->index() ? reader->index()->frames.size() : 0; }
  // The bytes of frame i's indexed range.
  const uint8_t* range(size_t i) const { return file.data() + reader->index()->frames[i].offset; }
  size_t range_size(size_t i) const { return size_t(reader->index()->frames[i].length); }
};

struct fetch_log {
  int requests = 0;
  uint64_t bytes = 0;
};

// Answers need() from `file` until the reader is done or failed. Each answer is one "request" of
// at least `min_read` bytes (read-ahead), as the TypeScript I/O layer does.
template <class Reader>
lazydcm::parse_status serve(Reader& r, const std::vector<uint8_t>& file, fetch_log& log, uint64_t min_read = 0,
                            int max_steps = 1 << 22) {
  for (int i = 0; i < max_steps; ++i) {
    auto s = r.step();
    if (s != lazydcm::parse_status::need_bytes) return s;
    auto n = r.need();
    uint64_t len = std::max<uint64_t>(n.length, min_read);
    if (n.offset >= file.size()) return lazydcm::parse_status::failed;
    len = std::min<uint64_t>(len, file.size() - n.offset);
    r.feed(n.offset, file.data() + n.offset, size_t(len));
    log.requests++;
    log.bytes += len;
  }
  return lazydcm::parse_status::failed;
}

// Feeds the whole file in chunks of the given sizes (cycled), in file order, stepping after
// each chunk: the reader must end with the same dataset whatever the chunking.
inline lazydcm::parse_status feed_in_chunks(lazydcm::dataset_reader& r, const std::vector<uint8_t>& file,
                                            const std::vector<size_t>& sizes) {
  size_t pos = 0, k = 0;
  for (;;) {
    auto s = r.step();
    if (s != lazydcm::parse_status::need_bytes) return s;
    if (pos >= file.size()) return lazydcm::parse_status::failed;
    size_t n = std::min(sizes[k++ % sizes.size()], file.size() - pos);
    r.feed(pos, file.data() + pos, n);
    pos += n;
  }
}

// A little-endian DICOM writer for hand-made (and deliberately broken) files.
struct writer {
  std::vector<uint8_t> out;
  bool implicit = false;
  void u16(uint16_t v) { out.push_back(uint8_t(v)); out.push_back(uint8_t(v >> 8)); }
  void u32(uint32_t v) { u16(uint16_t(v)); u16(uint16_t(v >> 16)); }
  void raw(const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }
  void tag(uint32_t t) { u16(uint16_t(t >> 16)); u16(uint16_t(t)); }
  void header(uint32_t t, const char* vr, uint32_t length) {
    tag(t);
    if (implicit || (t >> 16) == 0xFFFE) { u32(length); return; }
    raw(vr);
    std::string v(vr);
    if (v == "OB" || v == "OW" || v == "OF" || v == "OD" || v == "OL" || v == "OV" || v == "SQ" || v == "UN" ||
        v == "UT" || v == "UC" || v == "UR" || v == "SV" || v == "UV") {
      u16(0);
      u32(length);
    } else {
      u16(uint16_t(length));
    }
  }
  void element(uint32_t t, const char* vr, const std::string& value) {
    header(t, vr, uint32_t(value.size()));
    raw(value);
  }
  void us(uint32_t t, uint16_t v) { header(t, "US", 2); u16(v); }
  // Number of Frames (even-padded IS), Rows, Columns, Bits Allocated.
  void image(const std::string& frames, uint16_t rows, uint16_t cols, uint16_t bits) {
    element(0x00280008, "IS", frames.size() % 2 ? frames + " " : frames);
    us(0x00280010, rows);
    us(0x00280011, cols);
    us(0x00280100, bits);
  }
  // Preamble, DICM and a meta header for the given transfer syntax.
  void file_start(const std::string& ts) {
    out.assign(128, 0);
    raw("DICM");
    std::string uid = ts;
    if (uid.size() & 1) uid.push_back('\0');
    bool was = implicit;
    implicit = false;
    element(0x00020010, "UI", uid);
    implicit = was;
  }
};

// A .npy written by numpy (the fixtures' references).
struct npy {
  std::string descr;
  std::vector<size_t> shape;
  std::vector<uint8_t> data;
};

inline npy read_npy(const std::string& path) {
  auto bytes = test::read_file(path);
  REQUIRE(bytes.size() > 10);
  REQUIRE(std::string(bytes.begin() + 1, bytes.begin() + 6) == "NUMPY");
  size_t header_len = bytes[6] == 1 ? (bytes[8] | bytes[9] << 8) : (bytes[8] | bytes[9] << 8 | bytes[10] << 16);
  size_t start = bytes[6] == 1 ? 10 : 12;
  std::string header(bytes.begin() + long(start), bytes.begin() + long(start + header_len));
  npy out;
  auto d = header.find("'descr': '");
  out.descr = header.substr(d + 10, header.find('\'', d + 10) - d - 10);
  auto s = header.find("'shape': (");
  std::string dims = header.substr(s + 10, header.find(')', s) - s - 10);
  for (size_t i = 0; i < dims.size();) {
    size_t j = dims.find(',', i);
    std::string part = dims.substr(i, j == std::string::npos ? std::string::npos : j - i);
    if (part.find_first_of("0123456789") != std::string::npos) out.shape.push_back(std::stoul(part));
    if (j == std::string::npos) break;
    i = j + 1;
  }
  out.data.assign(bytes.begin() + long(start + header_len), bytes.end());
  return out;
}

}  // namespace test
