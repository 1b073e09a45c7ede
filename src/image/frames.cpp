#include "image/frames.hpp"

namespace lazydcm {

frame_info make_frame_info(const parsed_file& file, const image_info& image, const frame_location& loc) {
  frame_info f;
  f.rows = image.rows;
  f.columns = image.columns;
  f.samples_per_pixel = image.samples_per_pixel;
  f.bits_allocated = image.bits_allocated;
  f.bits_stored = image.bits_stored;
  f.pixel_representation = image.pixel_representation;
  f.planar_configuration = image.planar_configuration;
  f.photometric_interpretation = image.photometric_interpretation;
  // Explicit VR Big Endian: OW words are big-endian; OB bytes have no order.
  f.big_endian = file.syntax.big_endian && file.pixel.vr != vr::OB;
  f.bit_offset = loc.bit_offset;
  f.float_data = file.pixel.tag != tags::pixel_data;
  return f;
}

error raw_frame(const frame_location& loc, const uint8_t* range, size_t size, std::vector<uint8_t>& out) {
  out.clear();
  return extract_frame(loc, range, size, out);
}

error decode_stored_frame(const parsed_file& file, const image_info& image, const frame_location& loc,
                          const uint8_t* range, size_t size, std::vector<uint8_t>& out, decode_report& report,
                          const decode_options& options) {
  const frame_info info = make_frame_info(file, image, loc);
  out.resize(size_t(stored_frame_size(info, options.reduce)));
  if (!loc.has_item_headers) {
    return decode_frame(file.syntax.uid, range, size, info, out.data(), out.size(), report, options);
  }
  std::vector<uint8_t> encoded;
  if (error e = extract_frame(loc, range, size, encoded); e.code != errc::ok) return e;
  return decode_frame(file.syntax.uid, encoded.data(), encoded.size(), info, out.data(), out.size(), report, options);
}

}  // namespace lazydcm
