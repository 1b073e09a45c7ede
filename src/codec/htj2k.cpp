// HTJ2K (.201, .202, .203) with OpenJPH 0.31.0 (WebAssembly SIMD block decoder and transforms in
// the SIMD build), including reduced-resolution decoding (resolutions skipped for reading and for
// reconstruction, so their bytes are never decoded). OpenJPEG 2.5.4 (j2k.cpp) decodes what OpenJPH
// does not: JP2/JPH files (boxes around the codestream), Part 1 codestreams under an HTJ2K syntax
// (no CAP marker), subsampled components, and codestreams OpenJPH refuses (mixed code-blocks) —
// the report names the decoder used and why.
#include <ojph_arch.h>
#include <ojph_codestream.h>
#include <ojph_file.h>
#include <ojph_mem.h>
#include <ojph_message.h>
#include <ojph_params.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "codec/adapters.hpp"

namespace lazydcm {
namespace {

// OpenJPH reports through global message objects: quiet info/warnings, errors thrown with their text.
struct quiet_info final : ojph::message_info {
  void operator()(int, const char*, int, const char*, ...) override {}
};
// Warnings are kept (the first) for the report: OpenJPH decodes a truncated codestream with a warning.
thread_local std::string g_warning;
struct keep_warning final : ojph::message_warning {
  void operator()(int, const char*, int, const char* fmt, ...) override {
    if (!g_warning.empty()) return;
    char text[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    g_warning = text;
    while (!g_warning.empty() && (g_warning.back() == '\n' || g_warning.back() == ' ')) g_warning.pop_back();
  }
};
struct throwing_error final : ojph::message_error {
  void operator()(int code, const char*, int, const char* fmt, ...) override {
    char text[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    std::string message(text);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08X", unsigned(code));
    throw std::runtime_error(message + " (" + hex + ")");
  }
};

void configure_messages() {
  static quiet_info info;
  static keep_warning warning;
  static throwing_error error;
  static const bool done = [] {
    ojph::configure_info(&info);
    ojph::configure_warning(&warning);
    ojph::configure_error(&error);
    return true;
  }();
  (void)done;
}

// A raw codestream whose main header has a CAP marker (Part 15 capabilities): OpenJPH's to decode.
bool is_ht_codestream(const uint8_t* p, size_t n) {
  if (n < 4 || p[0] != 0xFF || p[1] != 0x4F) return false;
  for (size_t i = 2; i + 4 <= n;) {
    if (p[i] != 0xFF) return false;
    const uint8_t marker = p[i + 1];
    if (marker == 0x50) return true;                     // CAP
    if (marker == 0x90 || marker == 0x93) return false;  // SOT, SOD: the main header ended
    const size_t length = size_t(p[i + 2]) << 8 | p[i + 3];
    if (length < 2) return false;
    i += 2 + length;
  }
  return false;
}

// OpenJPH decodes a codestream cut short as if the rest were zeros, silently; the tile-part
// lengths (Psot) say how long it should be. Returns the offset where it is short, or 0.
size_t truncated_at(const uint8_t* p, size_t n) {
  size_t i = 2;
  while (i + 4 <= n && !(p[i] == 0xFF && p[i + 1] == 0x90)) {  // the main header, to the first SOT
    if (p[i] != 0xFF) return 0;  // not ours to judge: OpenJPH's parser says what is wrong
    i += 2 + (size_t(p[i + 2]) << 8 | p[i + 3]);
  }
  while (i + 12 <= n && p[i] == 0xFF && p[i + 1] == 0x90) {
    const size_t psot = size_t(p[i + 6]) << 24 | size_t(p[i + 7]) << 16 | size_t(p[i + 8]) << 8 | p[i + 9];
    if (psot == 0) {  // the last tile-part runs to the EOC marker (a DICOM pad byte may follow)
      const size_t end = n >= 1 && p[n - 1] == 0 ? n - 1 : n;
      return end >= 2 && p[end - 2] == 0xFF && p[end - 1] == 0xD9 ? 0 : n;
    }
    if (psot < 12 || psot > n - i) return n;
    i += psot;
  }
  if (i >= n) return n;  // no EOC
  return 0;              // at EOC, or a marker OpenJPH's parser will judge
}

enum class outcome { decoded, not_for_openjph };

// Decodes with OpenJPH into dst; throws std::exception (OpenJPH's errors, or ours as runtime_error).
outcome decode_ht(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, decode_report& report,
                  int reduce, std::string& why) {
  ojph::mem_infile file;
  file.open(src, size);
  ojph::codestream cs;
  cs.read_headers(&file);
  if (reduce > 0) cs.restrict_input_resolution(ojph::ui32(reduce), ojph::ui32(reduce));
  ojph::param_siz siz = cs.access_siz();
  const uint32_t nc = siz.get_num_components();
  if (nc != info.samples_per_pixel)
    throw std::runtime_error("HTJ2K has " + std::to_string(nc) + " components, the dataset says " +
                             std::to_string(info.samples_per_pixel));
  uint32_t rows = info.rows, cols = info.columns;
  for (int r = 0; r < reduce; ++r) {
    rows = (rows + 1) / 2;
    cols = (cols + 1) / 2;
  }
  for (uint32_t c = 0; c < nc; ++c) {
    const ojph::point d = siz.get_downsampling(c);
    if (d.x != 1 || d.y != 1) {
      why = "subsampled components";
      return outcome::not_for_openjph;
    }
    if (siz.get_recon_width(c) != cols || siz.get_recon_height(c) != rows)
      throw std::runtime_error("HTJ2K image is " + std::to_string(siz.get_recon_width(c)) + "x" +
                               std::to_string(siz.get_recon_height(c)) + ", expected " + std::to_string(cols) +
                               "x" + std::to_string(rows));
    if (siz.get_bit_depth(c) == 0 || siz.get_bit_depth(c) > info.bits_allocated || siz.get_bit_depth(c) > 32)
      throw std::runtime_error("HTJ2K component " + std::to_string(c) + " of " + std::to_string(siz.get_bit_depth(c)) +
                               " bits does not fit " + std::to_string(info.bits_allocated) + "-bit samples");
  }
  const bool is_signed = siz.is_signed(0);
  const uint32_t bits = siz.get_bit_depth(0);
  const int64_t lo = is_signed ? -(int64_t(1) << (bits - 1)) : 0;
  const int64_t hi = is_signed ? (int64_t(1) << (bits - 1)) - 1 : (int64_t(1) << bits) - 1;
  cs.set_planar(false);  // one line of every component per row (and the inverse colour transform)
  cs.create();
  for (uint32_t y = 0; y < rows; ++y) {
    for (uint32_t c = 0; c < nc; ++c) {
      ojph::ui32 comp = 0;
      ojph::line_buf* line = cs.pull(comp);
      if (!line || comp != c || line->size < cols || !(line->flags & ojph::line_buf::LFT_INTEGER))
        throw std::runtime_error("OpenJPH returned an unexpected line");
      const size_t base = size_t(y) * cols * nc + c;
      if (line->flags & ojph::line_buf::LFT_64BIT) {
        for (uint32_t x = 0; x < cols; ++x) {
          const int64_t v = std::min(std::max(line->i64[x], lo), hi);
          codec_util::put_sample(dst, base + size_t(x) * nc, info.bits_allocated, int32_t(v));
        }
        continue;
      }
      const int32_t* in = line->i32;
      if (info.bits_allocated == 8) {  // bits <= 8: the bounds fit int32
        const int32_t l = int32_t(lo), h = int32_t(hi);
        uint8_t* out = dst + base;
        for (uint32_t x = 0; x < cols; ++x) out[size_t(x) * nc] = uint8_t(std::min(std::max(in[x], l), h));
      } else if (info.bits_allocated == 16) {
        const int32_t l = int32_t(lo), h = int32_t(hi);
        uint8_t* out = dst + 2 * base;
        for (uint32_t x = 0; x < cols; ++x) {
          const uint16_t v = uint16_t(std::min(std::max(in[x], l), h));
          std::memcpy(out + 2 * size_t(x) * nc, &v, 2);  // little-endian targets
        }
      } else {
        for (uint32_t x = 0; x < cols; ++x)
          codec_util::put_sample(dst, base + size_t(x) * nc, info.bits_allocated,
                                 int32_t(std::min<int64_t>(std::max<int64_t>(in[x], lo), hi)));
      }
    }
  }
  cs.close();
  report.rows = rows;
  report.columns = cols;
  if (info.pixel_representation == 1 && !is_signed) {
    const uint32_t from = info.bits_stored > 0 && info.bits_stored <= info.bits_allocated ? info.bits_stored : bits;
    codec_util::sign_extend(dst, size_t(rows) * cols * nc, info.bits_allocated, from);
    report.decoder += "; unsigned codestream, Pixel Representation 1: sign-extended from bit " + std::to_string(from);
  }
  if (nc == 3 && (info.photometric_interpretation == "YBR_RCT" || info.photometric_interpretation == "YBR_ICT"))
    report.photometric_interpretation = "RGB";
  return outcome::decoded;
}

class htj2k final : public codec {
 public:
  const char* name() const override { return "OpenJPH 0.31.0"; }
  bool reduces() const override { return true; }
  error decode(const uint8_t* src, size_t size, const frame_info& info, uint8_t* dst, size_t dst_size,
               decode_report& report, const decode_options& options) const override {
    std::string why;
    if (!is_ht_codestream(src, size)) {
      why = size >= 12 && src[0] == 0 && src[4] == 'j' ? "a JP2/JPH file" : "no CAP marker (a Part 1 codestream)";
    } else {
      if (std::string bad = j2k_siz_mismatch(src, size, info); !bad.empty())
        return make_error(errc::invalid_image_attributes, error::no_offset, bad);
      if (truncated_at(src, size))
        return make_error(errc::truncated, error::no_offset,
                          "HTJ2K codestream of " + std::to_string(size) + " bytes is cut short (its tile-part lengths or EOC marker say so)");
      configure_messages();
      g_warning.clear();
      try {
        if (decode_ht(src, size, info, dst, report, options.reduce, why) == outcome::decoded) {
          if (!g_warning.empty()) report.decoder += "; OpenJPH warning: " + g_warning;
          return {};
        }
      } catch (const std::bad_alloc&) {
        return make_error(errc::out_of_memory, error::no_offset, "OpenJPH: out of memory");
      } catch (const std::exception& e) {
        why = std::string("OpenJPH: ") + e.what();
      } catch (const char* e) {  // OpenJPH's parser throws these where its own catch does not reach
        why = std::string("OpenJPH: ") + (e ? e : "error");
      } catch (...) {
        why = "OpenJPH: unknown error";
      }
    }
    const decode_report before = report;
    error e = j2k_codec()->decode(src, size, info, dst, dst_size, report, options);
    if (e.code != errc::ok) {
      if (why.rfind("OpenJPH: ", 0) == 0) return make_error(errc::invalid_value, error::no_offset, why);
      return e;
    }
    report.decoder = std::string(j2k_codec()->name()) + " (" + why + ")" + report.decoder.substr(before.decoder.size());
    return {};
  }
};

}  // namespace

const codec* htj2k_codec() {
  static const htj2k instance;
  return &instance;
}

}  // namespace lazydcm
