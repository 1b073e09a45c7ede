// DICOM JSON metadata in (a DICOMweb server's answer): the dataset, an instance known by its
// metadata whose frames come by number, its summary and its DICOM JSON out again.
#include <string>

#include "index/instance_reader.hpp"

using namespace lazydcm;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto ds = from_json_text(std::string(reinterpret_cast<const char*>(data), size));
  if (!ds) return 0;
  auto r = instance_reader::from_metadata(std::move(ds.value()), size % 2 ? "1.2.840.10008.1.2.4.50" : "");
  if (!r) return 0;
  (void)r.value()->step();
  (void)r.value()->summary();
  (void)r.value()->dicom_json();
  return 0;
}
