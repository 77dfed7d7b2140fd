// Exact polygons of an instance mask, for COCO polygons and YOLO segmentation.
//
// The polygons follow pixel edges: every vertex is a pixel corner (integer coordinates, pixel (u, v)
// spans [u, u+1) x [v, v+1)), so a pixel is inside exactly when its centre (u + 0.5, v + 0.5) is
// inside by the even-odd rule. No centre lies on an edge, which makes that test unambiguous, and
// pycocotools' polygon rasterizer (which samples columns at their centres) gives the same mask.
//
// `trace_loops` returns each boundary loop, outer boundaries clockwise on screen (v grows downwards)
// and holes counter-clockwise; pixels touching only at a corner belong to different loops.
// `bridged_polygon` joins loops into one polygon by zero-width bridges along pixel edges, each
// walked there and back, so the even-odd fill of the single polygon is still exactly the mask (what
// a format with one polygon per object, such as YOLO segmentation, needs).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace synthlabel {

struct PolygonLoop {
  std::vector<std::int32_t> xy;  // x0, y0, x1, y1, ...: corners where the boundary turns
  std::int64_t twice_area = 0;   // signed shoelace area x 2: > 0 for outer loops, < 0 for holes
};

// Loops of the pixels of `ids` (row-major, width x height) equal to `id`, searched within the box
// [x, x + w) x [y, y + h) (the instance's tight box; pixels outside it must not hold `id`).
std::vector<PolygonLoop> trace_loops(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                     std::uint32_t id, std::uint32_t x, std::uint32_t y, std::uint32_t w, std::uint32_t h);

// All loops as one polygon (flattened x, y), joined by bridges walked both ways.
std::vector<std::int32_t> bridged_polygon(const std::vector<PolygonLoop>& loops);

// COCO `segmentation` polygons: one per loop when there are no holes (their union is the mask);
// else the single bridged polygon (pycocotools unions the polygons of an annotation, which would
// fill the holes).
std::vector<std::vector<std::int32_t>> coco_polygons(const std::vector<PolygonLoop>& loops);

}  // namespace synthlabel
