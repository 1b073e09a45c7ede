#include "pixel/transform.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/bytes.hpp"

namespace lazydcm {

namespace {

constexpr tag_t k_pixel_value_transformation = 0x00289145, k_frame_voi_lut = 0x00289132;
constexpr tag_t k_real_world_mapping = 0x00409096, k_modality_lut_sequence = 0x00283000;
constexpr tag_t k_voi_lut_sequence = 0x00283010, k_lut_descriptor = 0x00283002, k_lut_data = 0x00283006;
constexpr tag_t k_rescale_intercept = 0x00281052, k_rescale_slope = 0x00281053;
constexpr tag_t k_window_center = 0x00281050, k_window_width = 0x00281051, k_voi_function = 0x00281056;
constexpr tag_t k_presentation_lut_shape = 0x20500020;
constexpr tag_t k_rwv_first = 0x00409216, k_rwv_lut_data = 0x00409212;
constexpr tag_t k_rwv_intercept = 0x00409224, k_rwv_slope = 0x00409225;

std::vector<int64_t> words(const element& e, bool eight_bit_entries, size_t entries) {
  std::vector<int64_t> out;
  const auto& v = e.value;
  if (eight_bit_entries && v.size() == entries) {
    for (uint8_t b : v) out.push_back(b);
  } else {
    for (size_t i = 0; i + 2 <= v.size(); i += 2) out.push_back(load_u16le(v.data() + i));
  }
  return out;
}

result<lookup_table> read_lut(const dataset& item, tag_t descriptor_tag, tag_t data_tag, bool signed_first) {
  const element* d = item.find(descriptor_tag);
  const element* data = item.find(data_tag);
  if (!d || !data || d->value.size() < 6 || data->bulk)
    return make_error(errc::invalid_value, error::no_offset, "LUT without descriptor or data");
  uint32_t entries = load_u16le(d->value.data());
  if (entries == 0) entries = 65536;
  uint16_t first_raw = load_u16le(d->value.data() + 2);
  uint16_t bits = load_u16le(d->value.data() + 4);
  lookup_table lut;
  lut.first_mapped = signed_first ? int16_t(first_raw) : first_raw;
  for (int64_t w : words(*data, bits == 8, entries)) lut.values.push_back(double(w));
  if (lut.values.size() < entries)
    return make_error(errc::invalid_value, data->offset, "LUT data shorter than its descriptor");
  lut.values.resize(entries);
  return lut;
}

// PS3.3 C.7.9.2: discrete (0), linear (1) and indirect (2) segments, as pydicom expands them.
// A LUT maps 16-bit values at most: a segmented LUT whose indirect segments fan out beyond that
// is malformed (a 516-byte one reached 2 GiB).
constexpr size_t k_max_lut_entries = 65536;

bool expand_segmented(const std::vector<int64_t>& data, size_t start, size_t max_segments, double last,
                      std::vector<double>& out, int depth) {
  if (depth > 4) return false;
  size_t offset = start, segments = 0;
  while (offset + 1 < data.size()) {
    int64_t op = data[offset], length = data[offset + 1];
    offset += 2;
    if (op == 0) {
      if (offset + size_t(length) > data.size()) return false;
      if (out.size() + size_t(length) > k_max_lut_entries) return false;
      for (int64_t k = 0; k < length; ++k) out.push_back(double(data[offset + size_t(k)]));
      offset += size_t(length);
    } else if (op == 1) {
      double y0 = !out.empty() ? out.back() : last;
      if (out.empty() && depth == 0) return false;
      if (offset >= data.size() || length <= 0 || out.size() + size_t(length) > k_max_lut_entries) return false;
      double y1 = double(data[offset++]);
      double step = (y1 - y0) / double(length);
      for (int64_t k = 1; k <= length; ++k) {
        double v = length == 1 ? y1 : (y0 + step) + (y1 - (y0 + step)) * double(k - 1) / double(length - 1);
        out.push_back(y0 == y1 ? y1 : std::nearbyint(v));  // numpy.around: half to even
      }
    } else if (op == 2) {
      if (out.empty() || offset + 1 >= data.size()) return false;
      size_t target = size_t(data[offset + 1] << 16 | data[offset]);
      offset += 2;
      if (target >= data.size()) return false;
      if (!expand_segmented(data, target, size_t(length), out.back(), out, depth + 1)) return false;
    } else {
      return false;
    }
    if (++segments == max_segments) return true;
  }
  return true;
}

}  // namespace

double lookup_table::map(double x) const {
  if (values.empty()) return x;
  double i = std::floor(x) - double(first_mapped);
  if (i <= 0) return values.front();
  if (i >= double(values.size() - 1)) return values.back();
  return values[size_t(i)];
}

result<pixel_transform> build_pixel_transform(const dataset& ds, size_t frame, const transform_options& o) {
  pixel_transform t;
  const std::string pi = ds.string(tags::photometric_interpretation).value_or("");
  const auto spp = std::max<int64_t>(1, ds.integer(tags::samples_per_pixel).value_or(1));  // 0 (a PixelMed quirk): one
  const bool signed_pixels = ds.integer(tags::pixel_representation).value_or(0) == 1;
  const int64_t bits_stored = ds.integer(tags::bits_stored).value_or(ds.integer(tags::bits_allocated).value_or(16));
  t.stored_min_ = signed_pixels ? -std::ldexp(1.0, int(bits_stored - 1)) : 0.0;
  t.stored_max_ = signed_pixels ? std::ldexp(1.0, int(bits_stored - 1)) - 1 : std::ldexp(1.0, int(bits_stored)) - 1;

  if (pi == "PALETTE COLOR" && o.palette != apply_mode::no) {
    t.palette_ = true;
    t.grayscale_ = false;
    t.output_samples_ = 3;
    for (int c = 0; c < 3; ++c) {
      const tag_t descriptor = 0x00281101 + tag_t(c), plain = 0x00281201 + tag_t(c), segmented = 0x00281221 + tag_t(c);
      if (const element* seg = ds.find(segmented)) {
        const element* d = ds.find(descriptor);
        if (!d || d->value.size() < 6) return make_error(errc::invalid_value, error::no_offset, "palette without descriptor");
        uint32_t entries = load_u16le(d->value.data());
        if (entries == 0) entries = 65536;
        lookup_table lut;
        lut.first_mapped = signed_pixels ? int16_t(load_u16le(d->value.data() + 2)) : load_u16le(d->value.data() + 2);
        const bool eight = load_u16le(d->value.data() + 4) == 8;
        std::vector<int64_t> data;
        if (eight) for (uint8_t b : seg->value) data.push_back(b);
        else data = words(*seg, false, 0);
        if (!expand_segmented(data, 0, 0, 0, lut.values, 0) || lut.values.empty())
          return make_error(errc::invalid_value, seg->offset, "segmented palette colour LUT is malformed");
        lut.values.resize(entries, lut.values.back());
        t.palette_luts_[size_t(c)] = std::move(lut);
      } else {
        auto lut = read_lut(ds, descriptor, plain, signed_pixels);
        if (!lut) return lut.err();
        t.palette_luts_[size_t(c)] = std::move(lut.value());
      }
    }
    t.description_ = "palette colour LUT";
    return t;
  }
  if (pi == "PALETTE COLOR" && o.palette == apply_mode::yes)
    return make_error(errc::invalid_value, error::no_offset, "palette colour LUT requested but missing");

  if (spp == 3) {
    t.grayscale_ = false;
    t.output_samples_ = 3;
    t.ybr_ = o.ybr_to_rgb;
    t.description_ = o.ybr_to_rgb ? "YBR to RGB when the frame is YBR" : "none";
    return t;
  }

  std::string desc;
  // Real world value mapping, preferred over the modality transform.
  const dataset* rw = nullptr;
  if (o.real_world != apply_mode::no) {
    rw = functional_group(ds, frame, k_real_world_mapping);
    if (!rw) rw = first_item(ds, k_real_world_mapping);
    if (!rw && o.real_world == apply_mode::yes)
      return make_error(errc::invalid_value, error::no_offset, "real world value mapping requested but missing");
  }
  if (rw) {
    if (const element* lut_data = rw->find(k_rwv_lut_data); lut_data && !lut_data->bulk) {
      t.modality_kind_ = pixel_transform::stage_kind::lut;
      t.modality_lut_.first_mapped = rw->integer(k_rwv_first).value_or(0);
      for (size_t i = 0; i + 8 <= lut_data->value.size(); i += 8) {
        double d;
        std::memcpy(&d, lut_data->value.data() + i, 8);
        t.modality_lut_.values.push_back(d);
      }
      desc = "real world value LUT";
    } else {
      t.slope_ = rw->real(k_rwv_slope).value_or(1.0);
      t.intercept_ = rw->real(k_rwv_intercept).value_or(0.0);
      desc = "real world value " + std::to_string(t.slope_) + "*x+" + std::to_string(t.intercept_);
    }
  } else if (o.modality != apply_mode::no) {
    const dataset* mlut = first_item(ds, k_modality_lut_sequence);
    const dataset* pvt = functional_group(ds, frame, k_pixel_value_transformation);
    const dataset& src = pvt ? *pvt : ds;
    if (mlut) {
      auto lut = read_lut(*mlut, k_lut_descriptor, k_lut_data, signed_pixels);
      if (!lut) return lut.err();
      t.modality_kind_ = pixel_transform::stage_kind::lut;
      t.modality_lut_ = std::move(lut.value());
      desc = "modality LUT";
    } else if (src.find(k_rescale_slope) || src.find(k_rescale_intercept)) {
      t.slope_ = src.real(k_rescale_slope).value_or(1.0);
      t.intercept_ = src.real(k_rescale_intercept).value_or(0.0);
      desc = "rescale " + std::to_string(t.slope_) + "*x+" + std::to_string(t.intercept_);
    } else if (o.modality == apply_mode::yes) {
      return make_error(errc::invalid_value, error::no_offset, "modality transform requested but missing");
    }
  }

  if (o.voi != apply_mode::no) {
    if (o.modality == apply_mode::no && !rw)
      return make_error(errc::invalid_argument, error::no_offset, "the VOI transform needs the modality transform");
    const dataset* fvoi = functional_group(ds, frame, k_frame_voi_lut);
    const dataset& src = fvoi ? *fvoi : ds;
    const dataset* voi_lut_item = nullptr;
    if (const element* seq = ds.find(k_voi_lut_sequence); seq && o.voi_index < seq->items.size())
      voi_lut_item = &seq->items[o.voi_index];
    if (auto c = src.real(k_window_center, o.voi_index), w = src.real(k_window_width, o.voi_index); c && w) {
      t.voi_ = true;
      t.center_ = *c;
      t.width_ = *w;
      std::string f = src.string(k_voi_function).value_or("LINEAR");
      t.voi_function_ = f == "LINEAR_EXACT" ? pixel_transform::voi_function::linear_exact
                        : f == "SIGMOID"    ? pixel_transform::voi_function::sigmoid
                                            : pixel_transform::voi_function::linear;
      desc += (desc.empty() ? "" : ", ") + std::string("window ") + std::to_string(*c) + "/" + std::to_string(*w) + " " + f;
    } else if (voi_lut_item) {
      auto lut = read_lut(*voi_lut_item, k_lut_descriptor, k_lut_data, false);
      if (!lut) return lut.err();
      t.voi_ = true;
      t.voi_function_ = pixel_transform::voi_function::lut;
      const element* d = voi_lut_item->find(k_lut_descriptor);
      t.voi_lut_max_ = std::ldexp(1.0, load_u16le(d->value.data() + 4)) - 1;
      t.voi_lut_ = std::move(lut.value());
      desc += (desc.empty() ? "" : ", ") + std::string("VOI LUT");
    } else if (o.voi == apply_mode::yes) {
      return make_error(errc::invalid_value, error::no_offset, "VOI transform requested but missing");
    }
    t.voi_min_ = o.voi_min;
    t.voi_max_ = o.voi_max;
  }

  if (o.presentation) {
    auto shape = ds.string(k_presentation_lut_shape);
    t.invert_ = shape ? *shape == "INVERSE" : pi == "MONOCHROME1";
    if (t.invert_) desc += (desc.empty() ? "" : ", ") + std::string("inverted");
  }
  t.description_ = desc.empty() ? "none" : desc;
  return t;
}

std::string pixel_transform::describe() const { return description_; }

error pixel_transform::apply(const uint8_t* stored, const frame_info& info, const decode_report& report,
                             std::vector<double>& out) const {
  const size_t pixels = size_t(report.rows) * report.columns;
  const size_t in_spp = report.samples_per_pixel;
  const bool is_signed = info.pixel_representation == 1;
  auto sample = [&](size_t i) -> double {
    switch (report.bits_allocated) {
      case 1: case 8: return is_signed ? double(int8_t(stored[i])) : double(stored[i]);
      case 16: { uint16_t v; std::memcpy(&v, stored + 2 * i, 2); return is_signed ? double(int16_t(v)) : double(v); }
      case 32: {
        uint32_t v;
        std::memcpy(&v, stored + 4 * i, 4);
        if (info.float_data) { float f; std::memcpy(&f, &v, 4); return f; }
        return is_signed ? double(int32_t(v)) : double(v);
      }
      default: { double d; std::memcpy(&d, stored + 8 * i, 8); return d; }
    }
  };
  out.resize(pixels * output_samples_);
  if (palette_) {
    for (size_t p = 0; p < pixels; ++p)
      for (size_t c = 0; c < 3; ++c) out[p * 3 + c] = palette_luts_[c].map(sample(p * in_spp));
    return {};
  }
  if (!grayscale_) {
    const bool convert = ybr_ && report.photometric_interpretation.rfind("YBR_FULL", 0) == 0;
    for (size_t p = 0; p < pixels; ++p) {
      double y = sample(p * 3), cb = sample(p * 3 + 1), cr = sample(p * 3 + 2);
      if (!convert) {
        out[p * 3] = y;
        out[p * 3 + 1] = cb;
        out[p * 3 + 2] = cr;
        continue;
      }
      // pydicom's convert_color_space (YBR_FULL -> RGB), rounding and clipping to 8 bits.
      cb -= 128;
      cr -= 128;
      double rgb[3] = {y + 1.402 * cr, y - (0.114 * 1.772 / 0.587) * cb - (0.299 * 1.402 / 0.587) * cr, y + 1.772 * cb};
      for (int c = 0; c < 3; ++c) out[p * 3 + size_t(c)] = std::clamp(std::floor(rgb[c] + 0.5), 0.0, 255.0);
    }
    return {};
  }
  const bool lut = modality_kind_ == stage_kind::lut;
  const double lut_min = lut && !modality_lut_.values.empty() ? *std::min_element(modality_lut_.values.begin(), modality_lut_.values.end()) : 0;
  const double lut_max = lut && !modality_lut_.values.empty() ? *std::max_element(modality_lut_.values.begin(), modality_lut_.values.end()) : 0;
  for (size_t p = 0; p < pixels; ++p) {
    double x = sample(p * in_spp);
    // MONOCHROME1 without VOI: invert in stored units before a linear modality (highdicom).
    if (invert_ && !voi_ && !lut) x = stored_min_ + stored_max_ - x;
    double v = lut ? modality_lut_.map(x) : x * slope_ + intercept_;
    if (invert_ && !voi_ && lut) v = lut_min + lut_max - v;
    if (voi_) {
      const double range = voi_max_ - voi_min_;
      switch (voi_function_) {
        case voi_function::linear: {  // PS3.3 C.11.2.1.2.1
          const double c = center_ - 0.5, w = width_ - 1;
          if (v <= c - w / 2) v = voi_min_;
          else if (v > c + w / 2) v = voi_max_;
          else v = ((v - c) / w + 0.5) * range + voi_min_;
          break;
        }
        case voi_function::linear_exact:
          if (v <= center_ - width_ / 2) v = voi_min_;
          else if (v > center_ + width_ / 2) v = voi_max_;
          else v = ((v - center_) / width_ + 0.5) * range + voi_min_;
          break;
        case voi_function::sigmoid:
          v = range / (1 + std::exp(-4 * (v - center_) / width_)) + voi_min_;
          break;
        case voi_function::lut:
          v = voi_lut_.map(v) / voi_lut_max_ * range + voi_min_;
          break;
      }
      if (invert_) v = voi_max_ + voi_min_ - v;
    }
    out[p] = v;
  }
  return {};
}

}  // namespace lazydcm
