// The checker's reader of COCO's compressed RLE, written from pycocotools (not from our writer).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace synthlabel {

// pycocotools' compressed RLE string -> run lengths (rleFrString): 5 bits a character, offset by 48,
// bit 5 continues, the last chunk's bit 4 is the sign; from the third count on, each is stored as
// the difference to the count two before. Returns false on a malformed string.
inline bool decode_rle(const std::string& s, std::vector<std::int64_t>& counts) {
  counts.clear();
  std::size_t p = 0;
  while (p < s.size()) {
    std::int64_t x = 0;
    int k = 0;
    bool more = true;
    while (more) {
      if (p >= s.size() || k > 12) return false;
      const int c = static_cast<unsigned char>(s[p]) - 48;
      if (c < 0 || c > 63) return false;
      x |= static_cast<std::int64_t>(c & 0x1f) << (5 * k);
      more = (c & 0x20) != 0;
      ++p;
      ++k;
      if (!more && (c & 0x10)) x |= -(std::int64_t{1} << (5 * k));
    }
    if (counts.size() > 2) x += counts[counts.size() - 2];
    if (x < 0) return false;
    counts.push_back(x);
  }
  return true;
}

}  // namespace synthlabel
