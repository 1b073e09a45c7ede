// Core values <-> JavaScript objects, one pair per kind of value, names as TypeScript spells them
// (web/src/wasm/core.ts declares the same shapes). Field mapping only.
#pragma once
#include "frame_values.hpp"
#include "glue.hpp"

#include "codec/codec.hpp"
#include "image/total_pixel_matrix.hpp"
#include "index/instance_reader.hpp"
#include "pixel/transform.hpp"
#include "seg/segmentation.hpp"
#include "volume/geometry.hpp"
#include "volume/planes.hpp"
#include "wsi/pyramid.hpp"

namespace lazydcm::glue {

instance_options instance_options_from(const val& o);
val summary_value(const instance_reader& r);  // the `lazydcm info` summary

// {realWorld, modality, voi, palette: true | false | null (if present), voiIndex, voiMin, voiMax,
//  presentation, ybrToRgb}
transform_options transform_options_from(const val& o);
plane_selection plane_selection_from(int focal_plane, int optical_path);  // -1: no selection
std::vector<std::array<int64_t, 4>> boxes_from(const val& boxes);         // [[r0, r1, c0, c1]...]

// {slices, rows, columns, sliceSpacing, pixelSpacing, affine, sliceOf}
val geometry_value(const volume_geometry& g);
volume_geometry geometry_from(const val& o);
volume_options volume_options_from(const val& o);
val series_member_value(const series_member& m);
series_member series_member_from(const val& o);

val segmentation_value(const segmentation_info& s);
segment_filter segment_filter_from(const val& o);
seg_volume_request seg_request_from(const val& o);
val seg_plan_value(const seg_volume& v);  // {frames, shape, dtype, geometry, segmentNumbers}

val wsi_image_value(const wsi_image& w);
wsi_image wsi_image_from(const val& o);
val pyramid_value(const wsi_pyramid& p);
patch_grid_options patch_grid_options_from(const val& o);

}  // namespace lazydcm::glue
