// The bound Instance: one DICOM instance's header and frame index, driven sans-IO by TypeScript
// (step / need / feed), and what the header alone tells (summary, DICOM JSON, series member,
// slide image, ICC profile, the frames regions need). Pixels (pixels.cpp) work on it.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "glue.hpp"
#include "index/instance_reader.hpp"

namespace lazydcm::glue {

class instance {
 public:
  instance(double file_size, val options);
  // From DICOM JSON metadata (DICOMweb), frames fetched by number; the transfer syntax may be ""
  // until frames say it. Fails (last error) on invalid metadata.
  static instance* fromMetadata(std::string json_text, std::string transfer_syntax);

  val inputBuffer(size_t n);  // borrowed: write the bytes, then feedInput
  void feedInput(double offset, size_t n);
  int step();                 // 0 done, 1 needs need() bytes; fails on a header error
  val need() const;           // {offset, length}
  bool reindex(std::string why);
  // The persistent cache: the index as bytes (borrowed; empty when none is kept), and back from
  // the input buffer's first n bytes after a header read with buildIndex false (false + last error
  // when they do not fit); buildIndex() then builds it as usual.
  val indexSnapshot();
  bool restoreIndex(size_t n);
  void buildIndex();
  void setTransferSyntax(std::string uid);

  val summary() const;
  std::string datasetJson() const;  // {dataset, warnings}: DICOM JSON, the one document that crosses as JSON
  val frameTable() const;           // borrowed frame_location array (layout: frameTableLayout)
  static val frameTableLayout();
  val seriesMember(std::string name) const;
  val wsiImage(std::string name) const;
  val iccProfile(size_t optical_path) const;  // {present, bulk, offset, length, bulkUri}
  val iccView(size_t optical_path) const;     // borrowed
  val regionFrames(val boxes, int focal_plane, int optical_path) const;

  instance_reader& reader() { return *r_; }
  const std::vector<uint8_t>& input() const { return input_; }

 private:
  instance() = default;
  std::unique_ptr<instance_reader> r_;
  std::vector<uint8_t> input_;
  std::vector<uint8_t> snapshot_;
};

}  // namespace lazydcm::glue
