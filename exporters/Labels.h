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

// The label of one id whose pixels all lie in the box [x, x + w) x [y, y + h): only the box is read,
// every pixel outside it counts as 0. Equal to extract_instance_labels' entry for that id on the same
// buffer with zeros outside the box (area 0 and no counts when the id has no pixel there).
// The part of an instance's unoccluded silhouette that lies outside the image, from a render of it
// alone on a canvas three times the image's width and height with the image in its middle (what the
// BOP toolkit's calc_gt_info renders to count px_count_all and bound bbox_obj). Coordinates are the
// image's (negative left of and above it); bounds inclusive, meaningful when pixels > 0.
struct SilhouetteBeyond {
  std::uint32_t instance_id = 0;
  std::uint64_t pixels = 0;  // canvas pixels of the instance outside the image
  std::int64_t x0 = 0, y0 = 0, x1 = -1, y1 = -1;
};

InstanceLabel extract_instance_label_in_box(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                            std::uint32_t id, std::uint32_t x, std::uint32_t y, std::uint32_t w,
                                            std::uint32_t h);

}  // namespace synthlabel
