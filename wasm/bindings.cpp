// Embind glue: argument and return conversion only (the work is in src/, image_session for
// pixels). Offsets cross as doubles (exact to 2^53).
// Bytes come in through a buffer the reader owns (JS writes into inputBuffer(n), then calls
// feedInput): one copy into WASM memory, no per-call allocation on the JS side.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <emscripten/heap.h>

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>

#include "image/session.hpp"
#include "wsi/icc.hpp"
#include "wsi/pyramid.hpp"

using namespace emscripten;
using lazydcm::instance_reader;

// ---- out of memory ----
// The module's memory grows to at most 2 GiB (CMakeLists.txt). The core refuses declared sizes past
// its limits (value_too_large) before allocating; an allocation within them that still does not fit
// makes operator new throw, and every entry point below turns that into a LazydcmError outOfMemory
// naming the request, thrown into JavaScript, instead of an uncaught C++ exception (a bare number)
// that may leave the module unusable. The core is built without exception support: frames between
// the failed allocation and the entry point do not run destructors, so what they held leaks (once,
// per failure); the module stays usable.
namespace {
size_t g_failed_request = 0;
}
void* operator new(size_t n) {
  if (void* p = std::malloc(n ? n : 1)) return p;
  g_failed_request = n;
  throw std::bad_alloc();
}
void* operator new[](size_t n) { return operator new(n); }

namespace {
[[noreturn]] void throw_out_of_memory(const char* entry, const char* what) {
  const double mib = 1024.0 * 1024.0;
  char message[256];
  if (what)
    std::snprintf(message, sizeof message, "out of memory in %s: %s (WASM memory %.0f MiB of at most 2048 MiB)", entry,
                  what, double(emscripten_get_heap_size()) / mib);
  else
    std::snprintf(message, sizeof message,
                  "out of memory in %s: %.1f MiB were asked for, the WASM memory holds %.0f MiB of at most 2048 MiB",
                  entry, double(g_failed_request) / mib, double(emscripten_get_heap_size()) / mib);
  g_failed_request = 0;
  val make = val::module_property("lazydcmError");  // set by web/src/wasm/load.ts
  if (make.typeOf().as<std::string>() == "function") make(26, std::string("outOfMemory"), std::string(message)).throw_();
  val::global("Error").new_(std::string(message)).throw_();
}

// guarded<&f, name>: f with std::bad_alloc / std::length_error turned into outOfMemory.
template <class F>
decltype(auto) oom_guard(const char* entry, F&& f) {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    throw_out_of_memory(entry, nullptr);
  } catch (const std::length_error& e) {
    throw_out_of_memory(entry, "a buffer larger than the address space was asked for");
  }
}
template <auto F, const char* Name>
struct guarded;
template <class C, class R, class... A, R (C::*F)(A...), const char* Name>
struct guarded<F, Name> {
  static R call(C& self, A... a) { return oom_guard(Name, [&]() -> R { return (self.*F)(std::move(a)...); }); }
};
template <class C, class R, class... A, R (C::*F)(A...) const, const char* Name>
struct guarded<F, Name> {
  static R call(const C& self, A... a) { return oom_guard(Name, [&]() -> R { return (self.*F)(std::move(a)...); }); }
};
template <class R, class... A, R (*F)(A...), const char* Name>
struct guarded<F, Name> {
  static R call(A... a) { return oom_guard(Name, [&]() -> R { return F(std::move(a)...); }); }
};
}  // namespace

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

// ---- whole-slide pyramids (wsi/pyramid.hpp) ----
nlohmann::json spacing_json(const std::optional<lazydcm::pixel_spacing>& s) {
  return s ? nlohmann::json({s->row, s->column}) : nlohmann::json(nullptr);
}
nlohmann::json wsi_image_json(const lazydcm::wsi_image& w) {
  return {{"name", w.name}, {"sopInstanceUid", w.sop_instance_uid}, {"seriesUid", w.series_uid},
          {"frameOfReferenceUid", w.frame_of_reference_uid}, {"transferSyntaxUid", w.transfer_syntax_uid},
          {"concatenationUid", w.concatenation_uid}, {"concatenationOffset", w.concatenation_offset},
          {"flavor", lazydcm::wsi_flavor_name(w.flavor)}, {"wsiSopClass", w.wsi_sop_class}, {"rows", w.rows},
          {"columns", w.columns}, {"totalRows", w.total_rows}, {"totalColumns", w.total_columns}, {"frames", w.frames},
          {"focalPlanes", w.focal_planes}, {"opticalPaths", w.optical_paths},
          {"spacing", spacing_json(w.spacing)}, {"samplesPerPixel", w.samples_per_pixel}, {"bitsAllocated", w.bits_allocated},
          {"photometricInterpretation", w.photometric_interpretation}, {"hasIccProfile", w.has_icc_profile}};
}
lazydcm::wsi_image wsi_image_from(const nlohmann::json& j) {
  lazydcm::wsi_image w;
  w.name = j.value("name", std::string());
  w.sop_instance_uid = j.value("sopInstanceUid", std::string());
  w.series_uid = j.value("seriesUid", std::string());
  w.frame_of_reference_uid = j.value("frameOfReferenceUid", std::string());
  w.transfer_syntax_uid = j.value("transferSyntaxUid", std::string());
  w.concatenation_uid = j.value("concatenationUid", std::string());
  w.concatenation_offset = j.value("concatenationOffset", uint64_t(0));
  const std::string flavor = j.value("flavor", std::string());
  w.flavor = flavor == "VOLUME" ? lazydcm::wsi_flavor::volume : flavor == "LABEL" ? lazydcm::wsi_flavor::label
             : flavor == "OVERVIEW" ? lazydcm::wsi_flavor::overview : flavor == "THUMBNAIL" ? lazydcm::wsi_flavor::thumbnail
                                                                               : lazydcm::wsi_flavor::other;
  w.wsi_sop_class = j.value("wsiSopClass", false);
  w.rows = j.value("rows", 0u);
  w.columns = j.value("columns", 0u);
  w.total_rows = j.value("totalRows", 0u);
  w.total_columns = j.value("totalColumns", 0u);
  w.frames = j.value("frames", uint64_t(1));
  w.focal_planes = j.value("focalPlanes", 1u);
  w.optical_paths = j.value("opticalPaths", 1u);
  if (j.contains("spacing") && j["spacing"].is_array()) w.spacing = lazydcm::pixel_spacing{j["spacing"][0], j["spacing"][1]};
  return w;
}
// images: [wsiImageJson...] -> {levels: [{totalRows, totalColumns, tileRows, tileColumns, spacing, frames,
// images: [[i...]...], focalPlanes, opticalPaths, transferSyntaxUid}], labels, overviews, thumbnails, warnings} | {error}
std::string buildPyramidJson(std::string images_json) {
  auto j = nlohmann::json::parse(images_json, nullptr, false);
  if (!j.is_array()) return error_dump(lazydcm::make_error(lazydcm::errc::invalid_json, lazydcm::error::no_offset, "images"));
  std::vector<lazydcm::wsi_image> images;
  for (const auto& m : j) images.push_back(wsi_image_from(m));
  auto p = lazydcm::build_pyramid(images);
  if (!p) return error_dump(p.err());
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& l : p->levels)
    levels.push_back({{"totalRows", l.total_rows}, {"totalColumns", l.total_columns}, {"tileRows", l.tile_rows},
                      {"tileColumns", l.tile_columns}, {"spacing", spacing_json(l.spacing)}, {"frames", l.frames},
                      {"images", l.images}, {"focalPlanes", l.focal_planes}, {"opticalPaths", l.optical_paths},
                      {"transferSyntaxUid", l.transfer_syntax_uid}});
  return dump({{"levels", levels}, {"labels", p->labels}, {"overviews", p->overviews}, {"thumbnails", p->thumbnails},
               {"warnings", p->warnings}});
}
// spacings: [[row, column] | null per level] -> the level index, or -1.
int levelBySpacing(std::string spacings_json, double target, double threshold, double maximum_downsample) {
  auto j = nlohmann::json::parse(spacings_json, nullptr, false);
  lazydcm::wsi_pyramid p;
  if (j.is_array())
    for (const auto& s : j) {
      lazydcm::wsi_level l;
      if (s.is_array()) l.spacing = lazydcm::pixel_spacing{s[0], s[1]};
      p.levels.push_back(l);
    }
  auto i = lazydcm::level_by_spacing(p, target, threshold, maximum_downsample);
  return i ? int(*i) : -1;
}
std::string magnificationJson(std::string text) {
  auto s = lazydcm::spacing_from_magnification(text);
  return s ? dump({{"spacing", s.value()}}) : error_dump(s.err());
}
std::string magnificationString(double spacing) { return lazydcm::magnification_string(spacing); }
std::string nominalMagnification(double spacing) { return lazydcm::nominal_magnification(spacing); }
std::string resizeLevelJson(double rows, double columns, double source_row, double source_column, double target_row,
                            double target_column) {
  auto r = lazydcm::resize_level(uint32_t(rows), uint32_t(columns), {source_row, source_column}, {target_row, target_column});
  return dump({{"rows", r.rows}, {"columns", r.columns}, {"factorRow", r.factor_row}, {"factorColumn", r.factor_column}});
}

// 8-bit pixel operations for slides: resampling, luminance, the patch grid, ICC transforms.
class pixel_ops {
 public:
  val inputBuffer(size_t n) {
    input_.resize(n);
    return val(typed_memory_view(n, input_.data()));  // borrowed: valid until the next call
  }
  // kind 0: area, 1: cubic. The source is in inputBuffer; returns a borrowed view of the output.
  val resize(int kind, double src_rows, double src_columns, double samples, double origin_x, double origin_y, double scale_x,
             double scale_y, double dst_rows, double dst_columns) {
    output_.assign(size_t(dst_rows) * size_t(dst_columns) * size_t(samples), 0);
    const lazydcm::resample_box box{origin_x, origin_y, scale_x, scale_y};
    if (size_t(src_rows) * size_t(src_columns) * size_t(samples) <= input_.size()) {
      (kind == 1 ? lazydcm::resize_cubic : lazydcm::resize_area)(input_.data(), uint32_t(src_rows), uint32_t(src_columns),
                                                                 uint32_t(samples), box, output_.data(), uint32_t(dst_rows),
                                                                 uint32_t(dst_columns));
    }
    return val(typed_memory_view(output_.size(), output_.data()));
  }
  // RGB in inputBuffer -> its luminance, in place at the start of inputBuffer (for patchGridJson).
  void rgbToGray(double pixels) {
    const size_t n = std::min(size_t(pixels), input_.size() / 3);
    const auto gray = lazydcm::rgb_to_gray(input_.data(), n);
    std::copy(gray.begin(), gray.end(), input_.begin());
  }
  // The mask (luminance) in inputBuffer; options {patch, stride, minLuminance, maxLuminance} ->
  // [[row, column]...] | {error}.
  std::string patchGridJson(double mask_rows, double mask_columns, double rows, double columns, std::string options_json) {
    auto j = nlohmann::json::parse(options_json, nullptr, false);
    lazydcm::patch_grid_options o;
    if (j.is_object()) {
      o.patch = j.value("patch", 0u);
      o.stride = j.value("stride", 0u);
      o.min_luminance = j.value("minLuminance", o.min_luminance);
      o.max_luminance = j.value("maxLuminance", o.max_luminance);
    }
    if (size_t(mask_rows) * size_t(mask_columns) > input_.size())
      return error_dump(lazydcm::make_error(lazydcm::errc::invalid_argument, lazydcm::error::no_offset, "mask larger than its buffer"));
    auto g = lazydcm::patch_grid(input_.data(), uint32_t(mask_rows), uint32_t(mask_columns), uint32_t(rows), uint32_t(columns), o);
    if (!g) return error_dump(g.err());
    nlohmann::json out = nlohmann::json::array();
    for (const auto& p : g.value()) out.push_back({p.row, p.column});
    return dump(out);
  }
  // The ICC profile in inputBuffer(n); target 0 sRGB, 1 Display P3; intent as lcms. 0 or an errc
  // (errorJson()); then applyIcc on RGB pixels written to inputBuffer.
  int createIcc(size_t n, int target, int intent) {
    auto t = lazydcm::icc_transform::create(input_.data(), std::min(n, input_.size()),
                                            target == 1 ? lazydcm::icc_target::display_p3 : lazydcm::icc_target::srgb,
                                            lazydcm::icc_intent(std::clamp(intent, 0, 3)));
    if (!t) {
      error_ = t.err();
      return int(error_.code);
    }
    icc_ = std::make_unique<lazydcm::icc_transform>(std::move(t.value()));
    return 0;
  }
  std::string iccDescription() const { return icc_ ? icc_->description() : std::string(); }
  val applyIcc(double pixels) {
    const size_t n = std::min(size_t(pixels), input_.size() / 3);
    if (icc_) icc_->apply(input_.data(), n);
    return val(typed_memory_view(n * 3, input_.data()));
  }
  std::string errorJson() const { return dump(error_json(error_)); }

 private:
  std::vector<uint8_t> input_, output_;
  std::unique_ptr<lazydcm::icc_transform> icc_;
  lazydcm::error error_;
};

class reader {
 public:
  reader(double file_size, std::string options_json)
      : r_(std::make_unique<instance_reader>(uint64_t(file_size), parse_options(options_json))) {}
  // An instance from its DICOM JSON metadata (DICOMweb), frames fetched by number; the transfer
  // syntax may be "" until frames say it. step() then returns 0, or 2 with errorJson().
  static reader* fromMetadata(std::string json_text, std::string transfer_syntax) {
    auto* out = new reader(0, "{}");
    auto ds = lazydcm::from_json_text(json_text);
    if (!ds) {
      out->init_error_ = ds.err();
      return out;
    }
    auto r = instance_reader::from_metadata(std::move(ds.value()), transfer_syntax);
    if (!r) out->init_error_ = r.err();
    else out->r_ = std::move(r.value());
    return out;
  }
  void setTransferSyntax(std::string uid) {
    r_->set_transfer_syntax(uid);
    if (session_) session_->image_changed();
  }
  val inputBuffer(size_t n) {
    input_.resize(n);
    return val(typed_memory_view(n, input_.data()));  // borrowed: valid until the next call
  }
  void feedInput(double offset, size_t n) { r_->feed(uint64_t(offset), input_.data(), std::min(n, input_.size())); }
  int step() { return init_error_ ? 2 : int(r_->step()); }
  // The index pointed at the wrong bytes: rebuild it with the next method (then step() again).
  bool reindex(std::string why) { return !init_error_ && r_->reindex(why); }
  double needOffset() const { return double(r_->need().offset); }
  double needLength() const { return double(r_->need().length); }
  std::string errorJson() const { return dump(error_json(init_error_ ? *init_error_ : r_->failure())); }
  std::string summaryJson() const { return dump(r_->summary()); }
  std::string datasetJson() const {
    auto out = r_->dicom_json();
    return dump({{"dataset", out.json}, {"warnings", out.warnings}});
  }
  // Frame i (0-based) from the range bytes written to inputBuffer(n). 0 or an errc; then
  // outputView() / reportJson() (decode, raw), or
  // frameErrorJson().
  int decodeInput(size_t i, size_t n, int reduce, bool rgb) {
    lazydcm::decode_options o;
    o.reduce = reduce;
    o.rgb = rgb;
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
    // rects: [row, column, rows, columns] in the region per tile copied (to merge concatenation parts).
    nlohmann::json rects = nlohmann::json::array();
    for (const auto& c : plan->copies) rects.push_back({c.dst_row, c.dst_column, c.rows, c.columns});
    return dump({{"rows", plan->rows}, {"columns", plan->columns}, {"frames", plan->frames()}, {"rects", rects}});
  }
  // The 0-based frames regions need ([[r0, r1, c0, c1]...], 0-based half-open), ascending, without
  // touching the region being assembled; the tile layout is read once for all of them. [..] | {"error"}.
  std::string regionFramesJson(std::string boxes_json, int focal_plane, int optical_path) {
    lazydcm::plane_selection sel;
    if (focal_plane >= 0) sel.focal_plane = uint32_t(focal_plane);
    if (optical_path >= 0) sel.optical_path = uint32_t(optical_path);
    auto layout = lazydcm::read_tile_layout(r_->file().body, sel);
    if (!layout) return error_dump(layout.err());
    auto boxes = nlohmann::json::parse(boxes_json, nullptr, false);
    if (!boxes.is_array()) return error_dump(lazydcm::make_error(lazydcm::errc::invalid_json, lazydcm::error::no_offset, "boxes"));
    std::set<uint32_t> frames;
    for (const auto& b : boxes) {
      auto plan = lazydcm::plan_region(layout.value(), b[0].get<int64_t>(), b[1].get<int64_t>(), b[2].get<int64_t>(), b[3].get<int64_t>());
      if (!plan) return error_dump(plan.err());
      for (uint32_t f : plan->frames()) frames.insert(f);
    }
    return dump(frames);
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
                 {"bigEndian", f.big_endian}, {"floatData", f.float_data}, {"transferSyntaxUid", r_->file().syntax.uid}});
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
    auto m = lazydcm::read_series_member(r_->file().body, std::move(name));
    return dump({{"name", m.name}, {"seriesUid", m.series_uid}, {"frameOfReferenceUid", m.frame_of_reference_uid},
                 {"rows", m.rows}, {"columns", m.columns}, {"position", optional_array(m.plane.position)},
                 {"orientation", optional_array(m.plane.orientation)}, {"pixelSpacing", optional_array(m.plane.pixel_spacing)},
                 {"spacingBetweenSlices", m.plane.spacing_between_slices ? nlohmann::json(*m.plane.spacing_between_slices) : nlohmann::json(nullptr)}});
  }

  // This instance as a slide image (wsi/pyramid.hpp), for buildPyramidJson.
  std::string wsiImageJson(std::string name) {
    return dump(wsi_image_json(lazydcm::read_wsi_image(r_->file().body, std::move(name), r_->file().syntax.uid)));
  }
  // The ICC profile of an optical path: {"present", "bulk", "offset", "length", "bulkUri"}; its
  // bytes (when read) through iccView(optical_path).
  std::string iccProfileJson(size_t optical_path) {
    const auto* e = lazydcm::find_icc_profile(r_->file().body, optical_path);
    if (!e) return dump({{"present", false}});
    return dump({{"present", true}, {"bulk", e->bulk || !e->bulk_uri.empty()}, {"offset", double(e->value_offset)},
                 {"length", double(e->length)}, {"bulkUri", e->bulk_uri}});
  }
  val iccView(size_t optical_path) {
    static const std::vector<uint8_t> empty;
    const auto* e = lazydcm::find_icc_profile(r_->file().body, optical_path);
    return view(e ? e->value : empty);
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
  // The frame index without a copy: a view of the core's frame_location array (valid until the
  // next call), which TypeScript reads into its compact table with frameTableLayout().
  val frameTable() {
    const auto* index = r_->index();
    if (!index || index->frames.empty()) return val(typed_memory_view(size_t(0), static_cast<const uint8_t*>(nullptr)));
    return val(typed_memory_view(index->frames.size() * sizeof(lazydcm::frame_location),
                                 reinterpret_cast<const uint8_t*>(index->frames.data())));
  }
  static std::string frameTableLayout() {
    using lazydcm::frame_location;
    static_assert(sizeof(bool) == 1, "has_item_headers is read as one byte");
    return dump({{"stride", sizeof(frame_location)}, {"offset", offsetof(frame_location, offset)},
                 {"length", offsetof(frame_location, length)}, {"bitOffset", offsetof(frame_location, bit_offset)},
                 {"hasItemHeaders", offsetof(frame_location, has_item_headers)},
                 {"expectedLength", offsetof(frame_location, expected_length)}});
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
    if (!session_) session_ = std::make_unique<lazydcm::image_session>(*r_);
    return *session_;
  }
  size_t input_size(size_t n) const { return std::min(n, input_.size()); }
  int status(const lazydcm::error& e) {
    frame_error_ = e;
    return int(e.code);
  }
  static val view(const std::vector<uint8_t>& v) { return val(typed_memory_view(v.size(), v.data())); }

  std::unique_ptr<instance_reader> r_;
  std::optional<lazydcm::error> init_error_;
  std::unique_ptr<lazydcm::image_session> session_;
  lazydcm::error frame_error_;
  std::vector<uint8_t> input_;
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
      options.rgb = j.value("rgb", false);
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

// Every entry point goes through guarded<> (names for the outOfMemory message).
namespace {
constexpr char k_decoder_inputBuffer[] = "Decoder.inputBuffer";
constexpr char k_decoder_decode[] = "Decoder.decode";
constexpr char k_decoder_outputView[] = "Decoder.outputView";
constexpr char k_decoder_errorJson[] = "Decoder.errorJson";
constexpr char k_decoder_reportJson[] = "Decoder.reportJson";
constexpr char k_reader_fromMetadata[] = "Reader.fromMetadata";
constexpr char k_reader_setTransferSyntax[] = "Reader.setTransferSyntax";
constexpr char k_reader_wsiImageJson[] = "Reader.wsiImageJson";
constexpr char k_reader_iccProfileJson[] = "Reader.iccProfileJson";
constexpr char k_reader_iccView[] = "Reader.iccView";
constexpr char k_reader_inputBuffer[] = "Reader.inputBuffer";
constexpr char k_reader_feedInput[] = "Reader.feedInput";
constexpr char k_reader_step[] = "Reader.step";
constexpr char k_reader_reindex[] = "Reader.reindex";
constexpr char k_reader_needOffset[] = "Reader.needOffset";
constexpr char k_reader_needLength[] = "Reader.needLength";
constexpr char k_reader_errorJson[] = "Reader.errorJson";
constexpr char k_reader_summaryJson[] = "Reader.summaryJson";
constexpr char k_reader_datasetJson[] = "Reader.datasetJson";
constexpr char k_reader_frameTable[] = "Reader.frameTable";
constexpr char k_reader_frameTableLayout[] = "Reader.frameTableLayout";
constexpr char k_reader_decodeInput[] = "Reader.decodeInput";
constexpr char k_reader_rawInput[] = "Reader.rawInput";
constexpr char k_reader_planRegion[] = "Reader.planRegion";
constexpr char k_reader_regionFramesJson[] = "Reader.regionFramesJson";
constexpr char k_reader_regionView[] = "Reader.regionView";
constexpr char k_reader_transformRegion[] = "Reader.transformRegion";
constexpr char k_reader_releaseRegion[] = "Reader.releaseRegion";
constexpr char k_reader_valuesView[] = "Reader.valuesView";
constexpr char k_reader_transformJson[] = "Reader.transformJson";
constexpr char k_reader_outputView[] = "Reader.outputView";
constexpr char k_reader_reportJson[] = "Reader.reportJson";
constexpr char k_reader_releaseOutput[] = "Reader.releaseOutput";
constexpr char k_reader_frameErrorJson[] = "Reader.frameErrorJson";
constexpr char k_reader_geometryJson[] = "Reader.geometryJson";
constexpr char k_reader_seriesMemberJson[] = "Reader.seriesMemberJson";
constexpr char k_reader_segmentationJson[] = "Reader.segmentationJson";
constexpr char k_reader_findSegmentsJson[] = "Reader.findSegmentsJson";
constexpr char k_reader_planSegments[] = "Reader.planSegments";
constexpr char k_reader_segmentVolumeView[] = "Reader.segmentVolumeView";
constexpr char k_reader_releaseSegments[] = "Reader.releaseSegments";
constexpr char k_reader_transformStored[] = "Reader.transformStored";
constexpr char k_reader_pasteStored[] = "Reader.pasteStored";
constexpr char k_reader_pasteSegmentStored[] = "Reader.pasteSegmentStored";
constexpr char k_reader_frameInfoJson[] = "Reader.frameInfoJson";
constexpr char k_pixel_ops_inputBuffer[] = "PixelOps.inputBuffer";
constexpr char k_pixel_ops_resize[] = "PixelOps.resize";
constexpr char k_pixel_ops_rgbToGray[] = "PixelOps.rgbToGray";
constexpr char k_pixel_ops_patchGridJson[] = "PixelOps.patchGridJson";
constexpr char k_pixel_ops_createIcc[] = "PixelOps.createIcc";
constexpr char k_pixel_ops_iccDescription[] = "PixelOps.iccDescription";
constexpr char k_pixel_ops_applyIcc[] = "PixelOps.applyIcc";
constexpr char k_pixel_ops_errorJson[] = "PixelOps.errorJson";
constexpr char k_seriesGeometryJson[] = "seriesGeometryJson";
constexpr char k_buildPyramidJson[] = "buildPyramidJson";
constexpr char k_levelBySpacing[] = "levelBySpacing";
constexpr char k_magnificationJson[] = "magnificationJson";
constexpr char k_magnificationString[] = "magnificationString";
constexpr char k_nominalMagnification[] = "nominalMagnification";
constexpr char k_resizeLevelJson[] = "resizeLevelJson";
}  // namespace
#define G(cls, method) &guarded<&cls::method, k_##cls##_##method>::call
#define GF(fn) &guarded<&fn, k_##fn>::call

EMSCRIPTEN_BINDINGS(lazydcm) {
  class_<decoder>("Decoder")
      .constructor<>()
      .function("inputBuffer", G(decoder, inputBuffer))
      .function("decode", G(decoder, decode))
      .function("outputView", G(decoder, outputView))
      .function("errorJson", G(decoder, errorJson))
      .function("reportJson", G(decoder, reportJson));
  class_<reader>("Reader")
      .constructor<double, std::string>()
      .class_function("fromMetadata", G(reader, fromMetadata), allow_raw_pointers())
      .function("setTransferSyntax", G(reader, setTransferSyntax))
      .function("wsiImageJson", G(reader, wsiImageJson))
      .function("iccProfileJson", G(reader, iccProfileJson))
      .function("iccView", G(reader, iccView))
      .function("inputBuffer", G(reader, inputBuffer))
      .function("feedInput", G(reader, feedInput))
      .function("step", G(reader, step))
      .function("reindex", G(reader, reindex))
      .function("needOffset", G(reader, needOffset))
      .function("needLength", G(reader, needLength))
      .function("errorJson", G(reader, errorJson))
      .function("summaryJson", G(reader, summaryJson))
      .function("datasetJson", G(reader, datasetJson))
      .function("frameTable", G(reader, frameTable))
      .class_function("frameTableLayout", G(reader, frameTableLayout))
      .function("decodeInput", G(reader, decodeInput))
      .function("rawInput", G(reader, rawInput))
      .function("planRegion", G(reader, planRegion))
      .function("regionFramesJson", G(reader, regionFramesJson))
      .function("regionView", G(reader, regionView))
      .function("transformRegion", G(reader, transformRegion))
      .function("releaseRegion", G(reader, releaseRegion))
      .function("valuesView", G(reader, valuesView))
      .function("transformJson", G(reader, transformJson))
      .function("outputView", G(reader, outputView))
      .function("reportJson", G(reader, reportJson))
      .function("releaseOutput", G(reader, releaseOutput))
      .function("frameErrorJson", G(reader, frameErrorJson))
      .function("geometryJson", G(reader, geometryJson))
      .function("seriesMemberJson", G(reader, seriesMemberJson))
      .function("segmentationJson", G(reader, segmentationJson))
      .function("findSegmentsJson", G(reader, findSegmentsJson))
      .function("planSegments", G(reader, planSegments))
      .function("segmentVolumeView", G(reader, segmentVolumeView))
      .function("releaseSegments", G(reader, releaseSegments))
      .function("transformStored", G(reader, transformStored))
      .function("pasteStored", G(reader, pasteStored))
      .function("pasteSegmentStored", G(reader, pasteSegmentStored))
      .function("frameInfoJson", G(reader, frameInfoJson));
  function("seriesGeometryJson", GF(seriesGeometryJson));
  function("buildPyramidJson", GF(buildPyramidJson));
  function("levelBySpacing", GF(levelBySpacing));
  function("magnificationJson", GF(magnificationJson));
  function("magnificationString", GF(magnificationString));
  function("nominalMagnification", GF(nominalMagnification));
  function("resizeLevelJson", GF(resizeLevelJson));
  class_<pixel_ops>("PixelOps")
      .constructor<>()
      .function("inputBuffer", G(pixel_ops, inputBuffer))
      .function("resize", G(pixel_ops, resize))
      .function("rgbToGray", G(pixel_ops, rgbToGray))
      .function("patchGridJson", G(pixel_ops, patchGridJson))
      .function("createIcc", G(pixel_ops, createIcc))
      .function("iccDescription", G(pixel_ops, iccDescription))
      .function("applyIcc", G(pixel_ops, applyIcc))
      .function("errorJson", G(pixel_ops, errorJson));
}
