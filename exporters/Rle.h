// COCO run-length encoding, exactly as pycocotools encodes it (cocoapi common/maskApi.c, rleToString):
// counts alternate runs of 0s and 1s over the mask in column-major order (down each column, then the
// next column), starting with a (possibly empty) run of 0s; the string form stores each count as
// 5-bit groups with a continuation bit (ASCII 48..111), counts from the third on as differences to
// the count two before.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace synthlabel {

std::string rle_counts_to_string(const std::vector<std::uint32_t>& counts);

}  // namespace synthlabel
