#include "index/instance_reader.hpp"

namespace lazydcm {

using nlohmann::json;

instance_reader::instance_reader(uint64_t file_size, instance_options options)
    : opt_(options), reader_(file_size, options.parse) {}

result<std::unique_ptr<instance_reader>> instance_reader::from_metadata(dataset body, const std::string& transfer_syntax_uid) {
  auto r = std::make_unique<instance_reader>(0);
  parsed_file& f = r->reader_.result();
  f.body = std::move(body);
  f.has_meta = false;
  r->header_done_ = true;
  const element* px = nullptr;
  for (tag_t t : {tags::pixel_data, tags::float_pixel_data, tags::double_float_pixel_data})
    if ((px = f.body.find(t))) break;
  f.pixel.present = px != nullptr || f.body.find(tags::rows) != nullptr;
  f.pixel.tag = px ? px->tag : tags::pixel_data;
  r->set_transfer_syntax(transfer_syntax_uid);
  if (!f.pixel.present) return r;
  auto image = read_image_info(f.body, f.pixel);
  if (!image) return image.err();
  frame_index index;
  index.kind = index_kind::frames_by_number;
  index.frames.resize(size_t(image->number_of_frames));
  index.notes.push_back("frames fetched by number (DICOMweb)");
  r->by_number_ = std::move(index);
  return r;
}

void instance_reader::set_transfer_syntax(const std::string& uid) {
  parsed_file& f = reader_.result();
  f.declared_transfer_syntax = uid;
  f.syntax = lookup_transfer_syntax(uid.empty() ? std::string(uids::explicit_vr_le) : uid);
  f.pixel.encapsulated = f.syntax.encapsulated;
  // A server that decompresses a YBR_FULL_422 JPEG for us sends full RGB samples (Orthanc/DCMTK,
  // GDCM): the metadata still names the stored, subsampled colour space.
  if (by_number_ && !f.syntax.encapsulated && f.body.string(tags::photometric_interpretation).value_or("") == "YBR_FULL_422") {
    if (element* pi = f.body.find(tags::photometric_interpretation)) {
      pi->value = {'R', 'G', 'B', ' '};
      pi->length = 4;
      f.warnings.push_back("frames transcoded to " + f.syntax.uid + ": YBR_FULL_422 read as RGB (what decompressing servers send)");
    }
  }
}

parse_status instance_reader::step() {
  if (!header_done_) {
    parse_status s = reader_.step();
    if (s == parse_status::need_bytes) need_ = reader_.need();
    if (s != parse_status::done) return s;
    header_done_ = true;
    if (!opt_.build_index || !reader_.result().pixel.present) return parse_status::done;
    indexer_ = std::make_unique<frame_indexer>(reader_.result(),
                                               reader_.result().pixel.in_inflated_stream ? reader_.inflated_bytes()
                                                                                         : reader_.file_bytes(),
                                               opt_.index);
  }
  if (!indexer_ || index_error_) return parse_status::done;
  parse_status s = indexer_->step();
  if (!reader_.result().pixel.in_inflated_stream) {
    // Pixel bytes the index has read are dropped from memory (a scan of a 2 GB slide holds one
    // batch at a time); the caller keeps what it wants of them (frames seeded into its cache).
    const uint64_t first = indexer_->result().first_fragment_offset;
    if (s == parse_status::need_bytes && indexer_->scanned_until() > first)
      reader_.forget_file_bytes(first, indexer_->scanned_until());
    else if (s == parse_status::done && first > 0)
      reader_.forget_file_bytes(first, reader_.result().file_size);
  }
  if (s == parse_status::need_bytes) need_ = indexer_->need();
  if (s == parse_status::failed) {
    index_error_ = indexer_->failure();
    return parse_status::done;  // the header is still good; the index error is reported with it
  }
  return s;
}

bool instance_reader::reindex(const std::string& why) {
  if (!indexer_ || index_error_ || !header_done_) return false;
  frame_index& old = indexer_->result();
  index_options& o = opt_.index;
  const char* table = nullptr;
  switch (old.kind) {
    case index_kind::extended_offset_table: o.use_extended_offset_table = false; table = "Extended Offset Table"; break;
    case index_kind::basic_offset_table: o.use_basic_offset_table = false; table = "Basic Offset Table"; break;
    case index_kind::tiff_tile_table: o.use_tiff = false; table = "TIFF tile table"; break;
    default: return false;
  }
  std::vector<std::string> notes = std::move(old.notes);
  const uint64_t bytes_read = old.bytes_read;
  notes.push_back(std::string(table) + " ignored: " + why + "; re-indexed");
  indexer_ = std::make_unique<frame_indexer>(reader_.result(), reader_.result().pixel.in_inflated_stream ? reader_.inflated_bytes()
                                                                                                          : reader_.file_bytes(),
                                             opt_.index);
  indexer_->result().notes = std::move(notes);
  indexer_->result().bytes_read = bytes_read;
  return true;
}

json instance_reader::summary() const {
  const parsed_file& f = reader_.result();
  const dataset& ds = f.body;
  json j;
  auto str = [&](tag_t t) -> json {
    auto v = ds.string(t);
    return v ? json(*v) : json(nullptr);
  };
  auto num = [&](tag_t t) -> json {
    auto v = ds.integer(t);
    return v ? json(*v) : json(nullptr);
  };
  j["fileSize"] = f.file_size;
  j["preamble"] = f.has_preamble;
  j["metaHeader"] = f.has_meta;
  j["sopClassUid"] = str(tags::sop_class_uid);
  const char* sop_name = uid_name(ds.string(tags::sop_class_uid).value_or(""));
  j["sopClassName"] = *sop_name ? json(sop_name) : json(nullptr);
  j["sopInstanceUid"] = str(tags::sop_instance_uid);
  if (by_number_ && f.declared_transfer_syntax.empty()) {  // DICOMweb metadata without it: the frames will say
    j["transferSyntaxUid"] = "";
    j["transferSyntaxName"] = "not known until frames are fetched";
    j["transferSyntaxKnown"] = false;
  } else {
    j["transferSyntaxUid"] = f.syntax.uid;
    j["transferSyntaxName"] = f.syntax.name;
    j["transferSyntaxKnown"] = f.syntax.known;
  }
  j["rows"] = num(tags::rows);
  j["columns"] = num(tags::columns);
  j["numberOfFrames"] = ds.find(tags::number_of_frames) ? num(tags::number_of_frames) : json(f.pixel.present ? 1 : 0);
  j["samplesPerPixel"] = num(tags::samples_per_pixel);
  j["bitsAllocated"] = num(tags::bits_allocated);
  j["bitsStored"] = num(tags::bits_stored);
  j["pixelRepresentation"] = num(tags::pixel_representation);
  j["photometricInterpretation"] = str(tags::photometric_interpretation);
  j["totalPixelMatrixRows"] = num(tags::total_pixel_matrix_rows);
  j["totalPixelMatrixColumns"] = num(tags::total_pixel_matrix_columns);
  j["elements"] = ds.deep_size();
  json px = nullptr;
  if (f.pixel.present) {
    px = json::object();
    px["tag"] = tag_hex(f.pixel.tag);
    px["offset"] = f.pixel.element_offset;
    px["valueOffset"] = f.pixel.value_offset;
    px["encapsulated"] = f.pixel.encapsulated;
    if (!f.pixel.encapsulated) px["length"] = f.pixel.length;
    px["inInflatedStream"] = f.pixel.in_inflated_stream;
  }
  j["pixelData"] = px;
  json idx = nullptr;
  if (const frame_index* index = this->index(); index && !index_error_) {
    idx = json::object();
    idx["kind"] = index_kind_name(index->kind);
    idx["frames"] = index->frames.size();
    idx["notes"] = index->notes;
    idx["bytesRead"] = index->bytes_read;
  }
  j["frameIndex"] = idx;
  if (index_error_) {
    j["frameIndexError"] = {{"code", int(index_error_->code)},
                            {"name", errc_name(index_error_->code)},
                            {"offset", index_error_->has_offset() ? json(index_error_->offset) : json(nullptr)},
                            {"message", index_error_->message}};
  }
  j["warnings"] = f.warnings;
  return j;
}

json_result instance_reader::dicom_json(const json_options& options) const {
  return to_json(reader_.result().body, options);
}

}  // namespace lazydcm
