// Stored frames: from the bytes of a frame's range (as indexed) to decoded stored values.
#pragma once
#include <vector>

#include "codec/codec.hpp"
#include "index/frame_index.hpp"

namespace lazydcm {

// The description a codec needs for frame `i` of a file.
frame_info make_frame_info(const parsed_file& file, const image_info& image, const frame_location& loc);

// Decodes frame `i` (0-based) from the bytes of its indexed range into `out` (resized), in the
// layout of codec.hpp. `range` holds exactly loc.length bytes starting at loc.offset.
error decode_stored_frame(const parsed_file& file, const image_info& image, const frame_location& loc,
                          const uint8_t* range, size_t size, std::vector<uint8_t>& out, decode_report& report,
                          const decode_options& options = {});

// The raw (still encoded) bytes of a frame: fragments joined, item headers removed.
error raw_frame(const frame_location& loc, const uint8_t* range, size_t size, std::vector<uint8_t>& out);

}  // namespace lazydcm
