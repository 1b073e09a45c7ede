// Bindings of Pixels (pixels.hpp) and VolumeBuffer.
#include "pixels.hpp"

namespace lazydcm::glue {

pixels* make_pixels(instance* owner) { return new pixels(owner); }

// ranges: [s0, s1, r0, r1, c0, c1]; samples 0: from the first frame.
volume_buffer* make_volume(val ranges, unsigned rows, unsigned columns, unsigned samples, bool float32) {
  std::array<uint64_t, 6> r{};
  for (size_t k = 0; k < 6; ++k) r[k] = uint64_t(ranges[k].as<double>());
  auto v = volume_buffer::create(r, rows, columns, samples, float32);
  if (!v) return fail(v.err()), nullptr;
  return new volume_buffer(std::move(v.value()));
}
val volume_data(const volume_buffer& v) { return borrowed(v.data()); }
unsigned volume_samples(const volume_buffer& v) { return v.samples(); }

}  // namespace lazydcm::glue

EMSCRIPTEN_BINDINGS(lazydcm_pixels) {
  using namespace lazydcm::glue;
  emscripten::class_<pixels>("Pixels")
      .constructor(LAZYDCM_ENTRY(&make_pixels, "Pixels"), emscripten::allow_raw_pointers())
      .function("inputBuffer", LAZYDCM_ENTRY(&pixels::inputBuffer, "Pixels.inputBuffer"))
      .function("decode", LAZYDCM_ENTRY(&pixels::decode, "Pixels.decode"))
      .function("raw", LAZYDCM_ENTRY(&pixels::raw, "Pixels.raw"))
      .function("transformStored", LAZYDCM_ENTRY(&pixels::transformStored, "Pixels.transformStored"))
      .function("frameInfo", LAZYDCM_ENTRY(&pixels::frameInfo, "Pixels.frameInfo"))
      .function("output", LAZYDCM_ENTRY(&pixels::output, "Pixels.output"))
      .function("values", LAZYDCM_ENTRY(&pixels::values, "Pixels.values"))
      .function("report", LAZYDCM_ENTRY(&pixels::report, "Pixels.report"))
      .function("transformInfo", LAZYDCM_ENTRY(&pixels::transformInfo, "Pixels.transformInfo"))
      .function("releaseOutput", LAZYDCM_ENTRY(&pixels::releaseOutput, "Pixels.releaseOutput"))
      .function("planRegion", LAZYDCM_ENTRY(&pixels::planRegion, "Pixels.planRegion"))
      .function("pasteStored", LAZYDCM_ENTRY(&pixels::pasteStored, "Pixels.pasteStored"))
      .function("paste", LAZYDCM_ENTRY(&pixels::paste, "Pixels.paste"))
      .function("transformRegion", LAZYDCM_ENTRY(&pixels::transformRegion, "Pixels.transformRegion"))
      .function("region", LAZYDCM_ENTRY(&pixels::region, "Pixels.region"))
      .function("releaseRegion", LAZYDCM_ENTRY(&pixels::releaseRegion, "Pixels.releaseRegion"))
      .function("geometry", LAZYDCM_ENTRY(&pixels::geometry, "Pixels.geometry"))
      .function("segmentation", LAZYDCM_ENTRY(&pixels::segmentation, "Pixels.segmentation"))
      .function("findSegments", LAZYDCM_ENTRY(&pixels::findSegments, "Pixels.findSegments"))
      .function("planSegments", LAZYDCM_ENTRY(&pixels::planSegments, "Pixels.planSegments"))
      .function("pasteSegment", LAZYDCM_ENTRY(&pixels::pasteSegment, "Pixels.pasteSegment"))
      .function("pasteSegmentStored", LAZYDCM_ENTRY(&pixels::pasteSegmentStored, "Pixels.pasteSegmentStored"))
      .function("segmentVolume", LAZYDCM_ENTRY(&pixels::segmentVolume, "Pixels.segmentVolume"))
      .function("releaseSegments", LAZYDCM_ENTRY(&pixels::releaseSegments, "Pixels.releaseSegments"))
      .function("transformInto", LAZYDCM_ENTRY(&pixels::transformInto, "Pixels.transformInto"), emscripten::allow_raw_pointers())
      .function("decodeTransformInto", LAZYDCM_ENTRY(&pixels::decodeTransformInto, "Pixels.decodeTransformInto"),
                emscripten::allow_raw_pointers());
  emscripten::class_<lazydcm::volume_buffer>("VolumeBuffer")
      .constructor(LAZYDCM_ENTRY(&make_volume, "VolumeBuffer"), emscripten::allow_raw_pointers())
      .function("data", LAZYDCM_ENTRY(&volume_data, "VolumeBuffer.data"))
      .function("samples", LAZYDCM_ENTRY(&volume_samples, "VolumeBuffer.samples"));
}
