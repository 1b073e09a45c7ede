// Embind glue: argument and return conversion only (the work is in src/, image_session for
// pixels). Offsets cross as doubles (exact to 2^53).
// Bytes come in through a buffer the reader owns (JS writes into inputBuffer(n), then calls
// feedInput): one copy into WASM memory, no per-call allocation on the JS side.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>

#include "image/session.hpp"

using namespace emscripten;
using lazydcm::instance_reader;

namespace {
nlohmann::json error_json(const lazydcm::error& e) {
  return {{"code", int(e.code)}, {"name", lazydcm::errc_name(e.code)}, {"message", e.message},
          {"offset", e.has_offset() ? nlohmann::json(double(e.offset)) : nlohmann::json(nullptr)}};
}
std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }
std::string error_dump(const lazydcm::error& e) { return dump({{"error", error_json(e)}}); }

// Volume geometry <-> JSON: {slices, rows, columns, sliceSpacing, pixelSpacing, affine, sliceOf}.
nlohmann::json geometry_json(const lazydcm::volume_geometry& g) {
  nlohmann::json affine = nlohmann::json::array();
  for (const auto& row : g.affine) affine.push_back(row);
  nlohmann::json slice_of = nlohmann::json::array();
  for (size_t s : g.slice_of) slice_of.push_back(s == SIZE_MAX ? nlohmann::json(nullptr) : nlohmann::json(s));
  return {{"slices", g.slices}, {"rows", g.rows}, {"columns", g.columns}, {"sliceSpacing", g.slice_spacing},
          {"pixelSpacing", g.pixel_spacing}, {"affine", affine}, {"sliceOf", slice_of}};
}
lazydcm::volume_geometry geometry_from_json(const nlohmann::json& j) {
  lazydcm::volume_geometry g;
  g.slices = j.value("slices", size_t(0));
  g.rows = j.value("rows", 0u);
  g.columns = j.value("columns", 0u);
  g.slice_spacing = j.value("sliceSpacing", 1.0);
  if (j.contains("pixelSpacing")) g.pixel_spacing = j["pixelSpacing"].get<std::array<double, 2>>();
  if (j.contains("affine")) {
    for (size_t r = 0; r < 4; ++r) g.affine[r] = j["affine"][r].get<std::array<double, 4>>();
    const double ss = g.slice_spacing > 0 ? g.slice_spacing : 1, pr = g.pixel_spacing[0] > 0 ? g.pixel_spacing[0] : 1,
                 pc = g.pixel_spacing[1] > 0 ? g.pixel_spacing[1] : 1;
    for (size_t k = 0; k < 3; ++k) {
      g.normal[k] = g.affine[k][0] / ss;
      g.column_cosines[k] = g.affine[k][1] / pr;
      g.row_cosines[k] = g.affine[k][2] / pc;
    }
  }
  return g;
}
lazydcm::volume_options volume_options_from(const std::string& text) {
  lazydcm::volume_options o;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return o;
  o.rtol = j.value("rtol", o.rtol);
  o.perpendicular_tol = j.value("perpendicularTol", o.perpendicular_tol);
  o.allow_duplicates = j.value("allowDuplicatePositions", false);
  o.allow_missing = j.value("allowMissingPositions", false);
  if (j.contains("spacingHint") && j["spacingHint"].is_number()) o.spacing_hint = j["spacingHint"].get<double>();
  return o;
}
template <size_t N>
nlohmann::json optional_array(const std::optional<std::array<double, N>>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}
nlohmann::json code_json(const lazydcm::coded_concept& c) { return {{"value", c.value}, {"scheme", c.scheme}, {"meaning", c.meaning}}; }

// A series' geometry from its members' planes (Reader.seriesMemberJson of each instance).
std::string seriesGeometryJson(std::string members_json, std::string options_json) {
  auto j = nlohmann::json::parse(members_json, nullptr, false);
  if (!j.is_array()) return error_dump(lazydcm::make_error(lazydcm::errc::invalid_json, lazydcm::error::no_offset, "members"));
  std::vector<lazydcm::series_member> members;
  for (const auto& m : j) {
    lazydcm::series_member s;
    s.name = m.value("name", std::string());
    s.series_uid = m.value("seriesUid", std::string());
    s.frame_of_reference_uid = m.value("frameOfReferenceUid", std::string());
    s.rows = m.value("rows", 0u);
    s.columns = m.value("columns", 0u);
    if (m.contains("position") && m["position"].is_array()) s.plane.position = m["position"].get<lazydcm::vec3>();
    if (m.contains("orientation") && m["orientation"].is_array()) s.plane.orientation = m["orientation"].get<std::array<double, 6>>();
    if (m.contains("pixelSpacing") && m["pixelSpacing"].is_array()) s.plane.pixel_spacing = m["pixelSpacing"].get<std::array<double, 2>>();
    if (m.contains("spacingBetweenSlices") && m["spacingBetweenSlices"].is_number())
      s.plane.spacing_between_slices = m["spacingBetweenSlices"].get<double>();
    members.push_back(std::move(s));
  }
  auto g = lazydcm::series_geometry(members, volume_options_from(options_json));
  return g ? dump(geometry_json(g.value())) : error_dump(g.err());
}

class reader {
 public:
  reader(double file_size, std::string options_json) : r_(uint64_t(file_size), parse_options(options_json)) {}
  val inputBuffer(size_t n) {
    input_.resize(n);
    return val(typed_memory_view(n, input_.data()));  // borrowed: valid until the next call
  }
  void feedInput(double offset, size_t n) { r_.feed(uint64_t(offset), input_.data(), std::min(n, input_.size())); }
  int step() { return int(r_.step()); }
  double needOffset() const { return double(r_.need().offset); }
  double needLength() const { return double(r_.need().length); }
  std::string errorJson() const { return dump(error_json(r_.failure())); }
  std::string summaryJson() const { return dump(r_.summary()); }
  std::string datasetJson() const {
    auto out = r_.dicom_json();
    return dump({{"dataset", out.json}, {"warnings", out.warnings}});
  }
  // Frame i (0-based) from the range bytes written to inputBuffer(n). 0 or an errc; then
  // outputView() / reportJson() (decode, raw), or
  // frameErrorJson().
  int decodeInput(size_t i, size_t n, int reduce) {
    lazydcm::decode_options o;
    o.reduce = reduce;
    return status(session().decode(i, input_.data(), input_size(n), o));
  }
  int rawInput(size_t i, size_t n) { return status(session().raw(i, input_.data(), input_size(n))); }
  // A region of the total pixel matrix (0-based, half-open; -1: no plane / path selection):
  // {"rows","columns","frames"} or {"error"}; then pasteStored per frame, regionView / transformRegion.
  std::string planRegion(double r0, double r1, double c0, double c1, int focal_plane, int optical_path) {
    lazydcm::plane_selection sel;
    if (focal_plane >= 0) sel.focal_plane = uint32_t(focal_plane);
    if (optical_path >= 0) sel.optical_path = uint32_t(optical_path);
    auto plan = session().plan(int64_t(r0), int64_t(r1), int64_t(c0), int64_t(c1), sel);
    if (!plan) return dump({{"error", error_json(plan.err())}});
    return dump({{"rows", plan->rows}, {"columns", plan->columns}, {"frames", plan->frames()}});
  }
  int transformRegion(std::string options_json) { return status(session().transform_region(parse_transform(options_json))); }

  // Frames decoded elsewhere (the decoded-frame cache, a worker), written to inputBuffer(n) and
  // described by report {rows, columns, samplesPerPixel, bitsAllocated, photometricInterpretation}.
  int transformStored(size_t i, size_t n, std::string report_json, std::string options_json) {
    return status(session().transform_stored(i, input_.data(), input_size(n), parse_report(report_json), parse_transform(options_json)));
  }
  int pasteStored(size_t i, size_t n, std::string report_json) {
    return status(session().paste_stored(i, input_.data(), input_size(n), parse_report(report_json)));
  }
  int pasteSegmentStored(size_t i, size_t n, std::string report_json) {
    return status(session().paste_segment_stored(i, input_.data(), input_size(n), parse_report(report_json)));
  }
  // The Decoder's frame description of frame i (for decoding in a worker), or {"error"}.
  std::string frameInfoJson(size_t i) {
    auto info = session().codec_frame_info(i);
    if (!info) return error_dump(info.err());
    const auto& f = info.value();
    return dump({{"rows", f.rows}, {"columns", f.columns}, {"samplesPerPixel", f.samples_per_pixel},
                 {"bitsAllocated", f.bits_allocated}, {"bitsStored", f.bits_stored},
                 {"pixelRepresentation", f.pixel_representation}, {"planarConfiguration", f.planar_configuration},
                 {"photometricInterpretation", f.photometric_interpretation}, {"bitOffset", f.bit_offset},
                 {"bigEndian", f.big_endian}, {"floatData", f.float_data}, {"transferSyntaxUid", r_.file().syntax.uid}});
  }

  // Borrowed views of the session's outputs: valid until the next call into the module.
  val outputView() { return view(session().stored()); }
  val regionView() { return view(session().region()); }
  val valuesView() {
    const auto& v = session().values();
    return val(typed_memory_view(v.size(), v.data()));
  }
  std::string reportJson() {
    const auto& r = session().report();
    return dump({{"rows", r.rows}, {"columns", r.columns}, {"samplesPerPixel", r.samples_per_pixel},
                 {"bitsAllocated", r.bits_allocated}, {"photometricInterpretation", r.photometric_interpretation},
                 {"decoder", r.decoder}});
  }
  std::string transformJson() {
    return dump({{"transform", session().transform_description()}, {"samplesPerPixel", session().output_samples()}});
  }
  std::string frameErrorJson() const { return dump(error_json(frame_error_)); }
  void releaseOutput() { session().release_frame(); }

  // Volumes: the geometry of frames (a JSON array of 0-based indices; [] = all), or {"error"}.
  std::string geometryJson(std::string frames_json, std::string options_json) {
    auto j = nlohmann::json::parse(frames_json, nullptr, false);
    std::vector<size_t> frames;
    if (j.is_array())
      for (const auto& f : j) frames.push_back(f.get<size_t>());
    auto g = session().geometry(frames, volume_options_from(options_json));
    return g ? dump(geometry_json(g.value())) : error_dump(g.err());
  }
  // This instance as a member of a series: its UIDs, size and first frame's plane.
  std::string seriesMemberJson(std::string name) {
    auto m = lazydcm::read_series_member(r_.file().body, std::move(name));
    return dump({{"name", m.name}, {"seriesUid", m.series_uid}, {"frameOfReferenceUid", m.frame_of_reference_uid},
                 {"rows", m.rows}, {"columns", m.columns}, {"position", optional_array(m.plane.position)},
                 {"orientation", optional_array(m.plane.orientation)}, {"pixelSpacing", optional_array(m.plane.pixel_spacing)},
                 {"spacingBetweenSlices", m.plane.spacing_between_slices ? nlohmann::json(*m.plane.spacing_between_slices) : nlohmann::json(nullptr)}});
  }

  // Segmentations: the description, segment lookup, then planSegments / pasteSegmentStored / segmentVolumeView.
  std::string segmentationJson() {
    auto seg = session().segmentation();
    if (!seg) return error_dump(seg.err());
    const auto& s = *seg.value();
    nlohmann::json segments = nlohmann::json::array();
    for (const auto& d : s.segments) {
      segments.push_back({{"number", d.number}, {"label", d.label}, {"description", d.description},
                          {"algorithmType", d.algorithm_type}, {"algorithmName", d.algorithm_name},
                          {"trackingId", d.tracking_id}, {"trackingUid", d.tracking_uid},
                          {"propertyCategory", code_json(d.category)}, {"propertyType", code_json(d.type)},
                          {"cielab", d.cielab ? nlohmann::json(*d.cielab) : nlohmann::json(nullptr)}});
    }
    return dump({{"type", lazydcm::segmentation_type_name(s.type)}, {"fractionalType", s.fractional_type},
                 {"maxFractionalValue", s.max_fractional}, {"segments", segments}, {"frameSegments", s.frame_segment}});
  }
  std::string findSegmentsJson(std::string filter_json) {
    auto seg = session().segmentation();
    if (!seg) return error_dump(seg.err());
    auto j = nlohmann::json::parse(filter_json, nullptr, false);
    lazydcm::segment_filter f;
    auto pick = [&](const char* key, std::optional<std::string>& out) {
      if (j.is_object() && j.contains(key) && j[key].is_string()) out = j[key].get<std::string>();
    };
    pick("label", f.label);
    pick("propertyCategory", f.category);
    pick("propertyType", f.type);
    pick("algorithmType", f.algorithm_type);
    pick("trackingUid", f.tracking_uid);
    pick("trackingId", f.tracking_id);
    return dump(lazydcm::find_segments(*seg.value(), f));
  }
  // request: {segmentNumbers, combineSegments, relabel, rescaleFractional, skipOverlapChecks};
  // reference: a geometry (geometryJson) or "" for the SEG's own. {frames, shape, dtype, geometry, segmentNumbers}.
  std::string planSegments(std::string request_json, std::string reference_json) {
    auto j = nlohmann::json::parse(request_json, nullptr, false);
    lazydcm::seg_volume_request req;
    if (j.is_object()) {
      if (j.contains("segmentNumbers") && j["segmentNumbers"].is_array()) req.segments = j["segmentNumbers"].get<std::vector<uint32_t>>();
      req.combine = j.value("combineSegments", false);
      req.relabel = j.value("relabel", false);
      req.rescale_fractional = j.value("rescaleFractional", true);
      req.skip_overlap_checks = j.value("skipOverlapChecks", false);
    }
    std::optional<lazydcm::volume_geometry> reference;
    auto rj = nlohmann::json::parse(reference_json, nullptr, false);
    if (rj.is_object()) reference = geometry_from_json(rj);
    auto plan = session().plan_segments(req, reference ? &*reference : nullptr);
    if (!plan) return error_dump(plan.err());
    const auto& v = *plan.value();
    nlohmann::json shape = {v.geometry().slices, v.geometry().rows, v.geometry().columns};
    if (!v.combined()) shape.push_back(v.channels());
    return dump({{"frames", v.frames()}, {"shape", shape}, {"dtype", lazydcm::dtype_name(v.dtype())},
                 {"geometry", geometry_json(v.geometry())}, {"segmentNumbers", v.segments()}});
  }
  val segmentVolumeView() {
    auto* v = session().segment_volume();
    return v ? view(v->data()) : val(typed_memory_view(size_t(0), static_cast<const uint8_t*>(nullptr)));
  }
  void releaseSegments() { session().release_segments(); }
  void releaseRegion() { session().release_region(); }

  // [offset, length, bitOffset, hasItemHeaders, expectedLength] per frame, as a borrowed view.
  val frameTable() {
    table_.clear();
    if (const auto* index = r_.index()) {
      for (const auto& f : index->frames) {
        table_.insert(table_.end(), {double(f.offset), double(f.length), double(f.bit_offset),
                                     f.has_item_headers ? 1.0 : 0.0, double(f.expected_length)});
      }
    }
    return val(typed_memory_view(table_.size(), table_.data()));
  }

 private:
  static lazydcm::instance_options parse_options(const std::string& text) {
    lazydcm::instance_options o;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return o;
    if (j.contains("maxInlineValue") && j["maxInlineValue"].is_number_unsigned())
      o.parse.max_inline_value = j["maxInlineValue"].get<uint32_t>();
    if (j.contains("stopAtPixelData") && j["stopAtPixelData"].is_boolean())
      o.parse.stop_at_pixel_data = j["stopAtPixelData"].get<bool>();
    if (j.contains("strictOddLength") && j["strictOddLength"].is_boolean())
      o.parse.strict_odd_length = j["strictOddLength"].get<bool>();
    if (j.contains("scanBatch") && j["scanBatch"].is_number_unsigned())
      o.index.scan_batch = j["scanBatch"].get<uint64_t>();
    if (j.contains("buildIndex") && j["buildIndex"].is_boolean()) o.build_index = j["buildIndex"].get<bool>();
    return o;
  }
  // {realWorld, modality, voi, palette: true|false|null, voiIndex, voiMin, voiMax, presentation, ybrToRgb}
  static lazydcm::transform_options parse_transform(const std::string& options_json) {
    auto j = nlohmann::json::parse(options_json, nullptr, false);
    lazydcm::transform_options o;
    auto mode = [&](const char* key, lazydcm::apply_mode fallback) {
      if (!j.is_object() || !j.contains(key) || j[key].is_null()) return fallback;
      return j[key].is_boolean() && j[key].get<bool>() ? lazydcm::apply_mode::yes : lazydcm::apply_mode::no;
    };
    o.real_world = mode("realWorld", o.real_world);
    o.modality = mode("modality", o.modality);
    o.voi = mode("voi", o.voi);
    o.palette = mode("palette", o.palette);
    if (j.is_object()) {
      o.voi_index = j.value("voiIndex", size_t(0));
      o.voi_min = j.value("voiMin", 0.0);
      o.voi_max = j.value("voiMax", 1.0);
      o.presentation = j.value("presentation", true);
      o.ybr_to_rgb = j.value("ybrToRgb", true);
    }
    return o;
  }
  static lazydcm::decode_report parse_report(const std::string& text) {
    lazydcm::decode_report r;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) return r;
    r.rows = j.value("rows", 0u);
    r.columns = j.value("columns", 0u);
    r.samples_per_pixel = j.value("samplesPerPixel", 0u);
    r.bits_allocated = j.value("bitsAllocated", 0u);
    r.photometric_interpretation = j.value("photometricInterpretation", std::string());
    r.decoder = j.value("decoder", std::string());
    return r;
  }
  lazydcm::image_session& session() {
    if (!session_) session_ = std::make_unique<lazydcm::image_session>(r_);
    return *session_;
  }
  size_t input_size(size_t n) const { return std::min(n, input_.size()); }
  int status(const lazydcm::error& e) {
    frame_error_ = e;
    return int(e.code);
  }
  static val view(const std::vector<uint8_t>& v) { return val(typed_memory_view(v.size(), v.data())); }

  instance_reader r_;
  std::unique_ptr<lazydcm::image_session> session_;
  lazydcm::error frame_error_;
  std::vector<uint8_t> input_;
  std::vector<double> table_;
};

// Decodes encoded frames without an instance: for worker pools and benchmarks.
class decoder {
 public:
  val inputBuffer(size_t n) {
    input_.resize(n);
    return val(typed_memory_view(n, input_.data()));  // borrowed: valid until the next call
  }
  // frame: {"rows","columns","samplesPerPixel","bitsAllocated","bitsStored","pixelRepresentation",
  //         "planarConfiguration","photometricInterpretation","reduce"}
  int decode(std::string transfer_syntax, std::string frame_json, size_t n) {
    auto j = nlohmann::json::parse(frame_json, nullptr, false);
    lazydcm::frame_info info;
    lazydcm::decode_options options;
    if (j.is_object()) {
      info.rows = j.value("rows", 0u);
      info.columns = j.value("columns", 0u);
      info.samples_per_pixel = j.value("samplesPerPixel", 1u);
      info.bits_allocated = j.value("bitsAllocated", 8u);
      info.bits_stored = j.value("bitsStored", info.bits_allocated);
      info.pixel_representation = j.value("pixelRepresentation", 0u);
      info.planar_configuration = j.value("planarConfiguration", 0u);
      info.photometric_interpretation = j.value("photometricInterpretation", std::string());
      info.bit_offset = j.value("bitOffset", 0u);
      info.big_endian = j.value("bigEndian", false);
      info.float_data = j.value("floatData", false);
      options.reduce = j.value("reduce", 0);
    }
    output_.resize(size_t(lazydcm::stored_frame_size(info, options.reduce)));
    error_ = lazydcm::decode_frame(transfer_syntax, input_.data(), std::min(n, input_.size()), info, output_.data(),
                                   output_.size(), report_, options);
    return int(error_.code);
  }
  val outputView() { return val(typed_memory_view(output_.size(), output_.data())); }  // borrowed
  std::string errorJson() const { return dump(error_json(error_)); }
  std::string reportJson() const {
    return dump({{"rows", report_.rows}, {"columns", report_.columns}, {"samplesPerPixel", report_.samples_per_pixel},
                 {"bitsAllocated", report_.bits_allocated}, {"photometricInterpretation", report_.photometric_interpretation},
                 {"decoder", report_.decoder}});
  }

 private:
  std::vector<uint8_t> input_, output_;
  lazydcm::decode_report report_;
  lazydcm::error error_;
};

}  // namespace

EMSCRIPTEN_BINDINGS(lazydcm) {
  class_<decoder>("Decoder")
      .constructor<>()
      .function("inputBuffer", &decoder::inputBuffer)
      .function("decode", &decoder::decode)
      .function("outputView", &decoder::outputView)
      .function("errorJson", &decoder::errorJson)
      .function("reportJson", &decoder::reportJson);
  class_<reader>("Reader")
      .constructor<double, std::string>()
      .function("inputBuffer", &reader::inputBuffer)
      .function("feedInput", &reader::feedInput)
      .function("step", &reader::step)
      .function("needOffset", &reader::needOffset)
      .function("needLength", &reader::needLength)
      .function("errorJson", &reader::errorJson)
      .function("summaryJson", &reader::summaryJson)
      .function("datasetJson", &reader::datasetJson)
      .function("frameTable", &reader::frameTable)
      .function("decodeInput", &reader::decodeInput)
      .function("rawInput", &reader::rawInput)
      .function("planRegion", &reader::planRegion)
      .function("regionView", &reader::regionView)
      .function("transformRegion", &reader::transformRegion)
      .function("releaseRegion", &reader::releaseRegion)
      .function("valuesView", &reader::valuesView)
      .function("transformJson", &reader::transformJson)
      .function("outputView", &reader::outputView)
      .function("reportJson", &reader::reportJson)
      .function("releaseOutput", &reader::releaseOutput)
      .function("frameErrorJson", &reader::frameErrorJson)
      .function("geometryJson", &reader::geometryJson)
      .function("seriesMemberJson", &reader::seriesMemberJson)
      .function("segmentationJson", &reader::segmentationJson)
      .function("findSegmentsJson", &reader::findSegmentsJson)
      .function("planSegments", &reader::planSegments)
      .function("segmentVolumeView", &reader::segmentVolumeView)
      .function("releaseSegments", &reader::releaseSegments)
      .function("transformStored", &reader::transformStored)
      .function("pasteStored", &reader::pasteStored)
      .function("pasteSegmentStored", &reader::pasteSegmentStored)
      .function("frameInfoJson", &reader::frameInfoJson);
  function("seriesGeometryJson", &seriesGeometryJson);
}
