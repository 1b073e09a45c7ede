// The sans-IO header reader and frame indexer (Basic/Extended Offset Table, TIFF tile table of
// dual-personality files, fragment scan, deflated datasets) fed a whole file in random pieces;
// then the summary and DICOM JSON out, every indexed frame's range checked by extract_frame, and
// the index through a persistent-cache snapshot and back into a reader of the same header (it must
// be taken back unchanged); the input itself is also tried as a snapshot.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = fuzz::read_instance(data, size);
  if (!r->header_done()) return 0;
  (void)r->summary();
  (void)r->dicom_json();
  if (const auto* index = r->index()) {
    std::vector<uint8_t> frame;
    size_t n = 0;
    for (const auto& loc : index->frames) {
      if (++n > 64) break;
      if (r->file().pixel.in_inflated_stream || loc.offset > size || loc.length > size - loc.offset) continue;
      if (lazydcm::extract_frame(loc, data + loc.offset, size_t(loc.length), frame).code ==
              lazydcm::errc::invalid_offset_table &&
          r->reindex("fuzz")) {
        fuzz::drive(*r, data, size);  // the index again, from the next method
        break;
      }
    }
  }
  if (const std::vector<uint8_t> snap = r->index_snapshot(); !snap.empty()) {
    lazydcm::instance_options o;
    o.build_index = false;
    lazydcm::instance_reader again(size, o);
    again.feed(0, data, size);
    if (again.step() == lazydcm::parse_status::done && again.header_done()) {
      if (!again.restore_index(snap.data(), snap.size())) __builtin_trap();  // its own snapshot must fit
      if (again.index()->frames.size() != r->index()->frames.size()) __builtin_trap();
    }
  }
  (void)lazydcm::load_index(data, size, size);
  return 0;
}
