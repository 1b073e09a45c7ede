#include "instance.hpp"

#include <cstddef>

#include "dicom/json_model.hpp"
#include "image/total_pixel_matrix.hpp"
#include "values.hpp"
#include "volume/planes.hpp"
#include "wsi/icc.hpp"
#include "wsi/pyramid.hpp"

namespace lazydcm::glue {

instance::instance(double file_size, val options)
    : r_(std::make_unique<instance_reader>(uint64_t(file_size), instance_options_from(options))) {}

instance* instance::fromMetadata(std::string json_text, std::string transfer_syntax) {
  auto ds = from_json_text(json_text);
  if (!ds) return fail(ds.err()), nullptr;
  auto r = instance_reader::from_metadata(std::move(ds.value()), transfer_syntax);
  if (!r) return fail(r.err()), nullptr;
  auto* out = new instance();
  out->r_ = std::move(r.value());
  return out;
}

val instance::inputBuffer(size_t n) {
  input_.resize(n);
  return borrowed(input_);
}
void instance::feedInput(double offset, size_t n) { r_->feed(uint64_t(offset), input_.data(), std::min(n, input_.size())); }
int instance::step() {
  const parse_status s = r_->step();
  if (s == parse_status::failed) fail(r_->failure());
  return s == parse_status::need_bytes ? 1 : 0;
}
val instance::need() const { return object().set("offset", r_->need().offset).set("length", r_->need().length).done(); }
bool instance::reindex(std::string why) { return r_->reindex(why); }
val instance::indexSnapshot() {
  snapshot_ = r_->index_snapshot();
  return borrowed(snapshot_);
}
bool instance::restoreIndex(size_t n) {
  if (r_->restore_index(input_.data(), std::min(n, input_.size()))) return true;
  return fail(r_->failure()), false;
}
void instance::buildIndex() { r_->build_index(); }
void instance::setTransferSyntax(std::string uid) { r_->set_transfer_syntax(uid); }

val instance::summary() const { return summary_value(*r_); }
std::string instance::datasetJson() const {
  auto out = r_->dicom_json();
  return nlohmann::json({{"dataset", out.json}, {"warnings", out.warnings}})
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
val instance::frameTable() const {
  const frame_index* index = r_->index();
  if (!index || index->frames.empty()) return borrowed_bytes(nullptr, 0);
  return borrowed_bytes(reinterpret_cast<const uint8_t*>(index->frames.data()), index->frames.size() * sizeof(frame_location));
}
val instance::frameTableLayout() {
  static_assert(sizeof(bool) == 1, "has_item_headers is read as one byte");
  return object().set("stride", sizeof(frame_location)).set("offset", offsetof(frame_location, offset))
      .set("length", offsetof(frame_location, length)).set("bitOffset", offsetof(frame_location, bit_offset))
      .set("hasItemHeaders", offsetof(frame_location, has_item_headers))
      .set("expectedLength", offsetof(frame_location, expected_length)).done();
}
val instance::seriesMember(std::string name) const { return series_member_value(read_series_member(r_->file().body, std::move(name))); }
val instance::wsiImage(std::string name) const {
  return wsi_image_value(read_wsi_image(r_->file().body, std::move(name), r_->file().syntax.uid));
}
val instance::iccProfile(size_t optical_path) const {
  const element* e = find_icc_profile(r_->file().body, optical_path);
  if (!e) return object().set("present", false).done();
  return object().set("present", true).set("bulk", e->bulk || !e->bulk_uri.empty()).set("offset", e->value_offset)
      .set("length", e->length).set("bulkUri", e->bulk_uri).done();
}
val instance::iccView(size_t optical_path) const {
  const element* e = find_icc_profile(r_->file().body, optical_path);
  return e ? borrowed(e->value) : borrowed_bytes(nullptr, 0);
}
val instance::regionFrames(val boxes, int focal_plane, int optical_path) const {
  auto layout = read_tile_layout(r_->file().body, plane_selection_from(focal_plane, optical_path));
  if (!layout) return fail(layout.err()), val::undefined();
  auto frames = region_frames(layout.value(), boxes_from(boxes));
  if (!frames) return fail(frames.err()), val::undefined();
  return js(frames.value());
}

// A series' geometry from its members (Instance.seriesMember of each).
val seriesGeometry(val members, val options) {
  std::vector<series_member> m;
  for (const val& v : vector_of<val>(members)) m.push_back(series_member_from(v));
  auto g = series_geometry(m, volume_options_from(options));
  if (!g) return fail(g.err()), val::undefined();
  return geometry_value(g.value());
}

instance* make_instance(double file_size, val options) { return new instance(file_size, options); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_instance) {
  using namespace lazydcm::glue;
  using emscripten::allow_raw_pointers;
  emscripten::function("seriesGeometry", LAZYDCM_ENTRY(&seriesGeometry, "seriesGeometry"));
  emscripten::class_<instance>("Instance")
      .constructor(LAZYDCM_ENTRY(&make_instance, "Instance"), allow_raw_pointers())
      .class_function("fromMetadata", LAZYDCM_ENTRY(&instance::fromMetadata, "Instance.fromMetadata"), allow_raw_pointers())
      .class_function("frameTableLayout", &instance::frameTableLayout)
      .function("inputBuffer", LAZYDCM_ENTRY(&instance::inputBuffer, "Instance.inputBuffer"))
      .function("feedInput", LAZYDCM_ENTRY(&instance::feedInput, "Instance.feedInput"))
      .function("step", LAZYDCM_ENTRY(&instance::step, "Instance.step"))
      .function("need", LAZYDCM_ENTRY(&instance::need, "Instance.need"))
      .function("reindex", LAZYDCM_ENTRY(&instance::reindex, "Instance.reindex"))
      .function("indexSnapshot", LAZYDCM_ENTRY(&instance::indexSnapshot, "Instance.indexSnapshot"))
      .function("restoreIndex", LAZYDCM_ENTRY(&instance::restoreIndex, "Instance.restoreIndex"))
      .function("buildIndex", LAZYDCM_ENTRY(&instance::buildIndex, "Instance.buildIndex"))
      .function("setTransferSyntax", LAZYDCM_ENTRY(&instance::setTransferSyntax, "Instance.setTransferSyntax"))
      .function("summary", LAZYDCM_ENTRY(&instance::summary, "Instance.summary"))
      .function("datasetJson", LAZYDCM_ENTRY(&instance::datasetJson, "Instance.datasetJson"))
      .function("frameTable", LAZYDCM_ENTRY(&instance::frameTable, "Instance.frameTable"))
      .function("seriesMember", LAZYDCM_ENTRY(&instance::seriesMember, "Instance.seriesMember"))
      .function("wsiImage", LAZYDCM_ENTRY(&instance::wsiImage, "Instance.wsiImage"))
      .function("iccProfile", LAZYDCM_ENTRY(&instance::iccProfile, "Instance.iccProfile"))
      .function("iccView", LAZYDCM_ENTRY(&instance::iccView, "Instance.iccView"))
      .function("regionFrames", LAZYDCM_ENTRY(&instance::regionFrames, "Instance.regionFrames"));
}
