// Frame descriptions, decode options and decode reports <-> JavaScript (frame_values.cpp).
#pragma once
#include "codec/codec.hpp"
#include "glue.hpp"

namespace lazydcm::glue {

// {rows, columns, samplesPerPixel, bitsAllocated, bitsStored, pixelRepresentation, planarConfiguration,
//  photometricInterpretation, bitOffset, bigEndian, floatData}
val frame_info_value(const frame_info& f);
frame_info frame_info_from(const val& o);
decode_options decode_options_from(const val& o);  // {reduce, rgb}
// {rows, columns, samplesPerPixel, bitsAllocated, photometricInterpretation, decoder}
val report_value(const decode_report& r);
decode_report report_from(const val& o);

}  // namespace lazydcm::glue
