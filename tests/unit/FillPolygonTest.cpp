// exporters/FillPolygon: the polygon through pixel centres, filled the way cv2.fillPoly fills it
// (fillpoly_rasterize; tests/python/test_yolo_seg_opencv.py ties both to OpenCV itself), gives back
// every mask pixel, and exactly the mask for one 8-connected part, holes and all.
#include <gtest/gtest.h>

#include <random>

#include "exporters/FillPolygon.h"

namespace synthlabel {
namespace {

// Parts (8-connectivity) and holes (4-connected background not reaching the border) of a mask.
void count_parts_and_holes(const std::vector<std::uint32_t>& ids, std::uint32_t w, std::uint32_t h, int& parts, int& holes) {
  const std::uint32_t pw = w + 2, ph = h + 2;
  std::vector<int> fg(std::size_t{pw} * ph, 0), label(fg.size(), 0);
  for (std::uint32_t y = 0; y < h; ++y)
    for (std::uint32_t x = 0; x < w; ++x) fg[(y + 1) * pw + x + 1] = ids[y * w + x] == 1;
  parts = holes = 0;
  int regions = 0;
  for (std::uint32_t s = 0; s < fg.size(); ++s) {
    if (label[s]) continue;
    const bool f = fg[s];
    f ? ++parts : ++regions;
    std::vector<std::uint32_t> stack{s};
    label[s] = 1;
    while (!stack.empty()) {
      const std::uint32_t c = stack.back();
      stack.pop_back();
      const int cx = int(c % pw), cy = int(c / pw);
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          if (!f && dx != 0 && dy != 0) continue;  // background: 4-connected
          const int x = cx + dx, y = cy + dy;
          if (x < 0 || y < 0 || x >= int(pw) || y >= int(ph)) continue;
          const std::uint32_t n = std::uint32_t(y) * pw + std::uint32_t(x);
          if (label[n] || fg[n] != f) continue;
          label[n] = 1;
          stack.push_back(n);
        }
    }
  }
  holes = regions - 1;
}

TEST(FillPolygon, OpenCvFillGivesTheMaskBackExactlyForOnePartWithOrWithoutHoles) {
  std::mt19937 rng(7);  // 32-bit results
  int exact = 0, others = 0, with_holes = 0;
  for (int t = 0; t < 20000; ++t) {
    const auto w = static_cast<std::uint32_t>(1 + rng() % 14), h = static_cast<std::uint32_t>(1 + rng() % 14);
    const double density = 0.2 + 0.7 * double(rng() % 1000) / 1000.0;
    std::vector<std::uint32_t> ids(std::size_t{w} * h);
    std::uint32_t x0 = w, y0 = h, x1 = 0, y1 = 0;
    for (std::uint32_t y = 0; y < h; ++y)
      for (std::uint32_t x = 0; x < w; ++x) {
        ids[y * w + x] = double(rng() % 1000) / 1000.0 < density ? 1u : 2u;
        if (ids[y * w + x] == 1) x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
      }
    if (x1 < x0) continue;
    const auto poly = fillpoly_polygon(ids, w, h, 1, x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    ASSERT_GE(poly.size(), 6u);
    const auto fill = fillpoly_rasterize(poly, w, h);
    int parts = 0, holes = 0;
    count_parts_and_holes(ids, w, h, parts, holes);
    for (std::size_t p = 0; p < ids.size(); ++p) {
      if (ids[p] == 1) {
        ASSERT_EQ(fill[p], 1) << "mask pixel left out, trial " << t;
      } else if (parts == 1) {
        ASSERT_EQ(fill[p], 0) << "extra pixel, trial " << t;
      }
    }
    parts == 1 ? ++exact : ++others;
    with_holes += parts == 1 && holes > 0;
  }
  EXPECT_GT(exact, 300);
  EXPECT_GT(others, 300);
  EXPECT_GT(with_holes, 100) << "one-part masks with holes, filled exactly";
}

TEST(FillPolygon, RasterizePaintsEdgesAndTheInside) {
  // A 3 x 3 square through pixel centres (1, 1) .. (3, 3): its 9 pixels, as cv2.fillPoly paints them.
  const std::vector<std::int32_t> square = {1, 1, 3, 1, 3, 3, 1, 3};
  const auto m = fillpoly_rasterize(square, 5, 5);
  for (std::uint32_t y = 0; y < 5; ++y)
    for (std::uint32_t x = 0; x < 5; ++x) EXPECT_EQ(m[y * 5 + x], (x >= 1 && x <= 3 && y >= 1 && y <= 3) ? 1 : 0) << x << "," << y;
}

}  // namespace
}  // namespace synthlabel
