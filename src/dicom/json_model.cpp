#include "dicom/json_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "core/bytes.hpp"
#include "dicom/charset.hpp"

namespace lazydcm {

using nlohmann::json;

namespace {

// A JSON number that is an integer T can hold (JSON integers, or floats with no fraction in range).
template <class T>
bool integer_in(const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max());
  if (v.is_number_integer()) {
    const int64_t x = v.get<int64_t>();
    return x >= 0 ? uint64_t(x) <= uint64_t(std::numeric_limits<T>::max()) : std::numeric_limits<T>::is_signed && x >= int64_t(std::numeric_limits<T>::min());
  }
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d) && d >= double(std::numeric_limits<T>::min()) && d <= double(std::numeric_limits<T>::max()) &&
         d < 9.2e18 && d > -9.2e18;
}

constexpr char k_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Ambiguous dictionary VRs must be resolved to one VR in JSON.
vr_t resolve_vr(const element& el, bool signed_pixels) {
  switch (el.vr) {
    case vr::ob_or_ow: return vr::OW;
    case vr::us_or_ss: return signed_pixels ? vr::SS : vr::US;
    case vr::us_ss_or_ow: return vr::US;
    case vr::us_or_ow: return el.length > 6 ? vr::OW : vr::US;
    default: return el.vr;
  }
}

std::string default_bulk_uri(const element& el) {
  return "#offset=" + std::to_string(el.value_offset) + "&length=" + std::to_string(el.length);
}

json number_from_string(std::string_view s, bool integer) {
  std::string t(s);
  while (!t.empty() && t.front() == ' ') t.erase(t.begin());
  while (!t.empty() && (t.back() == ' ' || t.back() == '\0')) t.pop_back();
  if (t.empty()) return nullptr;
  char* end = nullptr;
  if (integer) {
    long long v = std::strtoll(t.c_str(), &end, 10);
    if (end == t.c_str() + t.size()) return v;
  } else {
    double v = std::strtod(t.c_str(), &end);
    if (end == t.c_str() + t.size() && std::isfinite(v)) return v;
  }
  return t;  // not a number: keep the text rather than lose it
}

struct writer {
  const json_options& opt;
  std::vector<std::string>& warnings;

  json write(const dataset& ds, const charset& inherited, bool signed_pixels) {
    charset cs = inherited;
    if (const element* e = ds.find(tags::specific_character_set)) {
      auto r = charset::from_value(e->raw_string());
      if (r) {
        cs = r.value();
      } else {
        warnings.push_back(r.err().message + "; text values keep ASCII and show U+FFFD elsewhere");
        cs = charset::from_value("ISO_IR 6").value();
        unsupported = true;
      }
    }
    if (auto pr = ds.integer(tags::pixel_representation)) signed_pixels = *pr == 1;
    json out = json::object();
    for (const auto& el : ds.elements) {
      if (tag_group(el.tag) == 0x0002) continue;
      out[tag_hex(el.tag)] = write_element(el, cs, signed_pixels);
    }
    return out;
  }

  std::string text(std::string_view bytes, const charset& cs) {
    if (!unsupported) return cs.decode(bytes);
    std::string out;
    for (unsigned char c : bytes) {
      if (c < 0x80) out += char(c);
      else append_utf8(out, 0xFFFD);
    }
    return out;
  }

  json write_element(const element& el, const charset& cs, bool signed_pixels) {
    json j = json::object();
    vr_t v = el.is_sequence() ? vr::SQ : resolve_vr(el, signed_pixels);
    j["vr"] = vr_name(v);
    if (v == vr::SQ) {
      json items = json::array();
      for (const auto& item : el.items) items.push_back(write(item, cs, signed_pixels));
      if (!items.empty()) j["Value"] = std::move(items);
      return j;
    }
    if (el.bulk || !el.bulk_uri.empty()) {
      if (el.tag == tags::pixel_data && !opt.include_pixel_data_uri) return j;
      j["BulkDataURI"] = !el.bulk_uri.empty() ? el.bulk_uri : opt.bulk_uri ? opt.bulk_uri(el) : default_bulk_uri(el);
      return j;
    }
    if (el.value.empty()) return j;
    json values = json::array();
    const uint8_t* p = el.value.data();
    size_t n = el.value.size();
    switch (v) {
      case vr::OB: case vr::OD: case vr::OF: case vr::OL: case vr::OV: case vr::OW: case vr::UN:
        if (n > opt.max_inline_binary) {
          j["BulkDataURI"] = opt.bulk_uri ? opt.bulk_uri(el) : default_bulk_uri(el);
        } else {
          j["InlineBinary"] = base64_encode(p, n);
        }
        return j;
      case vr::PN:
        for (auto s : el.raw_strings()) {
          json pn = json::object();
          std::string decoded = text(s, cs);
          const char* groups[] = {"Alphabetic", "Ideographic", "Phonetic"};
          size_t start = 0;
          for (int g = 0; g < 3; ++g) {
            size_t eq = decoded.find('=', start);
            std::string part = decoded.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
            if (!part.empty()) pn[groups[g]] = part;
            if (eq == std::string::npos) break;
            start = eq + 1;
          }
          values.push_back(pn.empty() ? json(nullptr) : pn);
        }
        break;
      case vr::LT: case vr::ST: case vr::UT: case vr::UR:
        values.push_back(text(el.raw_string(), cs));
        break;
      case vr::IS: case vr::DS:
        for (auto s : el.raw_strings()) values.push_back(number_from_string(s, v == vr::IS));
        break;
      case vr::AT:
        for (size_t i = 0; i + 4 <= n; i += 4) values.push_back(tag_hex(make_tag(load_u16le(p + i), load_u16le(p + i + 2))));
        break;
      case vr::US: for (size_t i = 0; i + 2 <= n; i += 2) values.push_back(load_u16le(p + i)); break;
      case vr::SS: for (size_t i = 0; i + 2 <= n; i += 2) values.push_back(int16_t(load_u16le(p + i))); break;
      case vr::UL: for (size_t i = 0; i + 4 <= n; i += 4) values.push_back(load_u32le(p + i)); break;
      case vr::SL: for (size_t i = 0; i + 4 <= n; i += 4) values.push_back(int32_t(load_u32le(p + i))); break;
      case vr::UV: for (size_t i = 0; i + 8 <= n; i += 8) values.push_back(load_u64le(p + i)); break;
      case vr::SV: for (size_t i = 0; i + 8 <= n; i += 8) values.push_back(int64_t(load_u64le(p + i))); break;
      case vr::FL:
        for (size_t i = 0; i + 4 <= n; i += 4) {
          float f;
          std::memcpy(&f, p + i, 4);
          values.push_back(std::isfinite(f) ? json(f) : json(std::to_string(f)));
        }
        break;
      case vr::FD:
        for (size_t i = 0; i + 8 <= n; i += 8) {
          double d;
          std::memcpy(&d, p + i, 8);
          values.push_back(std::isfinite(d) ? json(d) : json(std::to_string(d)));
        }
        break;
      default:  // AE AS CS DA DT LO SH TM UC UI
        for (auto s : el.raw_strings()) {
          // Charset-free VRs are ASCII by definition; stray bytes are read as Latin-1 so the
          // JSON stays valid UTF-8.
          std::string t = is_text_charset_vr(v) ? text(s, cs) : latin1_.decode(s);
          while (!t.empty() && t.front() == ' ' && v != vr::UC) t.erase(t.begin());
          values.push_back(t.empty() ? json(nullptr) : json(t));
        }
        break;
    }
    if (!values.empty()) j["Value"] = std::move(values);
    return j;
  }

  bool unsupported = false;
  charset latin1_ = charset::from_value("").value();
};

// ---- JSON in ----

template <class T>
void put(std::vector<uint8_t>& out, T v) {
  uint8_t b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // the targets are little-endian (x86-64, wasm32)
  out.insert(out.end(), b, b + sizeof(T));
}

result<dataset> read_dataset(const json& j, int depth);

result<element> read_element(const std::string& key, const json& j, int depth) {
  auto bad = [&](const std::string& why) {
    return make_error(errc::invalid_json, error::no_offset, "element " + key + ": " + why);
  };
  if (key.size() != 8) return bad("key is not 8 hex digits");
  char* end = nullptr;
  unsigned long t = std::strtoul(key.c_str(), &end, 16);
  if (end != key.c_str() + 8) return bad("key is not 8 hex digits");
  if (!j.is_object() || !j.contains("vr") || !j["vr"].is_string()) return bad("no vr");
  element el;
  el.tag = tag_t(t);
  el.vr = parse_vr(j["vr"].get<std::string>());
  if (!el.vr) return bad("unknown vr " + j["vr"].get<std::string>());
  if (j.contains("BulkDataURI")) {
    if (!j["BulkDataURI"].is_string()) return bad("BulkDataURI is not a string");
    el.bulk = true;
    el.bulk_uri = j["BulkDataURI"].get<std::string>();
    return el;
  }
  if (j.contains("InlineBinary")) {
    if (!j["InlineBinary"].is_string()) return bad("InlineBinary is not a string");
    auto bytes = base64_decode(j["InlineBinary"].get<std::string>());
    if (!bytes) return bad(bytes.err().message);
    el.value = std::move(bytes.value());
    el.length = uint32_t(el.value.size());
    return el;
  }
  if (!j.contains("Value")) return el;
  const json& values = j["Value"];
  if (!values.is_array()) return bad("Value is not an array");
  if (el.vr == vr::SQ) {
    for (const auto& item : values) {
      auto ds = read_dataset(item, depth + 1);
      if (!ds) return ds.err();
      el.items.push_back(std::move(ds.value()));
    }
    el.length = undefined_length;
    return el;
  }
  std::string text;
  auto sep = [&](size_t i) {
    if (i) text += '\\';
  };
  for (size_t i = 0; i < values.size(); ++i) {
    const json& v = values[i];
    switch (el.vr) {
      // Integers in range only: 1e30 or -31.4 for a US is an error, not a float-to-int conversion.
      case vr::US: if (!integer_in<uint16_t>(v)) return bad("not an integer in range"); put<uint16_t>(el.value, v.get<uint16_t>()); break;
      case vr::SS: if (!integer_in<int16_t>(v)) return bad("not an integer in range"); put<int16_t>(el.value, v.get<int16_t>()); break;
      case vr::UL: if (!integer_in<uint32_t>(v)) return bad("not an integer in range"); put<uint32_t>(el.value, v.get<uint32_t>()); break;
      case vr::SL: if (!integer_in<int32_t>(v)) return bad("not an integer in range"); put<int32_t>(el.value, v.get<int32_t>()); break;
      case vr::UV:  // 64-bit values may come as strings (beyond JavaScript's 2^53)
        if (v.is_string()) put<uint64_t>(el.value, std::strtoull(v.get<std::string>().c_str(), nullptr, 10));
        else if (integer_in<uint64_t>(v)) put<uint64_t>(el.value, v.get<uint64_t>());
        else return bad("not a number");
        break;
      case vr::SV:
        if (v.is_string()) put<int64_t>(el.value, std::strtoll(v.get<std::string>().c_str(), nullptr, 10));
        else if (integer_in<int64_t>(v)) put<int64_t>(el.value, v.get<int64_t>());
        else return bad("not a number");
        break;
      case vr::FL: if (!v.is_number()) return bad("not a number"); put<float>(el.value, v.get<float>()); break;
      case vr::FD: if (!v.is_number()) return bad("not a number"); put<double>(el.value, v.get<double>()); break;
      case vr::AT: {
        if (!v.is_string() || v.get<std::string>().size() != 8) return bad("AT value is not 8 hex digits");
        uint32_t at = uint32_t(std::strtoul(v.get<std::string>().c_str(), nullptr, 16));
        put<uint16_t>(el.value, uint16_t(at >> 16));
        put<uint16_t>(el.value, uint16_t(at));
        break;
      }
      case vr::PN: {
        sep(i);
        if (v.is_null()) break;
        if (!v.is_object()) return bad("PN value is not an object");
        std::string groups[3];
        const char* names[] = {"Alphabetic", "Ideographic", "Phonetic"};
        int last = -1;
        for (int g = 0; g < 3; ++g)
          if (v.contains(names[g]) && v[names[g]].is_string()) {
            groups[g] = v[names[g]].get<std::string>();
            last = g;
          }
        for (int g = 0; g <= last; ++g) text += (g ? "=" : "") + groups[g];
        break;
      }
      case vr::IS: case vr::DS: {
        sep(i);
        if (v.is_null()) break;
        if (v.is_string()) {
          text += v.get<std::string>();
        } else if (v.is_number_integer()) {
          text += std::to_string(v.get<int64_t>());
        } else if (v.is_number()) {
          // The shortest text that reads back as the same double, within DS's 16 characters.
          std::string t = json(v.get<double>()).dump();
          for (int precision = 15; t.size() > 16 && precision > 6; --precision) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.*g", precision, v.get<double>());
            t = buf;
          }
          text += t;
        } else {
          return bad("not a number");
        }
        break;
      }
      default:
        sep(i);
        if (v.is_null()) break;
        if (!v.is_string()) return bad("not a string");
        text += v.get<std::string>();
        break;
    }
  }
  if (is_string_vr(el.vr)) {
    if (text.size() & 1) text += el.vr == vr::UI ? '\0' : ' ';
    el.value.assign(text.begin(), text.end());
  }
  el.length = uint32_t(el.value.size());
  return el;
}

result<dataset> read_dataset(const json& j, int depth) {
  if (depth > 64) return make_error(errc::invalid_json, error::no_offset, "sequences nested too deeply");
  if (!j.is_object()) return make_error(errc::invalid_json, error::no_offset, "a dataset is not a JSON object");
  dataset ds;
  for (const auto& [key, value] : j.items()) {
    auto el = read_element(key, value, depth);
    if (!el) return el.err();
    ds.elements.push_back(std::move(el.value()));
  }
  std::sort(ds.elements.begin(), ds.elements.end(), [](const element& a, const element& b) { return a.tag < b.tag; });
  return ds;
}

}  // namespace

json_result to_json(const dataset& ds, const json_options& options) {
  json_result out;
  writer w{options, out.warnings};
  out.json = w.write(ds, charset::from_value("").value(), false);
  return out;
}

result<dataset> from_json(const json& j) {
  auto ds = read_dataset(j, 0);
  if (!ds) return ds;
  // JSON text is UTF-8 whatever the original encoding was.
  element* cs = ds->find(tags::specific_character_set);
  if (cs) {
    std::string v = "ISO_IR 192";
    cs->value.assign(v.begin(), v.end());
    cs->length = uint32_t(v.size());
  }
  return ds;
}

result<dataset> from_json_text(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) return make_error(errc::invalid_json, error::no_offset, "not valid JSON");
  if (j.is_array() && j.size() == 1) return from_json(j[0]);  // DICOMweb metadata of one instance
  return from_json(j);
}

std::string base64_encode(const uint8_t* data, size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    uint32_t v = uint32_t(data[i]) << 16 | uint32_t(data[i + 1]) << 8 | data[i + 2];
    out += k_b64[v >> 18];
    out += k_b64[v >> 12 & 63];
    out += k_b64[v >> 6 & 63];
    out += k_b64[v & 63];
  }
  if (i < size) {
    uint32_t v = uint32_t(data[i]) << 16 | (i + 1 < size ? uint32_t(data[i + 1]) << 8 : 0);
    out += k_b64[v >> 18];
    out += k_b64[v >> 12 & 63];
    out += i + 1 < size ? k_b64[v >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

result<std::vector<uint8_t>> base64_decode(const std::string& text) {
  std::vector<uint8_t> out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=' || c == '\n' || c == '\r' || c == ' ') continue;
    else return make_error(errc::invalid_json, error::no_offset, "invalid base64");
    acc = acc << 6 | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return out;
}

}  // namespace lazydcm
