#include "core/bytes.hpp"

#include <algorithm>
#include <iterator>

namespace lazydcm {

void byte_store::add(uint64_t offset, const uint8_t* data, size_t size) {
  if (size == 0) return;
  const uint64_t end = offset + size;
  // Chunks overlapping or touching [offset, end] are merged into one.
  auto first = chunks_.upper_bound(offset);
  if (first != chunks_.begin()) {
    auto prev = std::prev(first);
    if (prev->first + prev->second.size() >= offset) first = prev;
  }
  auto last = first;
  while (last != chunks_.end() && last->first <= end) ++last;
  if (first == last) {
    bytes_held_ += size;
    chunks_.emplace(offset, std::vector<uint8_t>(data, data + size));
    return;
  }
  const uint64_t new_start = std::min(offset, first->first);
  auto before_last = std::prev(last);
  const uint64_t new_end = std::max(end, before_last->first + before_last->second.size());
  for (auto it = first; it != last; ++it) bytes_held_ -= it->second.size();
  const bool reuse_first = first->first == new_start;  // common case: appending to a chunk
  std::vector<uint8_t> merged;
  if (reuse_first) merged = std::move(first->second);
  merged.resize(size_t(new_end - new_start));
  for (auto it = reuse_first ? std::next(first) : first; it != last; ++it)
    std::memcpy(merged.data() + (it->first - new_start), it->second.data(), it->second.size());
  std::memcpy(merged.data() + (offset - new_start), data, size);
  chunks_.erase(first, last);
  bytes_held_ += merged.size();
  chunks_.emplace(new_start, std::move(merged));
}

const uint8_t* byte_store::view(uint64_t offset, uint64_t length) const {
  auto it = chunks_.upper_bound(offset);
  if (it == chunks_.begin()) return nullptr;
  --it;
  uint64_t cend = it->first + it->second.size();
  if (offset + length > cend) return nullptr;
  return it->second.data() + (offset - it->first);
}

bool byte_store::has(uint64_t offset, uint64_t length) const {
  return length == 0 || view(offset, length) != nullptr;
}

uint64_t byte_store::held_until(uint64_t offset) const {
  auto it = chunks_.upper_bound(offset);
  if (it == chunks_.begin()) return offset;
  --it;
  uint64_t cend = it->first + it->second.size();
  return cend > offset ? cend : offset;
}

void byte_store::erase(uint64_t from, uint64_t to) {
  if (to <= from) return;
  auto it = chunks_.upper_bound(from);
  if (it != chunks_.begin()) --it;
  while (it != chunks_.end() && it->first < to) {
    const uint64_t start = it->first, end = start + it->second.size();
    if (end <= from) { ++it; continue; }
    std::vector<uint8_t> chunk = std::move(it->second);
    bytes_held_ -= chunk.size();
    it = chunks_.erase(it);
    if (start < from) {  // keep the part before
      bytes_held_ += from - start;
      chunks_.emplace(start, std::vector<uint8_t>(chunk.begin(), chunk.begin() + ptrdiff_t(from - start)));
    }
    if (end > to) {  // and the part after
      bytes_held_ += end - to;
      it = chunks_.emplace(to, std::vector<uint8_t>(chunk.begin() + ptrdiff_t(to - start), chunk.end())).first;
      ++it;
    }
  }
}

}  // namespace lazydcm
