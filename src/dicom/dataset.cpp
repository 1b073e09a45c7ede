#include "dicom/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>

#include "core/bytes.hpp"

namespace lazydcm {

std::string_view element::raw_string() const {
  std::string_view s(reinterpret_cast<const char*>(value.data()), value.size());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> element::raw_strings() const {
  std::vector<std::string_view> out;
  std::string_view s = raw_string();
  if (s.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t bs = s.find('\\', start);
    out.push_back(s.substr(start, bs == std::string_view::npos ? bs : bs - start));
    if (bs == std::string_view::npos) break;
    start = bs + 1;
  }
  return out;
}

size_t element::value_count() const {
  if (bulk) return 0;
  if (is_string_vr(vr)) return raw_strings().size();
  unsigned size = vr == vr::AT ? 4 : vr_value_size(vr);
  if (vr == vr::us_or_ss || vr == vr::us_ss_or_ow || vr == vr::us_or_ow) size = 2;
  return size ? value.size() / size : (value.empty() ? 0 : 1);
}

std::optional<int64_t> element::int_value(size_t index) const {
  if (bulk) return std::nullopt;
  const uint8_t* p = value.data();
  auto in_range = [&](size_t size) { return (index + 1) * size <= value.size(); };
  switch (vr) {
    case vr::US: case vr::us_or_ss: case vr::us_ss_or_ow: case vr::us_or_ow: case vr::OW:
      if (!in_range(2)) return std::nullopt;
      return load_u16le(p + 2 * index);
    case vr::SS:
      if (!in_range(2)) return std::nullopt;
      return int16_t(load_u16le(p + 2 * index));
    case vr::UL: case vr::OL:
      if (!in_range(4)) return std::nullopt;
      return load_u32le(p + 4 * index);
    case vr::SL:
      if (!in_range(4)) return std::nullopt;
      return int32_t(load_u32le(p + 4 * index));
    case vr::SV:
      if (!in_range(8)) return std::nullopt;
      return int64_t(load_u64le(p + 8 * index));
    case vr::UV: case vr::OV:
      if (!in_range(8)) return std::nullopt;
      return int64_t(load_u64le(p + 8 * index));
    case vr::IS: {
      auto parts = raw_strings();
      if (index >= parts.size()) return std::nullopt;
      std::string_view s = trim_padding(parts[index]);
      if (!s.empty() && s.front() == '+') s.remove_prefix(1);
      int64_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
      return v;
    }
    case vr::DS: {
      auto f = float_value(index);
      if (!f) return std::nullopt;
      return int64_t(*f);
    }
    default:
      return std::nullopt;
  }
}

std::optional<double> element::float_value(size_t index) const {
  if (bulk) return std::nullopt;
  const uint8_t* p = value.data();
  switch (vr) {
    case vr::FL: case vr::OF: {
      if ((index + 1) * 4 > value.size()) return std::nullopt;
      float f;
      std::memcpy(&f, p + 4 * index, 4);
      return f;
    }
    case vr::FD: case vr::OD: {
      if ((index + 1) * 8 > value.size()) return std::nullopt;
      double d;
      std::memcpy(&d, p + 8 * index, 8);
      return d;
    }
    case vr::DS: {
      auto parts = raw_strings();
      if (index >= parts.size()) return std::nullopt;
      std::string s(trim_padding(parts[index]));
      if (s.empty()) return std::nullopt;
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (end != s.c_str() + s.size()) return std::nullopt;
      return d;
    }
    default: {
      auto i = int_value(index);
      if (!i) return std::nullopt;
      return double(*i);
    }
  }
}

const element* dataset::find(tag_t t) const {
  // Elements are in ascending order in valid files; a linear fallback keeps odd files working.
  auto it = std::lower_bound(elements.begin(), elements.end(), t,
                             [](const element& e, tag_t x) { return e.tag < x; });
  if (it != elements.end() && it->tag == t) return &*it;
  for (const auto& e : elements)
    if (e.tag == t) return &e;
  return nullptr;
}

element* dataset::find(tag_t t) {
  return const_cast<element*>(static_cast<const dataset*>(this)->find(t));
}

std::optional<std::string> dataset::string(tag_t t) const {
  const element* e = find(t);
  if (!e || e->bulk) return std::nullopt;
  auto parts = e->raw_strings();
  if (parts.empty()) return std::string();
  return std::string(trim_padding(parts[0]));
}

std::optional<int64_t> dataset::integer(tag_t t, size_t index) const {
  const element* e = find(t);
  return e ? e->int_value(index) : std::nullopt;
}

std::optional<double> dataset::real(tag_t t, size_t index) const {
  const element* e = find(t);
  return e ? e->float_value(index) : std::nullopt;
}

size_t dataset::deep_size() const {
  size_t n = elements.size();
  for (const auto& e : elements)
    for (const auto& item : e.items) n += item.deep_size();
  return n;
}

const dataset* first_item(const dataset& ds, tag_t sequence) {
  const element* e = ds.find(sequence);
  return e && !e->items.empty() ? &e->items[0] : nullptr;
}

const dataset* functional_group(const dataset& ds, size_t frame, tag_t macro) {
  constexpr tag_t shared_groups = 0x52009229;
  if (const element* pf = ds.find(tags::per_frame_groups); pf && frame < pf->items.size())
    if (const dataset* item = first_item(pf->items[frame], macro)) return item;
  if (const dataset* shared = first_item(ds, shared_groups))
    if (const dataset* item = first_item(*shared, macro)) return item;
  return nullptr;
}

}  // namespace lazydcm
