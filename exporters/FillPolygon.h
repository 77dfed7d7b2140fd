// Polygons for formats whose readers fill them with OpenCV's cv2.fillPoly: YOLO segmentation, read
// by Ultralytics (ultralytics/data/utils.py polygon2mask: the normalized points times the image size,
// cast to int32, then cv2.fillPoly on a mask of the image's size).
//
// OpenCV puts pixel (u, v)'s centre at integer (u, v) and paints every pixel on a polygon's edges
// plus those inside by the even-odd rule. So `fillpoly_polygon` walks through pixel centres: the
// outer boundary pixels of each 8-connected part of the mask (Moore tracing), and the ring of mask
// pixels around each hole (4-connected background not connected to the outside), joined into one
// polygon by L-shaped bridges (horizontal from the outer loop, then vertical), each walked back along
// the same L; edges run along the axes except where pixels meet at a corner only (FillPolygon.cpp
// says why). Filled by OpenCV:
// - one 8-connected part without holes: exactly the mask;
// - holes: excluded exactly (a ring traced through the mask pixels around the hole excludes it by
//   the even-odd rule; its bridge runs through the mask where the part is thick);
// - several parts: the mask plus the background pixels a bridge crosses (at least the parts'
//   Manhattan distance - 1 each): a format with one polygon per object cannot avoid some.
// Writers print a vertex (u, v) as ((u + 0.5) / W, (v + 0.5) / H): the pixel centre in continuous
// coordinates, which Ultralytics' int32 cast brings back to (u, v) whatever the rounding of 6 decimals.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace synthlabel {

// One polygon (flattened u, v pixel indices; at least 3 points) for the pixels of `ids` (row-major,
// width x height) equal to `id`, all within the box [x, x + w) x [y, y + h). Empty when none.
std::vector<std::int32_t> fillpoly_polygon(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                           std::uint32_t id, std::uint32_t x, std::uint32_t y, std::uint32_t w,
                                           std::uint32_t h);

// What cv2.fillPoly paints for `xy` (pixel-index vertices) on a width x height mask: pixels on the
// edges and inside by the even-odd rule (row-major, 0/1). Exact for edges that are horizontal,
// vertical or diagonal (all that fillpoly_polygon writes); other edges are walked by rounding.
std::vector<std::uint8_t> fillpoly_rasterize(std::span<const std::int32_t> xy, std::uint32_t width, std::uint32_t height);

}  // namespace synthlabel
