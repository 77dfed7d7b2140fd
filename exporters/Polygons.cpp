#include "exporters/Polygons.h"

#include <array>

namespace synthlabel {
namespace {

// Directions on screen (v down): 0 +x, 1 +y, 2 -x, 3 -y; turning right adds 1.
constexpr std::array<int, 4> k_dx = {1, 0, -1, 0};
constexpr std::array<int, 4> k_dy = {0, 1, 0, -1};

}  // namespace

std::vector<PolygonLoop> trace_loops(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                     std::uint32_t id, std::uint32_t x0, std::uint32_t y0, std::uint32_t w, std::uint32_t h) {
  std::vector<PolygonLoop> loops;
  if (w == 0 || h == 0 || x0 + w > width || y0 + h > height) return loops;
  auto inside = [&](std::int64_t x, std::int64_t y) {  // box-local pixel
    return x >= 0 && y >= 0 && x < w && y < h && ids[(std::size_t(y) + y0) * width + std::size_t(x) + x0] == id;
  };
  // Corners (w + 1) x (h + 1); per corner a bit for each direction an unused boundary edge leaves in.
  // Each inside pixel's sides facing outside pixels, walked with the inside on the right.
  const std::size_t cw = std::size_t{w} + 1;
  std::vector<std::uint8_t> out(cw * (std::size_t{h} + 1), 0);
  auto corner = [&](std::int64_t x, std::int64_t y) { return std::size_t(y) * cw + std::size_t(x); };
  for (std::int64_t y = 0; y < h; ++y) {
    for (std::int64_t x = 0; x < w; ++x) {
      if (!inside(x, y)) continue;
      if (!inside(x, y - 1)) out[corner(x, y)] |= 1u << 0;          // top: (x, y) -> (x+1, y)
      if (!inside(x + 1, y)) out[corner(x + 1, y)] |= 1u << 1;      // right: (x+1, y) -> (x+1, y+1)
      if (!inside(x, y + 1)) out[corner(x + 1, y + 1)] |= 1u << 2;  // bottom: (x+1, y+1) -> (x, y+1)
      if (!inside(x - 1, y)) out[corner(x, y + 1)] |= 1u << 3;      // left: (x, y+1) -> (x, y)
    }
  }
  for (std::int64_t sy = 0; sy <= h; ++sy) {
    for (std::int64_t sx = 0; sx <= w; ++sx) {
      while (out[corner(sx, sy)] != 0) {
        // Walk from this corner until no unused edge leaves: at a corner with two (pixels meeting
        // diagonally) turn right first, which keeps to the pixel on the right.
        PolygonLoop loop;
        std::int64_t x = sx, y = sy;
        int dir = -1;
        for (int d = 0; d < 4; ++d) {
          if (out[corner(x, y)] & (1u << d)) {
            dir = d;
            break;
          }
        }
        int prev_dir = -1;
        while (dir >= 0) {
          out[corner(x, y)] = static_cast<std::uint8_t>(out[corner(x, y)] & ~(1u << dir));
          if (dir != prev_dir) {  // a corner where the boundary turns
            loop.xy.push_back(static_cast<std::int32_t>(x + x0));
            loop.xy.push_back(static_cast<std::int32_t>(y + y0));
          }
          prev_dir = dir;
          x += k_dx[static_cast<std::size_t>(dir)];
          y += k_dy[static_cast<std::size_t>(dir)];
          const std::uint8_t here = out[corner(x, y)];
          dir = -1;
          for (int turn : {1, 0, 3}) {  // right, straight, left
            const int d = (prev_dir + turn) % 4;
            if (here & (1u << d)) {
              dir = d;
              break;
            }
          }
        }
        // Closed at the start corner; drop the start when the walk arrives straight through it.
        const std::size_t n = loop.xy.size() / 2;
        if (n >= 3) {
          const std::int64_t ax = loop.xy[2 * n - 2], ay = loop.xy[2 * n - 1], bx = loop.xy[0], by = loop.xy[1],
                             cx = loop.xy[2], cy = loop.xy[3];
          if ((ax == bx && bx == cx) || (ay == by && by == cy)) loop.xy.erase(loop.xy.begin(), loop.xy.begin() + 2);
        }
        const std::size_t m = loop.xy.size() / 2;
        for (std::size_t i = 0; i < m; ++i) {
          const std::size_t j = (i + 1) % m;
          loop.twice_area += std::int64_t{loop.xy[2 * i]} * loop.xy[2 * j + 1] - std::int64_t{loop.xy[2 * j]} * loop.xy[2 * i + 1];
        }
        loops.push_back(std::move(loop));
      }
    }
  }
  return loops;
}

std::vector<std::int32_t> bridged_polygon(const std::vector<PolygonLoop>& loops) {
  std::vector<std::int32_t> out;
  if (loops.empty()) return out;
  // Loop 0 from its first corner s0 and back to it; then for each further loop k: along the grid
  // lines s0 -> (sk.x, s0.y) -> sk, loop k from sk back to sk, and the same bridge back to s0.
  const std::int32_t s0x = loops[0].xy[0], s0y = loops[0].xy[1];
  out = loops[0].xy;
  for (std::size_t k = 1; k < loops.size(); ++k) {
    const std::int32_t skx = loops[k].xy[0], sky = loops[k].xy[1];
    out.insert(out.end(), {s0x, s0y, skx, s0y});
    out.insert(out.end(), loops[k].xy.begin(), loops[k].xy.end());
    out.insert(out.end(), {skx, sky, skx, s0y});
  }
  if (loops.size() > 1) out.insert(out.end(), {s0x, s0y});
  // No repeated corner (a bridge of zero length): rasterizers divide by a segment's length.
  std::vector<std::int32_t> tidy;
  tidy.reserve(out.size());
  for (std::size_t i = 0; i + 1 < out.size(); i += 2) {
    const std::size_t n = tidy.size();
    if (n >= 2 && tidy[n - 2] == out[i] && tidy[n - 1] == out[i + 1]) continue;
    tidy.insert(tidy.end(), {out[i], out[i + 1]});
  }
  while (tidy.size() > 2 && tidy[0] == tidy[tidy.size() - 2] && tidy[1] == tidy.back()) tidy.resize(tidy.size() - 2);
  return tidy;
}

std::vector<std::vector<std::int32_t>> coco_polygons(const std::vector<PolygonLoop>& loops) {
  bool holes = false;
  for (const auto& l : loops) holes = holes || l.twice_area < 0;
  std::vector<std::vector<std::int32_t>> out;
  if (holes) {
    out.push_back(bridged_polygon(loops));
  } else {
    for (const auto& l : loops) out.push_back(l.xy);
  }
  return out;
}

}  // namespace synthlabel
