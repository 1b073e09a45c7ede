// The DICOM JSON model (PS3.18 F.2): a dataset out to JSON, and JSON (e.g. DICOMweb metadata)
// in to a dataset.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "dicom/dataset.hpp"

namespace lazydcm {

struct json_options {
  // Binary values up to this size are written inline (base64); larger or unread ones get a
  // BulkDataURI made by bulk_uri (default: "#offset=<value offset>&length=<length>", relative
  // to the source, which the TypeScript layer resolves against the file's URL).
  size_t max_inline_binary = 1024;
  std::function<std::string(const element&)> bulk_uri;
  bool include_pixel_data_uri = true;
};

struct json_result {
  nlohmann::json json;
  std::vector<std::string> warnings;  // e.g. an unsupported Specific Character Set
};

json_result to_json(const dataset& ds, const json_options& options = {});
// Values are stored little-endian; text as UTF-8 (the dataset is marked so in its own
// Specific Character Set handling: from_json sets (0008,0005) to ISO_IR 192 when text is present).
result<dataset> from_json(const nlohmann::json& j);
result<dataset> from_json_text(const std::string& text);

std::string base64_encode(const uint8_t* data, size_t size);
result<std::vector<uint8_t>> base64_decode(const std::string& text);

}  // namespace lazydcm
