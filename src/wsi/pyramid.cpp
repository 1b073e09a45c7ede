#include "wsi/pyramid.hpp"

#include "wsi/icc.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace lazydcm {

namespace {
constexpr tag_t k_image_type = 0x00080008;
constexpr tag_t k_imaged_volume_width = 0x00480001, k_imaged_volume_height = 0x00480002;
constexpr const char* k_wsi_sop_class = "1.2.840.10008.5.1.4.1.1.77.1.6";

bool isclose(double a, double b, double rel_tol) { return std::fabs(a - b) <= rel_tol * std::max(std::fabs(a), std::fabs(b)); }

// Python's int() of a positive double, guarded against the representation error of a/b that
// should be an integer (1000 / 0.4 = 2499.9999...): within 1e-9 of an integer counts as it.
uint32_t int_of(double v) {
  const double r = std::round(v);
  return uint32_t(std::fabs(v - r) < 1e-9 * std::max(1.0, std::fabs(v)) ? r : std::floor(v));
}

std::string shortest(double v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::fabs(std::strtod(buf, nullptr) - v) <= 1e-9 * std::fabs(v)) break;
  }
  return buf;
}
}  // namespace

bool pixel_spacing::operator==(const pixel_spacing& o) const { return isclose(row, o.row, 0.05) && isclose(column, o.column, 0.05); }

result<double> spacing_from_magnification(const std::string& text) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += char(std::tolower(static_cast<unsigned char>(c)));
  if (!t.empty() && t.back() == 'x') t.pop_back();
  char* end = nullptr;
  const double m = t.empty() ? 0 : std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size() || !(m > 0) || !std::isfinite(m))
    return make_error(errc::invalid_argument, error::no_offset, "'" + text + "' is not a magnification (e.g. '40X', '0.625X')");
  return 0.01 / m;
}

std::string magnification_string(double spacing_mm) {
  if (!(spacing_mm > 0)) return "";
  // Six significant digits: spacings often come from float32 (Imaged Volume Width is FL), and
  // 0.01 / 0.000250000004 should still read "40X".
  double m = 0.01 / spacing_mm;
  const double scale = std::pow(10.0, 5 - int(std::floor(std::log10(m))));
  m = std::round(m * scale) / scale;
  const double r = std::round(m);
  if (std::fabs(m - r) < 1e-9 * std::max(1.0, m)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f", r);
    return std::string(buf) + "X";
  }
  return shortest(m) + "X";
}

std::string nominal_magnification(double spacing_mm) {
  static const char* names[] = {"100X", "80X", "40X", "20X", "10X", "5X", "2.5X", "1.25X", "0.625X", "0.3125X",
                                "0.15625X", "0.078125X", "0.0390625X"};
  static const double um[] = {0.1, 0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256};
  const double mpp = spacing_mm * 1000;
  for (size_t i = 0; i < std::size(um); ++i)
    if (std::fabs(mpp / um[i] - 1) < 0.2) return names[i];
  return "";
}

const char* wsi_flavor_name(wsi_flavor f) {
  switch (f) {
    case wsi_flavor::volume: return "VOLUME";
    case wsi_flavor::label: return "LABEL";
    case wsi_flavor::overview: return "OVERVIEW";
    case wsi_flavor::thumbnail: return "THUMBNAIL";
    default: return "OTHER";
  }
}

wsi_flavor wsi_flavor_from_name(const std::string& name) {
  for (wsi_flavor f : {wsi_flavor::volume, wsi_flavor::label, wsi_flavor::overview, wsi_flavor::thumbnail})
    if (name == wsi_flavor_name(f)) return f;
  return wsi_flavor::other;
}

wsi_image read_wsi_image(const dataset& ds, std::string name, std::string transfer_syntax_uid) {
  wsi_image w;
  w.name = std::move(name);
  w.transfer_syntax_uid = std::move(transfer_syntax_uid);
  w.sop_instance_uid = ds.string(tags::sop_instance_uid).value_or("");
  w.series_uid = ds.string(tags::series_instance_uid).value_or("");
  w.frame_of_reference_uid = ds.string(tags::frame_of_reference_uid).value_or("");
  w.wsi_sop_class = ds.string(tags::sop_class_uid).value_or("") == k_wsi_sop_class;
  w.concatenation_uid = ds.string(tags::concatenation_uid).value_or("");
  w.concatenation_offset = uint64_t(std::max<int64_t>(0, ds.integer(tags::concatenation_frame_offset).value_or(0)));
  if (const element* it = ds.find(k_image_type)) {
    for (auto v : it->raw_strings()) {
      std::string s(v);
      while (!s.empty() && s.back() == ' ') s.pop_back();
      if (s == "LABEL") w.flavor = wsi_flavor::label;
      else if (s == "OVERVIEW") w.flavor = wsi_flavor::overview;
      else if (s == "THUMBNAIL") w.flavor = wsi_flavor::thumbnail;
      else if (s == "VOLUME" && w.flavor == wsi_flavor::other) w.flavor = wsi_flavor::volume;
    }
  }
  auto u32 = [&](tag_t t, int64_t fallback) { return uint32_t(std::clamp<int64_t>(ds.integer(t).value_or(fallback), 0, UINT32_MAX)); };
  w.rows = u32(tags::rows, 0);
  w.columns = u32(tags::columns, 0);
  w.total_rows = u32(tags::total_pixel_matrix_rows, w.rows);
  w.total_columns = u32(tags::total_pixel_matrix_columns, w.columns);
  w.frames = uint64_t(std::max<int64_t>(1, ds.integer(tags::number_of_frames).value_or(1)));
  w.focal_planes = std::max(1u, u32(tags::total_focal_planes, 1));
  w.optical_paths = std::max(1u, u32(tags::number_of_optical_paths, 1));
  w.samples_per_pixel = u32(tags::samples_per_pixel, 1);
  w.bits_allocated = u32(tags::bits_allocated, 8);
  w.photometric_interpretation = ds.string(tags::photometric_interpretation).value_or("");
  // Spacing: Imaged Volume Width/Height over the total pixel matrix, else Pixel Measures.
  auto width = ds.real(k_imaged_volume_width), height = ds.real(k_imaged_volume_height);
  if (width && height && *width > 0 && *height > 0 && w.total_rows && w.total_columns) {
    w.spacing = pixel_spacing{*height / w.total_rows, *width / w.total_columns};
  } else if (const dataset* pm = functional_group(ds, 0, tags::pixel_measures_sequence)) {
    auto r = pm->real(tags::pixel_spacing, 0), c = pm->real(tags::pixel_spacing, 1);
    if (r && c && *r > 0 && *c > 0) w.spacing = pixel_spacing{*r, *c};
  }
  w.has_icc_profile = find_icc_profile(ds) != nullptr;
  return w;
}

result<wsi_pyramid> build_pyramid(const std::vector<wsi_image>& images) {
  wsi_pyramid p;
  std::vector<size_t> volume;
  for (size_t i = 0; i < images.size(); ++i) {
    const wsi_image& w = images[i];
    if (!w.wsi_sop_class) {
      p.warnings.push_back(w.name + ": not a VL Whole Slide Microscopy image, left out");
      continue;
    }
    switch (w.flavor) {
      case wsi_flavor::label: p.labels.push_back(i); break;
      case wsi_flavor::overview: p.overviews.push_back(i); break;
      case wsi_flavor::thumbnail: p.thumbnails.push_back(i); break;
      default:
        if (!w.total_rows || !w.total_columns || !w.rows || !w.columns) {
          p.warnings.push_back(w.name + ": no Rows/Columns/Total Pixel Matrix size, left out");
          continue;
        }
        volume.push_back(i);
    }
  }
  if (volume.empty()) return make_error(errc::not_a_slide, error::no_offset, "no VL Whole Slide Microscopy VOLUME image among the instances");
  for (size_t i : volume) {
    const wsi_image& a = images[volume[0]];
    const wsi_image& b = images[i];
    if (a.series_uid != b.series_uid)
      return make_error(errc::not_a_slide, error::no_offset, "instances of two series: " + a.name + " and " + b.name);
    if (a.frame_of_reference_uid != b.frame_of_reference_uid)
      return make_error(errc::not_a_slide, error::no_offset, "instances of two frames of reference: " + a.name + " and " + b.name);
  }
  // Images: concatenation parts joined (by Concatenation UID, in frame-offset order).
  std::map<std::string, std::vector<size_t>> concatenations;
  std::vector<std::vector<size_t>> joined;
  for (size_t i : volume) {
    const wsi_image& w = images[i];
    if (w.concatenation_uid.empty()) joined.push_back({i});
    else concatenations[w.concatenation_uid].push_back(i);
  }
  for (auto& [uid, parts] : concatenations) {
    std::sort(parts.begin(), parts.end(), [&](size_t a, size_t b) { return images[a].concatenation_offset < images[b].concatenation_offset; });
    uint64_t next = 0;
    for (size_t i : parts) {
      if (images[i].concatenation_offset != next)
        return make_error(errc::invalid_image_attributes, error::no_offset,
                          "concatenation " + uid + ": " + images[i].name + " starts at frame offset " +
                              std::to_string(images[i].concatenation_offset) + ", expected " + std::to_string(next) +
                              " (a part is missing or repeated)");
      next += images[i].frames;
    }
    joined.push_back(parts);
  }
  // Levels: images of one total pixel matrix size (further focal planes / optical paths).
  for (const auto& image : joined) {
    const wsi_image& w = images[image[0]];
    uint64_t frames = 0;
    for (size_t i : image) frames += images[i].frames;
    auto it = std::find_if(p.levels.begin(), p.levels.end(), [&](const wsi_level& l) {
      return l.total_rows == w.total_rows && l.total_columns == w.total_columns;
    });
    if (it == p.levels.end()) {
      wsi_level l;
      l.total_rows = w.total_rows;
      l.total_columns = w.total_columns;
      l.tile_rows = w.rows;
      l.tile_columns = w.columns;
      l.spacing = w.spacing;
      l.frames = frames;
      l.transfer_syntax_uid = w.transfer_syntax_uid;
      l.optical_paths = w.optical_paths;
      p.levels.push_back(l);
      it = p.levels.end() - 1;
    } else {
      if (it->tile_rows != w.rows || it->tile_columns != w.columns)
        return make_error(errc::invalid_image_attributes, error::no_offset,
                          w.name + ": tiles of " + std::to_string(w.rows) + " x " + std::to_string(w.columns) +
                              " in a level of " + std::to_string(it->tile_rows) + " x " + std::to_string(it->tile_columns));
      it->frames += frames;
      it->optical_paths = std::max(it->optical_paths, w.optical_paths);
    }
    for (size_t i : image)
      if (images[i].transfer_syntax_uid != it->transfer_syntax_uid)
        return make_error(errc::invalid_image_attributes, error::no_offset,
                          images[i].name + ": transfer syntax " + images[i].transfer_syntax_uid + " differs from its level's " +
                              it->transfer_syntax_uid);
    it->focal_planes += w.focal_planes;
    it->images.push_back(image);
  }
  std::stable_sort(p.levels.begin(), p.levels.end(), [](const wsi_level& a, const wsi_level& b) {
    return uint64_t(a.total_rows) * a.total_columns > uint64_t(b.total_rows) * b.total_columns;
  });
  return p;
}

std::optional<size_t> level_by_spacing(const wsi_pyramid& p, double target, double threshold, double maximum_downsample) {
  std::optional<size_t> smaller, greater;
  for (size_t i = 0; i < p.levels.size(); ++i) {
    if (!p.levels[i].spacing) continue;
    const double s = p.levels[i].spacing->min();
    if (s <= target) {
      if (!smaller || s > p.levels[*smaller].spacing->min()) smaller = i;
    } else if (!greater || s < p.levels[*greater].spacing->min()) {
      greater = i;
    }
  }
  if (smaller && isclose(p.levels[*smaller].spacing->min(), target, threshold)) return smaller;
  if (greater && isclose(p.levels[*greater].spacing->min(), target, threshold)) return greater;
  if (smaller && target / p.levels[*smaller].spacing->min() <= maximum_downsample) return smaller;
  return std::nullopt;
}

resized_size resize_level(uint32_t rows, uint32_t columns, const pixel_spacing& source, const pixel_spacing& target) {
  const double fx = target.column / source.column, fy = target.row / source.row;
  uint32_t w = std::max(1u, int_of(columns / fx)), h = std::max(1u, int_of(rows / fy));
  if ((fx >= 1) == (fy >= 1)) {
    const double f = fx >= 1 ? std::max(fx, fy) : std::min(fx, fy);
    const uint32_t w2 = std::max(1u, int_of(columns / f)), h2 = std::max(1u, int_of(rows / f));
    if (w2 == w && h2 == h) return {h2, w2, f, f};
  }
  return {h, w, fy, fx};
}

}  // namespace lazydcm
