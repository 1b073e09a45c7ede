// Embind glue: argument and return conversion only. Offsets cross as doubles (exact to 2^53).
// Bytes come in through a buffer the reader owns (JS writes into inputBuffer(n), then calls
// feedInput): one copy into WASM memory, no per-call allocation on the JS side.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include "image/frames.hpp"
#include "image/total_pixel_matrix.hpp"
#include "pixel/transform.hpp"
#include "index/instance_reader.hpp"

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
  // Frame decoding below shares the instance's header and index.
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
  // Decodes frame i (0-based) from the bytes of its range, written to inputBuffer(n) first
  // (deflated files: from the inflated stream the reader holds). Returns 0 or an errc; then
  // outputView() / reportJson() / errorJson().
  int decodeInput(size_t i, size_t n, int reduce) {
    return run_frame(i, n, [&](const lazydcm::frame_location& loc, const uint8_t* range, size_t size) {
      lazydcm::decode_options options;
      options.reduce = reduce;
      return lazydcm::decode_stored_frame(r_.file(), image_, loc, range, size, output_, report_, options);
    });
  }
  // Frame i with the pixel transforms (options JSON: realWorld/modality/voi/palette as
  // true|false|null, voiIndex, voiMin, voiMax, presentation, ybrToRgb): float64 output values.
  int transformInput(size_t i, size_t n, std::string options_json) {
    int rc = decodeInput(i, n, 0);
    if (rc != 0) return rc;
    auto t = lazydcm::build_pixel_transform(r_.file().body, i, parse_transform(options_json));
    if (!t) return fail(t.err());
    const auto& loc = r_.index()->frames[i];
    lazydcm::error e = t->apply(output_.data(), lazydcm::make_frame_info(r_.file(), image_, loc), report_, values_);
    if (e.code != lazydcm::errc::ok) return fail(e);
    transform_description_ = t->describe();
    samples_out_ = t->output_samples();
    return 0;
  }
  val valuesView() { return val(typed_memory_view(values_.size(), values_.data())); }  // borrowed
  std::string transformJson() const { return dump({{"transform", transform_description_}, {"samplesPerPixel", samples_out_}}); }

  // A region of the total pixel matrix (0-based, half-open); -1 = no plane/path selection.
  // Returns {"rows","columns","frames":[...]} or {"error":{...}}. Then pasteInput per frame.
  std::string planRegion(double r0, double r1, double c0, double c1, int focal_plane, int optical_path) {
    lazydcm::plane_selection sel;
    if (focal_plane >= 0) sel.focal_plane = uint32_t(focal_plane);
    if (optical_path >= 0) sel.optical_path = uint32_t(optical_path);
    auto layout = lazydcm::read_tile_layout(r_.file().body, sel);
    if (!layout) return dump({{"error", error_json(layout.err())}});
    auto plan = lazydcm::plan_region(layout.value(), int64_t(r0), int64_t(r1), int64_t(c0), int64_t(c1));
    if (!plan) return dump({{"error", error_json(plan.err())}});
    if (!image_ready_) {
      auto info = lazydcm::read_image_info(r_.file().body, r_.file().pixel);
      if (!info) return dump({{"error", error_json(info.err())}});
      image_ = info.value();
      image_ready_ = true;
    }
    layout_ = std::move(layout.value());
    plan_ = std::move(plan.value());
    const size_t bytes = image_.bits_allocated == 1 ? 1 : image_.bits_allocated / 8;
    region_.assign(size_t(plan_.rows) * plan_.columns * image_.samples_per_pixel * bytes, 0);
    region_report_ = lazydcm::decode_report{};
    region_report_.rows = plan_.rows;
    region_report_.columns = plan_.columns;
    region_report_.samples_per_pixel = image_.samples_per_pixel;
    region_report_.bits_allocated = image_.bits_allocated;
    region_report_.photometric_interpretation = image_.photometric_interpretation;
    return dump({{"rows", plan_.rows}, {"columns", plan_.columns}, {"frames", plan_.frames()}});
  }
  // Decodes frame i from inputBuffer(n) and pastes it into the planned region.
  int pasteInput(size_t i, size_t n) {
    int rc = decodeInput(i, n, 0);
    if (rc != 0) return rc;
    const size_t bytes = image_.bits_allocated == 1 ? 1 : image_.bits_allocated / 8;
    lazydcm::paste_tile(plan_, layout_, uint32_t(i), output_.data(), bytes, region_.data());
    region_report_.photometric_interpretation = report_.photometric_interpretation;
    return 0;
  }
  val regionView() { return val(typed_memory_view(region_.size(), region_.data())); }  // borrowed
  // The pixel transforms over the assembled region (those of the first frame: TILED images share them).
  int transformRegion(std::string options_json) {
    auto t = lazydcm::build_pixel_transform(r_.file().body, 0, parse_transform(options_json));
    if (!t) return fail(t.err());
    lazydcm::frame_info info = lazydcm::make_frame_info(r_.file(), image_, r_.index()->frames.front());
    lazydcm::error e = t->apply(region_.data(), info, region_report_, values_);
    if (e.code != lazydcm::errc::ok) return fail(e);
    transform_description_ = t->describe();
    samples_out_ = t->output_samples();
    return 0;
  }
  void releaseRegion() {
    std::vector<uint8_t>().swap(region_);
    std::vector<double>().swap(values_);
  }

  // The encoded bytes of frame i, fragments joined.
  int rawInput(size_t i, size_t n) {
    return run_frame(i, n, [&](const lazydcm::frame_location& loc, const uint8_t* range, size_t size) {
      return lazydcm::raw_frame(loc, range, size, output_);
    });
  }
  val outputView() { return val(typed_memory_view(output_.size(), output_.data())); }  // borrowed
  std::string reportJson() const {
    return dump({{"rows", report_.rows}, {"columns", report_.columns}, {"samplesPerPixel", report_.samples_per_pixel},
                 {"bitsAllocated", report_.bits_allocated}, {"photometricInterpretation", report_.photometric_interpretation},
                 {"decoder", report_.decoder}});
  }
  void releaseOutput() {
    std::vector<uint8_t>().swap(output_);
    std::vector<double>().swap(values_);
  }

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

  template <class F>
  int run_frame(size_t i, size_t n, F&& f) {
    const auto* index = r_.index();
    if (!index || i >= index->frames.size()) return fail(lazydcm::errc::frame_out_of_range, "no frame " + std::to_string(i + 1));
    if (!image_ready_) {
      auto info = lazydcm::read_image_info(r_.file().body, r_.file().pixel);
      if (!info) return fail(info.err());
      image_ = info.value();
      image_ready_ = true;
    }
    const auto& loc = index->frames[i];
    const uint8_t* range = input_.data();
    size_t size = std::min(n, input_.size());
    if (r_.file().pixel.in_inflated_stream) {
      range = r_.inflated_bytes().view(loc.offset, loc.length);
      size = size_t(loc.length);
      if (!range) return fail(lazydcm::errc::truncated, "frame outside the inflated dataset");
    }
    lazydcm::error e = f(loc, range, size);
    if (e.code != lazydcm::errc::ok) return fail(e);
    return 0;
  }
  int fail(lazydcm::errc code, std::string message) { return fail(lazydcm::make_error(code, lazydcm::error::no_offset, std::move(message))); }
  int fail(const lazydcm::error& e) {
    frame_error_ = e;
    return int(e.code);
  }

 public:
  std::string frameErrorJson() const { return dump(error_json(frame_error_)); }

 private:
  instance_reader r_;
  lazydcm::image_info image_;
  bool image_ready_ = false;
  lazydcm::decode_report report_;
  lazydcm::error frame_error_;
  std::vector<uint8_t> output_;
  std::vector<double> values_;
  lazydcm::tile_layout layout_;
  lazydcm::region_plan plan_;
  std::vector<uint8_t> region_;
  lazydcm::decode_report region_report_;
  std::string transform_description_;
  uint32_t samples_out_ = 1;
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
