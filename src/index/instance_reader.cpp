#include "index/instance_reader.hpp"

namespace lazydcm {

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
  ++image_generation_;
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
  }
  if (!indexer_ && !by_number_) {
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

bool instance_reader::restore_index(const uint8_t* data, size_t size) {
  restore_error_.reset();
  const parsed_file& f = reader_.result();
  auto refuse = [&](std::string why) {
    restore_error_ = make_error(errc::invalid_argument, error::no_offset, "index snapshot: " + why);
    return false;
  };
  if (!header_done_ || indexer_ || by_number_) return refuse("the header is not read, or an index is there already");
  if (!f.pixel.present || f.pixel.in_inflated_stream) return refuse("no pixel data to index in the file's own bytes");
  auto index = load_index(data, size, f.file_size);
  if (!index) return refuse(index.err().message);
  auto image = read_image_info(f.body, f.pixel);
  if (!image) return refuse("the header's image attributes: " + image.err().message);
  if (index->frames.size() != uint64_t(image->number_of_frames))
    return refuse(std::to_string(index->frames.size()) + " frames, the header says " + std::to_string(image->number_of_frames));
  const bool native = index->kind == index_kind::native;
  if (native == f.pixel.encapsulated) return refuse("a " + std::string(index_kind_name(index->kind)) + " index for this pixel data");
  index->notes.push_back("index restored from the persistent cache");
  indexer_ = std::make_unique<frame_indexer>(f, reader_.file_bytes(), opt_.index);
  indexer_->adopt(std::move(index.value()));
  return true;
}

std::vector<uint8_t> instance_reader::index_snapshot() const {
  const parsed_file& f = reader_.result();
  if (!indexer_ || index_error_ || by_number_ || f.pixel.in_inflated_stream) return {};
  std::vector<uint8_t> out = save_index(indexer_->result(), f.file_size);
  return out;
}

instance_summary instance_reader::summary() const {
  const parsed_file& f = reader_.result();
  const dataset& ds = f.body;
  instance_summary s;
  auto str = [&](tag_t t) -> std::optional<std::string> {
    auto v = ds.string(t);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
  };
  auto num = [&](tag_t t) -> std::optional<int64_t> {
    auto v = ds.integer(t);
    return v ? std::optional<int64_t>(int64_t(*v)) : std::nullopt;
  };
  s.file_size = f.file_size;
  s.preamble = f.has_preamble;
  s.meta_header = f.has_meta;
  s.sop_class_uid = str(tags::sop_class_uid);
  if (const char* sop_name = uid_name(ds.string(tags::sop_class_uid).value_or("")); *sop_name) s.sop_class_name = sop_name;
  s.sop_instance_uid = str(tags::sop_instance_uid);
  if (by_number_ && f.declared_transfer_syntax.empty()) {  // DICOMweb metadata without it: the frames will say
    s.transfer_syntax_name = "not known until frames are fetched";
  } else {
    s.transfer_syntax_uid = f.syntax.uid;
    s.transfer_syntax_name = f.syntax.name;
    s.transfer_syntax_known = f.syntax.known;
  }
  s.rows = num(tags::rows);
  s.columns = num(tags::columns);
  s.number_of_frames = ds.find(tags::number_of_frames) ? num(tags::number_of_frames) : std::optional<int64_t>(f.pixel.present ? 1 : 0);
  s.samples_per_pixel = num(tags::samples_per_pixel);
  s.bits_allocated = num(tags::bits_allocated);
  s.bits_stored = num(tags::bits_stored);
  s.pixel_representation = num(tags::pixel_representation);
  s.photometric_interpretation = str(tags::photometric_interpretation);
  s.total_pixel_matrix_rows = num(tags::total_pixel_matrix_rows);
  s.total_pixel_matrix_columns = num(tags::total_pixel_matrix_columns);
  s.elements = ds.deep_size();
  if (f.pixel.present) {
    s.pixel = instance_summary::pixel_data{};
    instance_summary::pixel_data& px = *s.pixel;
    px.tag = tag_hex(f.pixel.tag);
    px.offset = f.pixel.element_offset;
    px.value_offset = f.pixel.value_offset;
    px.encapsulated = f.pixel.encapsulated;
    if (!f.pixel.encapsulated) px.length = f.pixel.length;
    px.in_inflated_stream = f.pixel.in_inflated_stream;
  }
  if (const frame_index* index = this->index(); index && !index_error_)
    s.index = instance_summary::index_summary{index_kind_name(index->kind), index->frames.size(), index->bytes_read, index->notes};
  s.index_error = index_error_;
  s.warnings = f.warnings;
  return s;
}

json_result instance_reader::dicom_json(const json_options& options) const {
  return to_json(reader_.result().body, options);
}

}  // namespace lazydcm
