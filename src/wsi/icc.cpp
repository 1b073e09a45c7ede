#include "wsi/icc.hpp"

namespace lazydcm {

const element* find_icc_profile(const dataset& ds, size_t optical_path) {
  if (const element* seq = ds.find(tags::optical_path_sequence); seq && optical_path < seq->items.size())
    if (const element* e = seq->items[optical_path].find(tags::icc_profile)) return e;
  return ds.find(tags::icc_profile);
}

}  // namespace lazydcm
