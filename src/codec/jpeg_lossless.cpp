// JPEG Lossless, Non-Hierarchical (ITU-T T.81 Annex H, process 14; transfer syntaxes .57 and
// .70): Huffman-coded prediction differences, predictors 1-7, point transform, 2-16 bits,
// restart intervals, components interleaved in one scan or in separate scans. libjpeg-turbo
// 2.1 has no lossless mode, so this is ours.
#include <array>
#include <cstring>

#include "codec/adapters.hpp"
#include "codec/jpeg_turbo.hpp"

namespace lazydcm {
namespace {

struct huffman {
  bool present = false;
  std::array<int32_t, 18> maxcode{};
  std::array<int32_t, 17> valptr{}, mincode{};
  std::array<uint8_t, 256> values{};
};

struct component {
  uint8_t id = 0, h = 1, v = 1;
  int dc_table = 0;
};

class bit_reader {
 public:
  bit_reader(const uint8_t* p, size_t n, size_t pos) : p_(p), n_(n), pos_(pos) {}
  int bit() {
    if (bits_ == 0) fill();
    --bits_;
    return int((acc_ >> bits_) & 1);
  }
  uint32_t get(int k) {
    uint32_t v = 0;
    while (k--) v = v << 1 | uint32_t(bit());
    return v;
  }
  // At a restart marker: drop the padding bits and the RSTn marker itself.
  bool restart() {
    bits_ = 0;
    acc_ = 0;
    hit_marker_ = false;
    while (pos_ + 1 < n_ && !(p_[pos_] == 0xFF && p_[pos_ + 1] >= 0xD0 && p_[pos_ + 1] <= 0xD7)) {
      if (p_[pos_] == 0xFF && p_[pos_ + 1] != 0 && p_[pos_ + 1] != 0xFF) return false;  // another marker
      ++pos_;
    }
    if (pos_ + 1 >= n_) return false;
    pos_ += 2;
    return true;
  }
  size_t position() const { return pos_; }
  int overrun() const { return overrun_; }

 private:
  void fill() {
    // One byte at a time: FF00 is a stuffed FF; any other marker ends the data (zeros follow).
    if (!hit_marker_ && pos_ < n_) {
      uint8_t b = p_[pos_];
      if (b == 0xFF) {
        uint8_t next = pos_ + 1 < n_ ? p_[pos_ + 1] : 0xD9;
        if (next == 0x00) {
          pos_ += 2;
        } else if (next == 0xFF) {
          ++pos_;  // fill byte before a marker
          fill();
          return;
        } else {
          hit_marker_ = true;
          b = 0;
          ++overrun_;
        }
      } else {
        ++pos_;
      }
      acc_ = (acc_ << 8) | b;
    } else {
      acc_ <<= 8;
      ++overrun_;
    }
    bits_ = 8;
  }
  const uint8_t* p_;
  size_t n_, pos_;
  uint32_t acc_ = 0;
  int bits_ = 0;
  bool hit_marker_ = false;
  int overrun_ = 0;
};

class jpeg_lossless final : public codec {
 public:
  const char* name() const override { return "JPEG Lossless (lazydcm)"; }

  error decode(const uint8_t* src, size_t n, const frame_info& info, uint8_t* dst, size_t,
               decode_report& report, const decode_options& options) const override {
    auto bad = [&](size_t at, const std::string& why) { return make_error(errc::invalid_value, at, "JPEG lossless: " + why); };
    if (n < 4 || src[0] != 0xFF || src[1] != 0xD8) return bad(0, "no SOI marker");
    std::array<huffman, 4> tables;
    std::vector<component> comps;
    int precision = 0;
    uint32_t width = 0, height = 0, restart_interval = 0;
    bool frame_seen = false, scanned = false;
    size_t pos = 2;
    while (pos + 4 <= n) {
      if (src[pos] != 0xFF) return bad(pos, "expected a marker");
      uint8_t m = src[pos + 1];
      if (m == 0xFF) { ++pos; continue; }
      if (m == 0xD9) break;  // EOI
      if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { pos += 2; continue; }
      size_t len = size_t(src[pos + 2]) << 8 | src[pos + 3];
      if (len < 2 || pos + 2 + len > n) return make_error(errc::truncated, pos, "JPEG lossless: segment runs past the end");
      const uint8_t* seg = src + pos + 4;
      size_t seg_len = len - 2;
      switch (m) {
        case 0xC3: {  // SOF3: lossless, Huffman
          if (seg_len < 6) return bad(pos, "short SOF3");
          precision = seg[0];
          height = uint32_t(seg[1]) << 8 | seg[2];
          width = uint32_t(seg[3]) << 8 | seg[4];
          int nc = seg[5];
          if (precision < 2 || precision > 16) return bad(pos, "precision " + std::to_string(precision));
          if (nc < 1 || nc > 4 || seg_len < size_t(6 + 3 * nc)) return bad(pos, "bad component count");
          comps.resize(size_t(nc));
          for (int c = 0; c < nc; ++c) {
            comps[size_t(c)].id = seg[6 + 3 * c];
            comps[size_t(c)].h = seg[7 + 3 * c] >> 4;
            comps[size_t(c)].v = seg[7 + 3 * c] & 15;
            if (comps[size_t(c)].h != 1 || comps[size_t(c)].v != 1)
              return make_error(errc::unsupported_transfer_syntax, pos, "JPEG lossless with subsampled components is not supported");
          }
          frame_seen = true;
          break;
        }
        case 0xC0: case 0xC1: case 0xC2: {
          // A DCT codestream under a lossless transfer syntax (mislabelled by its writer): decode
          // what the codestream is, as pydicom and GDCM do, and say so.
          error e = decode_dct(src, n, info, dst, report, options);
          if (e.code == errc::ok) {
            report.decoder += "; JPEG process SOF" + std::to_string(m - 0xC0) + " under a lossless transfer syntax";
          }
          return e;
        }
        case 0xC5: case 0xC6: case 0xC7: case 0xC9: case 0xCA:
        case 0xCB: case 0xCD: case 0xCE: case 0xCF:
          return make_error(errc::unsupported_transfer_syntax, pos,
                            "JPEG process SOF" + std::to_string(m - 0xC0) + " in a lossless transfer syntax");
        case 0xC4: {  // DHT
          size_t q = 0;
          while (q + 17 <= seg_len) {
            int tc = seg[q] >> 4, th = seg[q] & 15;
            if (th > 3) return bad(pos, "Huffman table id");
            huffman& t = tables[size_t(th)];
            int count = 0;
            std::array<uint8_t, 17> bits{};
            for (int l = 1; l <= 16; ++l) count += bits[size_t(l)] = seg[q + size_t(l)];
            if (count > 256 || q + 17 + size_t(count) > seg_len) return bad(pos, "Huffman table size");
            if (tc == 0) {
              build(t, bits, seg + q + 17, count);
            }
            q += 17 + size_t(count);
          }
          break;
        }
        case 0xDD:  // DRI
          if (seg_len < 2) return bad(pos, "short DRI");
          restart_interval = uint32_t(seg[0]) << 8 | seg[1];
          break;
        case 0xDA: {  // SOS
          if (!frame_seen) return bad(pos, "SOS before SOF3");
          if (error e = check_frame(info, precision, width, height, comps.size(), pos); e.code != errc::ok) return e;
          size_t end = 0;
          if (error e = scan(src, n, pos, seg, seg_len, tables, comps, precision, width, height, restart_interval,
                             info, dst, end); e.code != errc::ok)
            return e;
          scanned = true;
          pos = end;
          continue;
        }
        default:
          break;  // APPn, COM, DNL...
      }
      pos += 2 + len;
    }
    if (!scanned) return make_error(errc::truncated, pos, "JPEG lossless: no scan");
    report.bits_allocated = info.bits_allocated;
    return {};
  }

 private:
  static void build(huffman& t, const std::array<uint8_t, 17>& bits, const uint8_t* vals, int count) {
    t = huffman{};
    t.present = true;
    std::memcpy(t.values.data(), vals, size_t(count));
    int code = 0, k = 0;
    for (int l = 1; l <= 16; ++l) {
      t.valptr[size_t(l)] = k;
      t.mincode[size_t(l)] = code;
      code += bits[size_t(l)];
      k += bits[size_t(l)];
      t.maxcode[size_t(l)] = bits[size_t(l)] ? code - 1 : -1;
      code <<= 1;
    }
    t.maxcode[17] = 0x7FFFFFFF;
  }

  static error check_frame(const frame_info& info, int precision, uint32_t w, uint32_t h, size_t nc, size_t pos) {
    if (w != info.columns || h != info.rows || nc != info.samples_per_pixel)
      return make_error(errc::invalid_image_attributes, pos,
                        "JPEG lossless frame is " + std::to_string(w) + "x" + std::to_string(h) + "x" +
                            std::to_string(nc) + ", the dataset says " + std::to_string(info.columns) + "x" +
                            std::to_string(info.rows) + "x" + std::to_string(info.samples_per_pixel));
    if (uint32_t(precision) > info.bits_allocated || info.bits_allocated > 16)
      return make_error(errc::invalid_image_attributes, pos,
                        "JPEG precision " + std::to_string(precision) + " in " + std::to_string(info.bits_allocated) +
                            "-bit samples");
    return {};
  }

  static error scan(const uint8_t* src, size_t n, size_t marker_pos, const uint8_t* seg, size_t seg_len,
                    const std::array<huffman, 4>& tables, const std::vector<component>& comps, int precision,
                    uint32_t width, uint32_t height, uint32_t restart_interval, const frame_info& info,
                    uint8_t* dst, size_t& end) {
    auto bad = [&](const std::string& why) { return make_error(errc::invalid_value, marker_pos, "JPEG lossless: " + why); };
    int ns = seg_len ? seg[0] : 0;
    if (ns < 1 || ns > 4 || seg_len < size_t(4 + 2 * ns)) return bad("bad SOS");
    std::vector<int> index(static_cast<size_t>(ns)), table(static_cast<size_t>(ns));
    for (int i = 0; i < ns; ++i) {
      uint8_t id = seg[1 + 2 * i];
      int found = -1;
      for (size_t c = 0; c < comps.size(); ++c)
        if (comps[c].id == id) found = int(c);
      if (found < 0) return bad("scan names an unknown component");
      index[size_t(i)] = found;
      table[size_t(i)] = seg[2 + 2 * i] >> 4;
      if (table[size_t(i)] > 3 || !tables[size_t(table[size_t(i)])].present) return bad("scan uses a missing Huffman table");
    }
    const int predictor = seg[1 + 2 * ns];
    const int pt = seg[3 + 2 * ns] & 15;
    if (predictor < 1 || predictor > 7) return bad("predictor " + std::to_string(predictor));
    if (pt >= precision) return bad("point transform");
    const size_t spp = info.samples_per_pixel;
    const int32_t initial = 1 << (precision - pt - 1);
    std::vector<int32_t> prev(static_cast<size_t>(width) * ns), cur(static_cast<size_t>(width) * ns);
    bit_reader br(src, n, marker_pos + 2 + 2 + seg_len);
    uint32_t mcus_left = restart_interval;
    bool first_line = true;      // no row above: predict from the left
    bool first_sample = true;    // nothing to the left either: predict 2^(P-Pt-1)
    for (uint32_t y = 0; y < height; ++y) {
      for (uint32_t x = 0; x < width; ++x) {
        if (restart_interval) {
          if (mcus_left == 0) {
            if (!br.restart()) return make_error(errc::truncated, br.position(), "JPEG lossless: missing restart marker");
            mcus_left = restart_interval;
            first_line = true;
            first_sample = true;
          }
          --mcus_left;
        }
        for (int i = 0; i < ns; ++i) {
          const size_t k = size_t(x) * size_t(ns) + size_t(i);
          int32_t pred;
          if (first_sample) pred = initial;
          else if (first_line) pred = cur[k - size_t(ns)];
          else if (x == 0) pred = prev[k];
          else {
            const int32_t ra = cur[k - size_t(ns)], rb = prev[k], rc = prev[k - size_t(ns)];
            switch (predictor) {
              case 1: pred = ra; break;
              case 2: pred = rb; break;
              case 3: pred = rc; break;
              case 4: pred = ra + rb - rc; break;
              case 5: pred = ra + ((rb - rc) >> 1); break;
              case 6: pred = rb + ((ra - rc) >> 1); break;
              default: pred = (ra + rb) >> 1; break;
            }
          }
          const huffman& t = tables[size_t(table[size_t(i)])];
          int code = br.bit(), l = 1;
          while (code > t.maxcode[size_t(l)]) {
            if (++l > 16) return make_error(errc::invalid_value, br.position(), "JPEG lossless: bad Huffman code");
            code = code << 1 | br.bit();
          }
          const int ssss = t.values[size_t(t.valptr[size_t(l)] + code - t.mincode[size_t(l)])];
          int32_t diff = 0;
          if (ssss == 16) {
            diff = 32768;
          } else if (ssss > 0) {
            if (ssss > 16) return make_error(errc::invalid_value, br.position(), "JPEG lossless: difference category");
            int32_t bits = int32_t(br.get(ssss));
            diff = bits < (1 << (ssss - 1)) ? bits - (1 << ssss) + 1 : bits;
          }
          const int32_t value = (pred + diff) & 0xFFFF;
          cur[k] = value;
          const size_t sample = (size_t(y) * width + x) * spp + size_t(index[size_t(i)]);
          codec_util::put_sample(dst, sample, info.bits_allocated, value << pt);
        }
        first_sample = false;
      }
      first_line = false;
      std::swap(prev, cur);
      if (br.overrun() > 8) return make_error(errc::truncated, br.position(), "JPEG lossless: the scan ends early");
    }
    // Continue after the scan's entropy-coded data: find the next marker.
    size_t p = br.position();
    while (p + 1 < n && !(src[p] == 0xFF && src[p + 1] != 0 && !(src[p + 1] >= 0xD0 && src[p + 1] <= 0xD7))) ++p;
    end = p;
    return {};
  }
};

}  // namespace

const codec* jpeg_lossless_codec() {
  static const jpeg_lossless instance;
  return &instance;
}

}  // namespace lazydcm
