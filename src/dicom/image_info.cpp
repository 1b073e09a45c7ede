#include "dicom/image_info.hpp"

#include <optional>

namespace lazydcm {

result<image_info> read_image_info(const dataset& ds, const pixel_data_info& px) {
  image_info info;
  auto get = [&](tag_t t) -> std::optional<int64_t> { return ds.integer(t); };
  auto rows = get(tags::rows), cols = get(tags::columns);
  auto bits = get(tags::bits_allocated);
  if (px.tag == tags::float_pixel_data) bits = 32;
  if (px.tag == tags::double_float_pixel_data) bits = 64;
  if (!rows || !cols || !bits)
    return make_error(errc::invalid_image_attributes, px.element_offset,
                      "Rows, Columns and Bits Allocated are required to locate frames");
  auto spp = get(tags::samples_per_pixel).value_or(1);
  // PixelMed writes Samples per Pixel 0 for a float TIFF's Parametric Map: a MONOCHROME image has one.
  const std::string pi = ds.string(tags::photometric_interpretation).value_or("");
  if (spp == 0 && (pi == "MONOCHROME2" || pi == "MONOCHROME1")) {
    spp = 1;
    info.samples_per_pixel_was_zero = true;
  }
  auto frames = get(tags::number_of_frames).value_or(1);
  if (*rows <= 0 || *cols <= 0 || *rows > 0xFFFF || *cols > 0xFFFF || spp < 1 || spp > 4 || frames < 0 ||
      !(*bits == 1 || (*bits % 8 == 0 && *bits <= 64)))
    return make_error(errc::invalid_image_attributes, px.element_offset,
                      "image attributes out of range: rows " + std::to_string(*rows) + ", columns " +
                          std::to_string(*cols) + ", samples " + std::to_string(spp) + ", bits allocated " +
                          std::to_string(*bits) + ", frames " + std::to_string(frames));
  if (uint64_t(frames) > k_max_frames)
    return make_error(errc::value_too_large, px.element_offset,
                      "Number of Frames " + std::to_string(frames) + " is above lazydcm's limit of " + std::to_string(k_max_frames));
  const uint64_t frame_bytes = uint64_t(*rows) * uint64_t(*cols) * uint64_t(spp) * uint64_t(*bits == 1 ? 8 : *bits) / 8;
  if (frame_bytes > k_max_frame_bytes)
    return make_error(errc::value_too_large, px.element_offset,
                      "a decoded frame of " + std::to_string(*rows) + " x " + std::to_string(*cols) + " x " + std::to_string(spp) +
                          " at " + std::to_string(*bits) + " bits is above lazydcm's 1 GiB frame limit");
  info.rows = uint32_t(*rows);
  info.columns = uint32_t(*cols);
  info.bits_allocated = uint32_t(*bits);
  info.bits_stored = uint32_t(get(tags::bits_stored).value_or(*bits));
  info.samples_per_pixel = uint32_t(spp);
  info.number_of_frames = uint64_t(frames);
  info.pixel_representation = uint32_t(get(tags::pixel_representation).value_or(0));
  info.planar_configuration = uint32_t(get(tags::planar_configuration).value_or(0));
  info.photometric_interpretation = ds.string(tags::photometric_interpretation).value_or("");
  return info;
}

}  // namespace lazydcm
