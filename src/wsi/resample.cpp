// Resampling, luminance and the patch generator's tissue grid (see pyramid.hpp).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "wsi/pyramid.hpp"

namespace lazydcm {

namespace {
// Per output index: the source indices and weights of an area (box) filter over [a, b).
struct taps {
  std::vector<uint32_t> start;   // first tap per output
  std::vector<uint32_t> index;   // source index per tap
  std::vector<double> weight;    // normalised weight per tap
};

taps area_taps(uint32_t out, uint32_t in, double origin, double scale) {
  taps t;
  for (uint32_t o = 0; o < out; ++o) {
    t.start.push_back(uint32_t(t.index.size()));
    double a = std::clamp(origin + o * scale, 0.0, double(in)), b = std::clamp(origin + (o + 1) * scale, 0.0, double(in));
    if (b - a < 1e-12) {  // the box lies outside the source: nearest edge pixel
      t.index.push_back(uint32_t(std::min<double>(in - 1, std::max(0.0, std::floor(a)))));
      t.weight.push_back(1);
      continue;
    }
    const double total = b - a;
    for (uint32_t i = uint32_t(std::floor(a)); i < in && i < b; ++i) {
      const double w = std::min<double>(b, i + 1) - std::max<double>(a, i);
      if (w <= 1e-12) continue;
      t.index.push_back(i);
      t.weight.push_back(w / total);
    }
  }
  t.start.push_back(uint32_t(t.index.size()));
  return t;
}

taps cubic_taps(uint32_t out, uint32_t in, double origin, double scale) {
  constexpr double a = -0.75;
  auto kernel = [](double x) {
    x = std::fabs(x);
    if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return 0.0;
  };
  taps t;
  for (uint32_t o = 0; o < out; ++o) {
    t.start.push_back(uint32_t(t.index.size()));
    const double s = origin + (o + 0.5) * scale - 0.5;
    const double f = std::floor(s);
    for (int k = -1; k <= 2; ++k) {
      const double pos = f + k;
      t.index.push_back(uint32_t(std::clamp<double>(pos, 0, in - 1.0)));
      t.weight.push_back(kernel(s - pos));
    }
  }
  t.start.push_back(uint32_t(t.index.size()));
  return t;
}

// Separable filter: rows then columns, in double, rounded and clamped to 8 bits.
void separable(const uint8_t* src, uint32_t src_rows, uint32_t src_columns, uint32_t samples, const taps& ty, const taps& tx,
               uint8_t* dst, uint32_t dst_rows, uint32_t dst_columns) {
  std::vector<double> line(size_t(src_columns) * samples);
  for (uint32_t y = 0; y < dst_rows; ++y) {
    std::fill(line.begin(), line.end(), 0.0);
    for (uint32_t k = ty.start[y]; k < ty.start[y + 1]; ++k) {
      const uint8_t* row = src + size_t(ty.index[k]) * src_columns * samples;
      const double w = ty.weight[k];
      for (size_t i = 0; i < line.size(); ++i) line[i] += w * row[i];
    }
    uint8_t* out = dst + size_t(y) * dst_columns * samples;
    for (uint32_t x = 0; x < dst_columns; ++x) {
      for (uint32_t c = 0; c < samples; ++c) {
        double v = 0;
        for (uint32_t k = tx.start[x]; k < tx.start[x + 1]; ++k) v += tx.weight[k] * line[size_t(tx.index[k]) * samples + c];
        out[size_t(x) * samples + c] = uint8_t(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  (void)src_rows;
}
}  // namespace

void resize_area(const uint8_t* src, uint32_t src_rows, uint32_t src_columns, uint32_t samples, const resample_box& box,
                 uint8_t* dst, uint32_t dst_rows, uint32_t dst_columns) {
  separable(src, src_rows, src_columns, samples, area_taps(dst_rows, src_rows, box.origin_y, box.scale_y),
            area_taps(dst_columns, src_columns, box.origin_x, box.scale_x), dst, dst_rows, dst_columns);
}

void resize_cubic(const uint8_t* src, uint32_t src_rows, uint32_t src_columns, uint32_t samples, const resample_box& box,
                  uint8_t* dst, uint32_t dst_rows, uint32_t dst_columns) {
  separable(src, src_rows, src_columns, samples, cubic_taps(dst_rows, src_rows, box.origin_y, box.scale_y),
            cubic_taps(dst_columns, src_columns, box.origin_x, box.scale_x), dst, dst_rows, dst_columns);
}

void invert_8bit(uint8_t* data, size_t n) {
  for (size_t i = 0; i < n; ++i) data[i] = uint8_t(255 - data[i]);
}

std::vector<uint8_t> place_on_canvas(const uint8_t* image, uint32_t rows, uint32_t columns, uint32_t samples, uint32_t height,
                                     uint32_t width, int64_t row, int64_t column, uint8_t fill) {
  std::vector<uint8_t> out(size_t(height) * width * samples, fill);
  for (int64_t r = std::max<int64_t>(0, -row); r < rows && r + row < height; ++r) {
    const int64_t c0 = std::max<int64_t>(0, -column), c1 = std::min<int64_t>(columns, int64_t(width) - column);
    if (c0 >= c1) break;
    std::memcpy(out.data() + ((r + row) * width + c0 + column) * samples, image + (r * columns + c0) * samples, size_t(c1 - c0) * samples);
  }
  return out;
}

std::vector<uint8_t> rgb_to_gray(const uint8_t* rgb, size_t pixels) {
  std::vector<uint8_t> out(pixels);
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* p = rgb + 3 * i;
    // OpenCV's fixed point: (R*4899 + G*9617 + B*1868 + 2^13) >> 14.
    out[i] = uint8_t((p[0] * 4899 + p[1] * 9617 + p[2] * 1868 + (1 << 13)) >> 14);
  }
  return out;
}

result<std::vector<patch_origin>> patch_grid(const uint8_t* mask, uint32_t mask_rows, uint32_t mask_columns, uint32_t rows,
                                             uint32_t columns, const patch_grid_options& o) {
  const uint32_t patch = o.patch, stride = o.stride ? o.stride : o.patch;
  if (!patch || !rows || !columns || !mask_rows || !mask_columns)
    return make_error(errc::invalid_argument, error::no_offset, "patch size, image and mask must not be empty");
  const int lo = int(255 * o.min_luminance), hi = int(255 * o.max_luminance);
  std::vector<patch_origin> out;
  if (patch <= stride) {
    const uint32_t sx = std::max(1u, columns / stride), sy = std::max(1u, rows / stride);
    // The part of the mask the steps sample, then area-resized to one value per step.
    const uint32_t cw = std::min<uint32_t>(mask_columns, uint32_t(std::ceil(double(mask_columns) * sx * stride / columns)));
    const uint32_t ch = std::min<uint32_t>(mask_rows, uint32_t(std::ceil(double(mask_rows) * sy * stride / rows)));
    std::vector<uint8_t> cropped(size_t(cw) * ch);
    for (uint32_t y = 0; y < ch; ++y) std::copy_n(mask + size_t(y) * mask_columns, cw, cropped.data() + size_t(y) * cw);
    std::vector<uint8_t> cells(size_t(sx) * sy);
    resize_area(cropped.data(), ch, cw, 1, {0, 0, double(cw) / sx, double(ch) / sy}, cells.data(), sy, sx);
    const int64_t centre = patch < stride ? int64_t(stride / 2) - int64_t(patch / 2) : 0;
    for (uint32_t y = 0; y < sy; ++y)
      for (uint32_t x = 0; x < sx; ++x) {
        const int v = cells[size_t(y) * sx + x];
        if (v >= lo && v <= hi) out.push_back({int64_t(y) * stride + centre, int64_t(x) * stride + centre});
      }
  } else {
    const uint32_t overlap = patch - stride;
    const uint32_t sx = columns > overlap ? std::max(1u, (columns - overlap) / stride) : 1;
    const uint32_t sy = rows > overlap ? std::max(1u, (rows - overlap) / stride) : 1;
    const double kx = double(mask_columns) / columns, ky = double(mask_rows) / rows;
    for (uint32_t y = 0; y < sy; ++y)
      for (uint32_t x = 0; x < sx; ++x) {
        const uint32_t x0 = std::min(mask_columns - 1, uint32_t(std::floor(x * stride * kx)));
        const uint32_t y0 = std::min(mask_rows - 1, uint32_t(std::floor(y * stride * ky)));
        const uint32_t x1 = std::clamp(uint32_t(std::ceil((double(x) * stride + patch) * kx)), x0 + 1, mask_columns);
        const uint32_t y1 = std::clamp(uint32_t(std::ceil((double(y) * stride + patch) * ky)), y0 + 1, mask_rows);
        uint64_t sum = 0;
        for (uint32_t yy = y0; yy < y1; ++yy)
          for (uint32_t xx = x0; xx < x1; ++xx) sum += mask[size_t(yy) * mask_columns + xx];
        const int v = int(sum / (uint64_t(y1 - y0) * (x1 - x0)));
        if (v >= lo && v <= hi) out.push_back({int64_t(y) * stride, int64_t(x) * stride});
      }
  }
  return out;
}

}  // namespace lazydcm
