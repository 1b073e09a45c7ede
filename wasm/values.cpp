#include "values.hpp"

namespace lazydcm::glue {

namespace {
val code_value(const coded_concept& c) { return object().set("value", c.value).set("scheme", c.scheme).set("meaning", c.meaning).done(); }
val spacing_value(const std::optional<pixel_spacing>& s) {
  return s ? js(std::array<double, 2>{s->row, s->column}) : val::null();
}
// An optional boolean as transform_options means it: true, false, or null/absent (if present).
apply_mode mode_from(const val& o, const char* key, apply_mode fallback) {
  if (!has(o, key)) return fallback;
  return o[key].as<bool>() ? apply_mode::yes : apply_mode::no;
}
}  // namespace

instance_options instance_options_from(const val& o) {
  instance_options out;
  out.parse.max_inline_value = field(o, "maxInlineValue", out.parse.max_inline_value);
  out.parse.stop_at_pixel_data = field(o, "stopAtPixelData", out.parse.stop_at_pixel_data);
  out.parse.strict_odd_length = field(o, "strictOddLength", out.parse.strict_odd_length);
  out.index.scan_batch = uint64_t(field(o, "scanBatch", double(out.index.scan_batch)));
  out.build_index = field(o, "buildIndex", out.build_index);
  return out;
}

val summary_value(const instance_reader& r) {
  const instance_summary s = r.summary();
  object pixel;
  if (s.pixel) {
    pixel.set("tag", s.pixel->tag).set("offset", s.pixel->offset).set("valueOffset", s.pixel->value_offset)
        .set("encapsulated", s.pixel->encapsulated).set("inInflatedStream", s.pixel->in_inflated_stream);
    if (s.pixel->length) pixel.set("length", *s.pixel->length);
  }
  object index;
  if (s.index) index.set("kind", s.index->kind).set("frames", s.index->frames).set("notes", s.index->notes).set("bytesRead", s.index->bytes_read);
  object out;
  out.set("fileSize", s.file_size).set("preamble", s.preamble).set("metaHeader", s.meta_header)
      .set("sopClassUid", s.sop_class_uid).set("sopClassName", s.sop_class_name).set("sopInstanceUid", s.sop_instance_uid)
      .set("transferSyntaxUid", s.transfer_syntax_uid).set("transferSyntaxName", s.transfer_syntax_name)
      .set("transferSyntaxKnown", s.transfer_syntax_known).set("rows", s.rows).set("columns", s.columns)
      .set("numberOfFrames", s.number_of_frames).set("samplesPerPixel", s.samples_per_pixel).set("bitsAllocated", s.bits_allocated)
      .set("bitsStored", s.bits_stored).set("pixelRepresentation", s.pixel_representation)
      .set("photometricInterpretation", s.photometric_interpretation).set("totalPixelMatrixRows", s.total_pixel_matrix_rows)
      .set("totalPixelMatrixColumns", s.total_pixel_matrix_columns).set("elements", s.elements)
      .set("pixelData", s.pixel ? pixel.done() : val::null()).set("frameIndex", s.index ? index.done() : val::null())
      .set("warnings", s.warnings);
  if (s.index_error) {
    const error& e = *s.index_error;
    out.set("frameIndexError", object().set("code", int(e.code)).set("name", errc_name(e.code))
                                   .set("offset", e.has_offset() ? js(e.offset) : val::null()).set("message", e.message).done());
  }
  return out.done();
}

transform_options transform_options_from(const val& o) {
  transform_options t;
  t.real_world = mode_from(o, "realWorld", t.real_world);
  t.modality = mode_from(o, "modality", t.modality);
  t.voi = mode_from(o, "voi", t.voi);
  t.palette = mode_from(o, "palette", t.palette);
  t.voi_index = size_t(field(o, "voiIndex", 0.0));
  t.voi_min = field(o, "voiMin", 0.0);
  t.voi_max = field(o, "voiMax", 1.0);
  t.presentation = field(o, "presentation", true);
  t.ybr_to_rgb = field(o, "ybrToRgb", true);
  return t;
}
plane_selection plane_selection_from(int focal_plane, int optical_path) {
  plane_selection s;
  if (focal_plane >= 0) s.focal_plane = uint32_t(focal_plane);
  if (optical_path >= 0) s.optical_path = uint32_t(optical_path);
  return s;
}
std::vector<std::array<int64_t, 4>> boxes_from(const val& boxes) {
  std::vector<std::array<int64_t, 4>> out;
  for (const val& b : vector_of<val>(boxes))
    out.push_back({int64_t(b[0].as<double>()), int64_t(b[1].as<double>()), int64_t(b[2].as<double>()), int64_t(b[3].as<double>())});
  return out;
}

val geometry_value(const volume_geometry& g) {
  val slice_of = val::array();
  for (size_t i = 0; i < g.slice_of.size(); ++i) slice_of.set(i, g.slice_of[i] == SIZE_MAX ? val::null() : js(g.slice_of[i]));
  return object().set("slices", g.slices).set("rows", g.rows).set("columns", g.columns).set("sliceSpacing", g.slice_spacing)
      .set("pixelSpacing", g.pixel_spacing).set("affine", js(std::vector<std::array<double, 4>>(g.affine.begin(), g.affine.end())))
      .set("sliceOf", slice_of).done();
}
volume_geometry geometry_from(const val& o) {
  mat4 affine{};
  if (has(o, "affine"))
    for (size_t r = 0; r < 4; ++r)
      for (size_t c = 0; c < 4; ++c) affine[r][c] = o["affine"][r][c].as<double>();
  return geometry_from_affine(size_t(field(o, "slices", 0.0)), field(o, "rows", 0u), field(o, "columns", 0u),
                              field(o, "sliceSpacing", 1.0), array_of<double, 2>(o, "pixelSpacing").value_or(std::array<double, 2>{}),
                              affine);
}
volume_options volume_options_from(const val& o) {
  volume_options v;
  v.rtol = field(o, "rtol", v.rtol);
  v.perpendicular_tol = field(o, "perpendicularTol", v.perpendicular_tol);
  v.allow_duplicates = field(o, "allowDuplicatePositions", false);
  v.allow_missing = field(o, "allowMissingPositions", false);
  if (has(o, "spacingHint")) v.spacing_hint = o["spacingHint"].as<double>();
  return v;
}
val series_member_value(const series_member& m) {
  return object().set("name", m.name).set("seriesUid", m.series_uid).set("frameOfReferenceUid", m.frame_of_reference_uid)
      .set("rows", m.rows).set("columns", m.columns).set("position", m.plane.position).set("orientation", m.plane.orientation)
      .set("pixelSpacing", m.plane.pixel_spacing).set("spacingBetweenSlices", m.plane.spacing_between_slices).done();
}
series_member series_member_from(const val& o) {
  series_member m;
  m.name = field(o, "name", std::string());
  m.series_uid = field(o, "seriesUid", std::string());
  m.frame_of_reference_uid = field(o, "frameOfReferenceUid", std::string());
  m.rows = field(o, "rows", 0u);
  m.columns = field(o, "columns", 0u);
  m.plane.position = array_of<double, 3>(o, "position");
  m.plane.orientation = array_of<double, 6>(o, "orientation");
  m.plane.pixel_spacing = array_of<double, 2>(o, "pixelSpacing");
  if (has(o, "spacingBetweenSlices")) m.plane.spacing_between_slices = o["spacingBetweenSlices"].as<double>();
  return m;
}

val segmentation_value(const segmentation_info& s) {
  val segments = val::array();
  for (size_t i = 0; i < s.segments.size(); ++i) {
    const segment_description& d = s.segments[i];
    segments.set(i, object().set("number", d.number).set("label", d.label).set("description", d.description)
                        .set("algorithmType", d.algorithm_type).set("algorithmName", d.algorithm_name)
                        .set("trackingId", d.tracking_id).set("trackingUid", d.tracking_uid)
                        .set("propertyCategory", code_value(d.category)).set("propertyType", code_value(d.type))
                        .set("cielab", d.cielab ? js(std::array<unsigned, 3>{d.cielab->at(0), d.cielab->at(1), d.cielab->at(2)}) : val::null())
                        .done());
  }
  return object().set("type", segmentation_type_name(s.type)).set("fractionalType", s.fractional_type)
      .set("maxFractionalValue", s.max_fractional).set("segments", segments).set("frameSegments", s.frame_segment).done();
}
segment_filter segment_filter_from(const val& o) {
  segment_filter f;
  auto pick = [&](const char* key, std::optional<std::string>& out) {
    if (has(o, key)) out = o[key].as<std::string>();
  };
  pick("label", f.label);
  pick("propertyCategory", f.category);
  pick("propertyType", f.type);
  pick("algorithmType", f.algorithm_type);
  pick("trackingUid", f.tracking_uid);
  pick("trackingId", f.tracking_id);
  return f;
}
seg_volume_request seg_request_from(const val& o) {
  seg_volume_request r;
  if (has(o, "segmentNumbers")) r.segments = vector_of<uint32_t>(o["segmentNumbers"]);
  r.combine = field(o, "combineSegments", false);
  r.relabel = field(o, "relabel", false);
  r.rescale_fractional = field(o, "rescaleFractional", true);
  r.skip_overlap_checks = field(o, "skipOverlapChecks", false);
  if (has(o, "slices")) {
    const auto s = vector_of<double>(o["slices"]);
    if (s.size() == 2 && s[0] >= 0 && s[1] >= s[0]) {
      r.slice_start = size_t(s[0]);
      r.slice_end = size_t(s[1]);
    } else {
      r.slice_start = 1, r.slice_end = 0;  // refused by the plan (invalidArgument)
    }
  }
  return r;
}
val seg_plan_value(const seg_volume& v) {
  std::vector<size_t> shape = {v.geometry().slices, v.geometry().rows, v.geometry().columns};
  if (!v.combined()) shape.push_back(v.channels());
  return object().set("frames", v.frames()).set("shape", shape).set("dtype", dtype_name(v.dtype()))
      .set("geometry", geometry_value(v.geometry())).set("segmentNumbers", v.segments()).done();
}

val wsi_image_value(const wsi_image& w) {
  return object().set("name", w.name).set("sopInstanceUid", w.sop_instance_uid).set("seriesUid", w.series_uid)
      .set("frameOfReferenceUid", w.frame_of_reference_uid).set("transferSyntaxUid", w.transfer_syntax_uid)
      .set("concatenationUid", w.concatenation_uid).set("concatenationOffset", w.concatenation_offset)
      .set("flavor", wsi_flavor_name(w.flavor)).set("wsiSopClass", w.wsi_sop_class).set("rows", w.rows).set("columns", w.columns)
      .set("totalRows", w.total_rows).set("totalColumns", w.total_columns).set("frames", w.frames)
      .set("focalPlanes", w.focal_planes).set("opticalPaths", w.optical_paths).set("spacing", spacing_value(w.spacing))
      .set("samplesPerPixel", w.samples_per_pixel).set("bitsAllocated", w.bits_allocated)
      .set("photometricInterpretation", w.photometric_interpretation).set("hasIccProfile", w.has_icc_profile).done();
}
wsi_image wsi_image_from(const val& o) {
  wsi_image w;
  w.name = field(o, "name", std::string());
  w.sop_instance_uid = field(o, "sopInstanceUid", std::string());
  w.series_uid = field(o, "seriesUid", std::string());
  w.frame_of_reference_uid = field(o, "frameOfReferenceUid", std::string());
  w.transfer_syntax_uid = field(o, "transferSyntaxUid", std::string());
  w.concatenation_uid = field(o, "concatenationUid", std::string());
  w.concatenation_offset = uint64_t(field(o, "concatenationOffset", 0.0));
  w.flavor = wsi_flavor_from_name(field(o, "flavor", std::string()));
  w.wsi_sop_class = field(o, "wsiSopClass", false);
  w.rows = field(o, "rows", 0u);
  w.columns = field(o, "columns", 0u);
  w.total_rows = field(o, "totalRows", 0u);
  w.total_columns = field(o, "totalColumns", 0u);
  w.frames = uint64_t(field(o, "frames", 1.0));
  w.focal_planes = field(o, "focalPlanes", 1u);
  w.optical_paths = field(o, "opticalPaths", 1u);
  if (auto s = array_of<double, 2>(o, "spacing")) w.spacing = pixel_spacing{(*s)[0], (*s)[1]};
  w.samples_per_pixel = field(o, "samplesPerPixel", 1u);
  w.bits_allocated = field(o, "bitsAllocated", 8u);
  w.photometric_interpretation = field(o, "photometricInterpretation", std::string());
  w.has_icc_profile = field(o, "hasIccProfile", false);
  return w;
}
val pyramid_value(const wsi_pyramid& p) {
  val levels = val::array();
  for (size_t i = 0; i < p.levels.size(); ++i) {
    const wsi_level& l = p.levels[i];
    levels.set(i, object().set("totalRows", l.total_rows).set("totalColumns", l.total_columns).set("tileRows", l.tile_rows)
                      .set("tileColumns", l.tile_columns).set("spacing", spacing_value(l.spacing)).set("frames", l.frames)
                      .set("images", l.images).set("focalPlanes", l.focal_planes).set("opticalPaths", l.optical_paths)
                      .set("transferSyntaxUid", l.transfer_syntax_uid).done());
  }
  return object().set("levels", levels).set("labels", p.labels).set("overviews", p.overviews).set("thumbnails", p.thumbnails)
      .set("warnings", p.warnings).done();
}
patch_grid_options patch_grid_options_from(const val& o) {
  patch_grid_options g;
  g.patch = field(o, "patch", 0u);
  g.stride = field(o, "stride", 0u);
  g.min_luminance = field(o, "minLuminance", g.min_luminance);
  g.max_luminance = field(o, "maxLuminance", g.max_luminance);
  return g;
}

}  // namespace lazydcm::glue
