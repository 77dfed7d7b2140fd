// Mask -> polygon tracing: filled by the even-odd rule at pixel centres, the polygons give back
// exactly the mask's pixels, for random masks with holes, islands in holes and pixels touching
// only at corners. The fill below is written here (crossing count), independent of the tracer.
#include <gtest/gtest.h>

#include <random>

#include "exporters/Polygons.h"

namespace synthlabel {
namespace {

// Even-odd: is (px, py) inside polygon `xy`?
bool inside(const std::vector<std::int32_t>& xy, double px, double py) {
  bool in = false;
  const std::size_t n = xy.size() / 2;
  for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
    const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
    if ((yi > py) != (yj > py) && px < (xj - xi) * (py - yi) / (yj - yi) + xi) in = !in;
  }
  return in;
}

struct Box {
  std::uint32_t x = 0, y = 0, w = 0, h = 0;
};
Box tight_box(const std::vector<std::uint32_t>& ids, std::uint32_t W, std::uint32_t H, std::uint32_t id) {
  std::uint32_t x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (std::uint32_t y = 0; y < H; ++y) {
    for (std::uint32_t x = 0; x < W; ++x) {
      if (ids[y * W + x] != id) continue;
      x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
    }
  }
  return x1 < x0 ? Box{} : Box{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

// Every check on the polygons of `id` in `ids`.
void expect_exact(const std::vector<std::uint32_t>& ids, std::uint32_t W, std::uint32_t H, std::uint32_t id) {
  const Box b = tight_box(ids, W, H, id);
  const auto loops = trace_loops(ids, W, H, id, b.x, b.y, b.w, b.h);
  std::int64_t pixels = 0, twice_area = 0;
  for (auto v : ids) pixels += v == id;
  for (const auto& l : loops) {
    twice_area += l.twice_area;
    ASSERT_GE(l.xy.size(), 8u) << "a loop has at least 4 corners";
    for (std::size_t k = 0; k < l.xy.size(); k += 2) {
      ASSERT_GE(l.xy[k], std::int32_t(b.x));
      ASSERT_LE(l.xy[k], std::int32_t(b.x + b.w));
      ASSERT_GE(l.xy[k + 1], std::int32_t(b.y));
      ASSERT_LE(l.xy[k + 1], std::int32_t(b.y + b.h));
    }
  }
  EXPECT_EQ(twice_area, 2 * pixels) << "outer areas minus holes = the pixel count";
  const auto bridged = bridged_polygon(loops);
  const auto coco = coco_polygons(loops);
  for (std::size_t k = 0; k + 3 < bridged.size(); k += 2) {
    ASSERT_FALSE(bridged[k] == bridged[k + 2] && bridged[k + 1] == bridged[k + 3]) << "repeated corner";
  }
  for (std::uint32_t y = 0; y < H; ++y) {
    for (std::uint32_t x = 0; x < W; ++x) {
      const bool want = ids[y * W + x] == id;
      ASSERT_EQ(inside(bridged, x + 0.5, y + 0.5), want) << "bridged polygon, id " << id << " pixel " << x << "," << y;
      bool any = false;  // pycocotools unions an annotation's polygons
      for (const auto& p : coco) any = any || inside(p, x + 0.5, y + 0.5);
      ASSERT_EQ(any, want) << "COCO polygons, id " << id << " pixel " << x << "," << y;
    }
  }
}

std::vector<std::uint32_t> parse(const std::vector<const char*>& rows) {
  std::vector<std::uint32_t> ids;
  for (const char* r : rows) {
    for (const char* c = r; *c; ++c) ids.push_back(*c == '.' ? 0u : std::uint32_t(*c - '0'));
  }
  return ids;
}

TEST(Polygons, SquareIsOneLoopOfFourCorners) {
  const auto ids = parse({"....", ".11.", ".11.", "...."});
  const auto loops = trace_loops(ids, 4, 4, 1, 1, 1, 2, 2);
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_EQ(loops[0].xy, (std::vector<std::int32_t>{1, 1, 3, 1, 3, 3, 1, 3})) << "clockwise on screen from the top-left";
  EXPECT_EQ(loops[0].twice_area, 8);
  expect_exact(ids, 4, 4, 1);
}

TEST(Polygons, RingWithAnIslandAndDiagonalNeighbours) {
  const auto ids = parse({"1111111.",
                          "1.....1.",
                          "1.111.1.",
                          "1.1.1.1.",
                          "1.111.1.",
                          "1.....1.",
                          "1111111.",
                          ".......1"});  // touches the ring at a corner only
  const Box b = tight_box(ids, 8, 8, 1);
  const auto loops = trace_loops(ids, 8, 8, 1, b.x, b.y, b.w, b.h);
  int holes = 0;
  for (const auto& l : loops) holes += l.twice_area < 0;
  EXPECT_EQ(holes, 2) << "the ring's hole and the island's";
  EXPECT_EQ(coco_polygons(loops).size(), 1u) << "with holes: one bridged polygon";
  expect_exact(ids, 8, 8, 1);
}

TEST(Polygons, CheckerboardCornersOnly) {
  const auto ids = parse({"1.1.", ".1.1", "1.1.", ".1.1"});
  const auto loops = trace_loops(ids, 4, 4, 1, 0, 0, 4, 4);
  EXPECT_EQ(loops.size(), 8u) << "pixels meeting at corners are separate loops";
  expect_exact(ids, 4, 4, 1);
}

TEST(Polygons, RandomMasksAreReproducedExactly) {
  std::mt19937 mt(7);
  auto rng = [&mt] { return static_cast<std::uint32_t>(mt()); };
  for (int trial = 0; trial < 200; ++trial) {
    const std::uint32_t W = 1 + rng() % 40, H = 1 + rng() % 30;
    std::vector<std::uint32_t> ids(std::size_t{W} * H, 0);
    // A few blobs of a few ids, then salt: holes, islands, diagonal contacts, image borders.
    for (int blob = 0; blob < 6; ++blob) {
      const std::uint32_t id = 1 + rng() % 3, cx = rng() % W, cy = rng() % H, r = 1 + rng() % 8;
      for (std::uint32_t y = 0; y < H; ++y) {
        for (std::uint32_t x = 0; x < W; ++x) {
          const auto dx = std::int64_t(x) - cx, dy = std::int64_t(y) - cy;
          if (dx * dx + dy * dy <= std::int64_t(r * r)) ids[y * W + x] = id;
        }
      }
    }
    for (auto& v : ids) {
      if (rng() % 8 == 0) v = rng() % 4;
    }
    for (std::uint32_t id = 1; id <= 3; ++id) {
      if (tight_box(ids, W, H, id).w == 0) continue;
      SCOPED_TRACE("trial " + std::to_string(trial) + " id " + std::to_string(id));
      expect_exact(ids, W, H, id);
      if (HasFatalFailure()) return;
    }
  }
}

}  // namespace
}  // namespace synthlabel
