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
  // outputView() / reportJson() (decode, raw), valuesView() / transformJson() (transform), or
  // frameErrorJson().
  int decodeInput(size_t i, size_t n, int reduce) {
    lazydcm::decode_options o;
    o.reduce = reduce;
    return status(session().decode(i, input_.data(), input_size(n), o));
  }
  int rawInput(size_t i, size_t n) { return status(session().raw(i, input_.data(), input_size(n))); }
  int transformInput(size_t i, size_t n, std::string options_json) {
    return status(session().transform(i, input_.data(), input_size(n), parse_transform(options_json)));
  }
  // A region of the total pixel matrix (0-based, half-open; -1: no plane / path selection):
  // {"rows","columns","frames"} or {"error"}; then pasteInput per frame, regionView / transformRegion.
  std::string planRegion(double r0, double r1, double c0, double c1, int focal_plane, int optical_path) {
    lazydcm::plane_selection sel;
    if (focal_plane >= 0) sel.focal_plane = uint32_t(focal_plane);
    if (optical_path >= 0) sel.optical_path = uint32_t(optical_path);
    auto plan = session().plan(int64_t(r0), int64_t(r1), int64_t(c0), int64_t(c1), sel);
    if (!plan) return dump({{"error", error_json(plan.err())}});
    return dump({{"rows", plan->rows}, {"columns", plan->columns}, {"frames", plan->frames()}});
  }
  int pasteInput(size_t i, size_t n) { return status(session().paste(i, input_.data(), input_size(n))); }
  int transformRegion(std::string options_json) { return status(session().transform_region(parse_transform(options_json))); }

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
      options.reduce = j.value("reduce", 0);
    }
    output_.resize(size_t(lazydcm::stored_frame_size(info, options.reduce)));
    error_ = lazydcm::decode_frame(transfer_syntax, input_.data(), std::min(n, input_.size()), info, output_.data(),
                                   output_.size(), report_, options);
    return int(error_.code);
  }
  val outputView() { return val(typed_memory_view(output_.size(), output_.data())); }  // borrowed
  std::string errorJson() const { return dump(error_json(error_)); }

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
      .function("errorJson", &decoder::errorJson);
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
      .function("transformInput", &reader::transformInput)
      .function("planRegion", &reader::planRegion)
      .function("pasteInput", &reader::pasteInput)
      .function("regionView", &reader::regionView)
      .function("transformRegion", &reader::transformRegion)
      .function("releaseRegion", &reader::releaseRegion)
      .function("valuesView", &reader::valuesView)
      .function("transformJson", &reader::transformJson)
      .function("outputView", &reader::outputView)
      .function("reportJson", &reader::reportJson)
      .function("releaseOutput", &reader::releaseOutput)
      .function("frameErrorJson", &reader::frameErrorJson);
}
