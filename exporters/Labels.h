// Per-instance labels derived from the instance-id buffer alone (never from geometry), in one
// column-major pass over the buffer: for every id at once, the COCO RLE counts, the pixel count
// (area) and the tight box of its pixels.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"

namespace synthlabel {

struct InstanceLabel {
  std::uint32_t instance_id = 0;
  std::uint64_t area = 0;                  // number of pixels holding this id
  std::uint32_t x = 0, y = 0, w = 0, h = 0;  // tight box: pixels x..x+w-1, y..y+h-1
  std::vector<std::uint32_t> rle_counts;   // pycocotools order: column-major, zeros first
};

// `ids` is row-major width x height. Ids above `max_id` are an error. Returns the visible ids
// (area > 0) in increasing id order.
Result<std::vector<InstanceLabel>> extract_instance_labels(std::span<const std::uint32_t> ids, std::uint32_t width,
                                                           std::uint32_t height, std::uint32_t max_id);

}  // namespace synthlabel
