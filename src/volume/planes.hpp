// Where each frame lies: Image Position/Orientation (Patient) and Pixel Spacing, read as highdicom
// reads them (the frame's per-frame functional group, then the shared one, then the top level),
// and the volume geometry of a multi-frame image's frames or of a series of single-frame
// instances, with the checks that say why something is not a volume.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "dicom/dataset.hpp"
#include "volume/geometry.hpp"

namespace lazydcm {

struct plane_info {
  std::optional<vec3> position;                     // Image Position (Patient)
  std::optional<std::array<double, 6>> orientation;  // Image Orientation (Patient)
  std::optional<std::array<double, 2>> pixel_spacing;
  std::optional<double> spacing_between_slices;
};

plane_info frame_plane(const dataset& ds, size_t frame);

// The geometry of frames `frames` (0-based; all when empty) of a multi-frame image, which must
// share orientation and pixel spacing. slice_of follows `frames`.
result<volume_geometry> frames_geometry(const dataset& ds, size_t frame_count, const std::vector<size_t>& frames,
                                        volume_options options);

// One single-frame instance of a series.
struct series_member {
  std::string name;  // for messages (file name or URL)
  std::string series_uid, frame_of_reference_uid;
  uint32_t rows = 0, columns = 0;
  plane_info plane;
};
series_member read_series_member(const dataset& ds, std::string name);

// highdicom's get_volume_from_series: one Series Instance UID and Frame of Reference UID, the same
// orientation (within 1e-4 per cosine), pixel spacing and size. slice_of follows `members`.
result<volume_geometry> series_geometry(const std::vector<series_member>& members, volume_options options);

}  // namespace lazydcm
