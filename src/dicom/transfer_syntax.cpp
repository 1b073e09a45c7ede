#include "dicom/transfer_syntax.hpp"

#include <algorithm>
#include <iterator>

namespace lazydcm {

namespace {
struct ts_row {
  const char* uid;
  const char* name;
  bool implicit_vr, big_endian, deflated, encapsulated;
};
constexpr ts_row k_syntaxes[] = {
    {"1.2.840.10008.1.2", "Implicit VR Little Endian", true, false, false, false},
    {"1.2.840.10008.1.2.1", "Explicit VR Little Endian", false, false, false, false},
    {"1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian", false, false, false, true},
    {"1.2.840.10008.1.2.1.99", "Deflated Explicit VR Little Endian", false, false, true, false},
    {"1.2.840.10008.1.2.2", "Explicit VR Big Endian", false, true, false, false},
    {"1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression", false, false, false, true},
    {"1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)", false, false, false, true},
    {"1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 & 4)", false, false, false, true},
    {"1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)", false, false, false, true},
    {"1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [SV1])", false, false, false, true},
    {"1.2.840.10008.1.2.4.80", "JPEG-LS Lossless", false, false, false, true},
    {"1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless)", false, false, false, true},
    {"1.2.840.10008.1.2.4.90", "JPEG 2000 (Lossless Only)", false, false, false, true},
    {"1.2.840.10008.1.2.4.91", "JPEG 2000", false, false, false, true},
    {"1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component (Lossless Only)", false, false, false, true},
    {"1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component", false, false, false, true},
    {"1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level", false, false, false, true},
    {"1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level", false, false, false, true},
    {"1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1", false, false, false, true},
    {"1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1", false, false, false, true},
    {"1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video", false, false, false, true},
    {"1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video", false, false, false, true},
    {"1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2", false, false, false, true},
    {"1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1", false, false, false, true},
    {"1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1", false, false, false, true},
    {"1.2.840.10008.1.2.4.110", "JPEG XL Lossless", false, false, false, true},
    {"1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression", false, false, false, true},
    {"1.2.840.10008.1.2.4.112", "JPEG XL", false, false, false, true},
    {"1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 (Lossless Only)", false, false, false, true},
    {"1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options (Lossless Only)", false, false, false, true},
    {"1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000", false, false, false, true},
    {"1.2.840.10008.1.2.5", "RLE Lossless", false, false, false, true},
};
}  // namespace

transfer_syntax lookup_transfer_syntax(std::string_view uid) {
  transfer_syntax ts;
  ts.uid = std::string(uid);
  for (const auto& row : k_syntaxes) {
    if (uid == row.uid) {
      ts.name = row.name;
      ts.known = true;
      ts.implicit_vr = row.implicit_vr;
      ts.big_endian = row.big_endian;
      ts.deflated = row.deflated;
      ts.encapsulated = row.encapsulated;
      return ts;
    }
  }
  // Unknown (private or future) syntaxes: PS3.5 10.1 requires Explicit VR Little Endian
  // for every syntax but the three uncompressed ones, and compressed pixels are encapsulated.
  ts.encapsulated = true;
  return ts;
}

}  // namespace lazydcm

namespace lazydcm {
namespace {
struct uid_entry {
  const char* uid;
  const char* name;
};
#include "dicom/uid_table.inc"
}  // namespace

const char* uid_name(std::string_view uid) {
  auto it = std::lower_bound(std::begin(k_uids), std::end(k_uids), uid,
                             [](const uid_entry& e, std::string_view u) { return std::string_view(e.uid) < u; });
  return it != std::end(k_uids) && it->uid == uid ? it->name : "";
}
}  // namespace lazydcm
