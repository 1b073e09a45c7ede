// Frame descriptions, decode options and decode reports <-> JavaScript: what the decoders of the
// core and of every codec module share (no other core value is linked into a codec module).
#include "frame_values.hpp"

namespace lazydcm::glue {

val frame_info_value(const frame_info& f) {
  return object().set("rows", f.rows).set("columns", f.columns).set("samplesPerPixel", f.samples_per_pixel)
      .set("bitsAllocated", f.bits_allocated).set("bitsStored", f.bits_stored).set("pixelRepresentation", f.pixel_representation)
      .set("planarConfiguration", f.planar_configuration).set("photometricInterpretation", f.photometric_interpretation)
      .set("bitOffset", f.bit_offset).set("bigEndian", f.big_endian).set("floatData", f.float_data).done();
}
frame_info frame_info_from(const val& o) {
  frame_info f;
  f.rows = field(o, "rows", 0u);
  f.columns = field(o, "columns", 0u);
  f.samples_per_pixel = field(o, "samplesPerPixel", 1u);
  f.bits_allocated = field(o, "bitsAllocated", 8u);
  f.bits_stored = field(o, "bitsStored", f.bits_allocated);
  f.pixel_representation = field(o, "pixelRepresentation", 0u);
  f.planar_configuration = field(o, "planarConfiguration", 0u);
  f.photometric_interpretation = field(o, "photometricInterpretation", std::string());
  f.bit_offset = field(o, "bitOffset", 0u);
  f.big_endian = field(o, "bigEndian", false);
  f.float_data = field(o, "floatData", false);
  return f;
}
decode_options decode_options_from(const val& o) {
  decode_options d;
  d.reduce = field(o, "reduce", 0);
  d.rgb = field(o, "rgb", false);
  return d;
}
val report_value(const decode_report& r) {
  return object().set("rows", r.rows).set("columns", r.columns).set("samplesPerPixel", r.samples_per_pixel)
      .set("bitsAllocated", r.bits_allocated).set("photometricInterpretation", r.photometric_interpretation)
      .set("decoder", r.decoder).done();
}
decode_report report_from(const val& o) {
  decode_report r;
  r.rows = field(o, "rows", 0u);
  r.columns = field(o, "columns", 0u);
  r.samples_per_pixel = field(o, "samplesPerPixel", 0u);
  r.bits_allocated = field(o, "bitsAllocated", 0u);
  r.photometric_interpretation = field(o, "photometricInterpretation", std::string());
  r.decoder = field(o, "decoder", std::string());
  return r;
}
}  // namespace lazydcm::glue
