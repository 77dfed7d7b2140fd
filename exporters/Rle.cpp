#include "exporters/Rle.h"

namespace synthlabel {

std::string rle_counts_to_string(const std::vector<std::uint32_t>& counts) {
  std::string s;
  s.reserve(counts.size() * 2);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    std::int64_t x = counts[i];
    if (i > 2) x -= counts[i - 2];
    bool more = true;
    while (more) {
      auto c = static_cast<char>(x & 0x1f);
      x >>= 5;  // arithmetic shift: negative differences keep their sign
      more = (c & 0x10) ? x != -1 : x != 0;
      if (more) c = static_cast<char>(c | 0x20);
      s.push_back(static_cast<char>(c + 48));
    }
  }
  return s;
}

}  // namespace synthlabel
