#include "exporters/FillPolygon.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace synthlabel {
namespace {

struct Px {
  std::int32_t x = 0, y = 0;
  bool operator==(const Px&) const = default;
};

// The 8 neighbours, clockwise on screen (v down): E, SE, S, SW, W, NW, N, NE.
constexpr std::array<Px, 8> k_dir = {{{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}}};

int dir_of(Px from, Px to) {
  for (int d = 0; d < 8; ++d) {
    if (from.x + k_dir[static_cast<std::size_t>(d)].x == to.x && from.y + k_dir[static_cast<std::size_t>(d)].y == to.y) return d;
  }
  return 0;
}

// A mask padded by one background pixel on every side, so every neighbour of a mask pixel exists.
struct Padded {
  std::int32_t w = 0, h = 0;
  std::vector<std::uint8_t> fg;
  bool at(Px p) const { return fg[static_cast<std::size_t>(p.y) * static_cast<std::size_t>(w) + static_cast<std::size_t>(p.x)] != 0; }
};

// Moore-neighbour tracing: from mask pixel `s` with background neighbour `b`, turn clockwise around
// the current pixel from its background neighbour to the next mask pixel. Follows the boundary between
// s's 8-connected part and the background region holding b. Stops when the first move repeats (the
// state after it, not the start, lies on the cycle).
std::vector<Px> moore(const Padded& m, Px s, Px b) {
  auto step = [&](Px c, Px& back) -> Px {
    const int d0 = dir_of(c, back);
    Px prev = back;
    for (int k = 1; k <= 8; ++k) {
      const Px d = k_dir[static_cast<std::size_t>((d0 + k) % 8)];
      const Px p{c.x + d.x, c.y + d.y};
      if (m.at(p)) {
        back = prev;
        return p;
      }
      prev = p;
    }
    return c;  // isolated pixel
  };
  Px b1 = b;
  const Px c1 = step(s, b1);
  if (c1 == s) return {s};
  std::vector<Px> loop{s};
  Px c = c1, back = b1;
  for (;;) {
    loop.push_back(c);
    c = step(c, back);
    if (c == c1 && back == b1) break;
  }
  loop.pop_back();  // s again
  return loop;
}

// The corner of the L between a loop's pixel p and a child loop's pixel q: (q.x, p.y), walked the same
// way there and back (two different Ls would enclose a rectangle and flip the fill inside it).
void bridge_corner(Px p, Px q, std::vector<Px>& out) {
  if (p.x != q.x && p.y != q.y) out.push_back({q.x, p.y});
}

}  // namespace

std::vector<std::int32_t> fillpoly_polygon(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                           std::uint32_t id, std::uint32_t x0, std::uint32_t y0, std::uint32_t w,
                                           std::uint32_t h) {
  if (w == 0 || h == 0 || std::uint64_t{x0} + w > width || std::uint64_t{y0} + h > height) return {};
  Padded m;
  m.w = static_cast<std::int32_t>(w) + 2;
  m.h = static_cast<std::int32_t>(h) + 2;
  const auto W = static_cast<std::size_t>(m.w);
  m.fg.assign(W * static_cast<std::size_t>(m.h), 0);
  for (std::uint32_t y = 0; y < h; ++y) {
    for (std::uint32_t x = 0; x < w; ++x) {
      m.fg[(std::size_t{y} + 1) * W + x + 1] = ids[(std::size_t{y} + y0) * width + x + x0] == id;
    }
  }
  // Loops: the outer boundary of each 8-connected part, then the ring around each hole.
  std::vector<std::vector<Px>> loops;
  std::vector<std::int32_t> label(m.fg.size(), 0);
  std::vector<Px> stack;
  auto flood = [&](Px seed, std::int32_t value, bool foreground, int neighbours) {
    label[static_cast<std::size_t>(seed.y) * W + static_cast<std::size_t>(seed.x)] = value;
    stack.assign(1, seed);
    while (!stack.empty()) {
      const Px c = stack.back();
      stack.pop_back();
      for (int d = 0; d < 8; d += 8 / neighbours) {
        const Px p{c.x + k_dir[static_cast<std::size_t>(d)].x, c.y + k_dir[static_cast<std::size_t>(d)].y};
        if (p.x < 0 || p.y < 0 || p.x >= m.w || p.y >= m.h || m.at(p) != foreground) continue;
        auto& l = label[static_cast<std::size_t>(p.y) * W + static_cast<std::size_t>(p.x)];
        if (l != 0) continue;
        l = value;
        stack.push_back(p);
      }
    }
  };
  std::int32_t parts = 0, regions = 0;
  for (std::int32_t y = 0; y < m.h; ++y) {
    for (std::int32_t x = 0; x < m.w; ++x) {
      if (label[static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)] != 0) continue;
      if (m.at({x, y})) {
        flood({x, y}, ++parts, true, 8);
        loops.push_back(moore(m, {x, y}, {x - 1, y}));  // first pixel in raster order: its west is background
      } else {
        flood({x, y}, -(++regions), false, 4);
        // Region 1 holds the padding: the outside. Any other is a hole; its first pixel's west
        // neighbour is a mask pixel of the ring around it.
        if (regions > 1) loops.push_back(moore(m, {x - 1, y}, {x, y}));
      }
    }
  }
  if (loops.empty()) return {};
  // Join the loops by their nearest pixels (Manhattan distance: bridges are L-shaped), growing a tree
  // from loop 0 (Prim).
  struct Link {
    std::size_t at, child, child_at;
  };
  std::vector<std::vector<Link>> children(loops.size());
  std::vector<bool> joined(loops.size(), false);
  joined[0] = true;
  for (std::size_t added = 1; added < loops.size(); ++added) {
    std::int32_t best = std::numeric_limits<std::int32_t>::max();
    Link link{};
    std::size_t parent = 0;
    for (std::size_t i = 0; i < loops.size(); ++i) {
      if (!joined[i]) continue;
      for (std::size_t j = 0; j < loops.size(); ++j) {
        if (joined[j]) continue;
        for (std::size_t a = 0; a < loops[i].size(); ++a) {
          for (std::size_t b = 0; b < loops[j].size(); ++b) {
            const std::int32_t d = std::abs(loops[i][a].x - loops[j][b].x) + std::abs(loops[i][a].y - loops[j][b].y);
            if (d < best) best = d, link = {a, j, b}, parent = i;
          }
        }
      }
    }
    children[parent].push_back(link);
    joined[link.child] = true;
  }
  std::vector<Px> poly;
  auto emit = [&](auto&& self, std::size_t li, std::size_t start) -> void {
    const std::vector<Px>& loop = loops[li];
    for (std::size_t k = 0; k < loop.size(); ++k) {
      const std::size_t at = (start + k) % loop.size();
      const Px p = loop[at];
      poly.push_back(p);
      for (const Link& l : children[li]) {
        if (l.at != at) continue;
        const Px q = loops[l.child][l.child_at];
        bridge_corner(p, q, poly);
        self(self, l.child, l.child_at);
        poly.push_back(q);
        bridge_corner(p, q, poly);
        poly.push_back(p);
      }
    }
  };
  emit(emit, 0, 0);
  // Diagonal steps become two axis steps through the mask pixel at the corner, where there is one
  // (that pixel is painted either way, and no other centre lies in the half square between): edges
  // along the axes keep Ultralytics' resampling (points interpolated along the edges, then cast to
  // int32) on the polygon, where a point interpolated on a diagonal can be cast one pixel off it.
  // Only pixels that touch the rest of their part at a corner alone keep a diagonal step.
  std::vector<Px> axial;
  axial.reserve(poly.size() * 2);
  for (std::size_t i = 0; i < poly.size(); ++i) {
    const Px p = poly[i], q = poly[(i + 1) % poly.size()];
    axial.push_back(p);
    if (std::abs(q.x - p.x) == 1 && std::abs(q.y - p.y) == 1) {
      if (m.at({q.x, p.y})) axial.push_back({q.x, p.y});
      else if (m.at({p.x, q.y})) axial.push_back({p.x, q.y});
    }
  }
  // Drop repeated points and the middle of straight horizontal or vertical runs (the fill is the same).
  std::vector<Px> kept;
  for (const Px& p : axial) {
    if (!kept.empty() && kept.back() == p) continue;
    if (kept.size() >= 2) {
      const Px a = kept[kept.size() - 2], b = kept.back();
      const Px d1{b.x - a.x, b.y - a.y}, d2{p.x - b.x, p.y - b.y};
      auto sgn = [](std::int32_t v) { return (v > 0) - (v < 0); };
      const bool axis = (d1.x == 0) != (d1.y == 0);
      if (axis && sgn(d1.x) == sgn(d2.x) && sgn(d1.y) == sgn(d2.y)) {
        kept.back() = p;
        continue;
      }
    }
    kept.push_back(p);
  }
  while (kept.size() > 1 && kept.back() == kept.front()) kept.pop_back();
  while (kept.size() < 3) kept.push_back(kept.back());
  std::vector<std::int32_t> out;
  out.reserve(kept.size() * 2);
  for (const Px& p : kept) {
    out.push_back(p.x - 1 + static_cast<std::int32_t>(x0));
    out.push_back(p.y - 1 + static_cast<std::int32_t>(y0));
  }
  return out;
}

std::vector<std::uint8_t> fillpoly_rasterize(std::span<const std::int32_t> xy, std::uint32_t width, std::uint32_t height) {
  std::vector<std::uint8_t> mask(std::size_t{width} * height, 0);
  const std::size_t n = xy.size() / 2;
  if (n == 0) return mask;
  auto paint = [&](std::int64_t x, std::int64_t y) {
    if (x >= 0 && y >= 0 && x < width && y < height) mask[static_cast<std::size_t>(y) * width + static_cast<std::size_t>(x)] = 1;
  };
  std::int64_t ymin = std::numeric_limits<std::int64_t>::max(), ymax = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < n; ++i) {
    ymin = std::min<std::int64_t>(ymin, xy[2 * i + 1]);
    ymax = std::max<std::int64_t>(ymax, xy[2 * i + 1]);
  }
  // Inside by the even-odd rule, row by row at the pixel centres.
  std::vector<double> cross;
  for (std::int64_t y = std::max<std::int64_t>(ymin, 0); y <= std::min<std::int64_t>(ymax, std::int64_t{height} - 1); ++y) {
    cross.clear();
    for (std::size_t i = 0, j = n - 1; i < n; j = i++) {
      const double xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
      if ((yi > double(y)) != (yj > double(y))) cross.push_back(xi + (double(y) - yi) * (xj - xi) / (yj - yi));
    }
    std::sort(cross.begin(), cross.end());
    for (std::size_t k = 0; k + 1 < cross.size(); k += 2) {
      for (auto x = static_cast<std::int64_t>(std::floor(cross[k])) + 1; double(x) < cross[k + 1]; ++x) paint(x, y);
    }
  }
  // Every pixel on an edge.
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t j = (i + 1) % n;
    const std::int64_t ax = xy[2 * i], ay = xy[2 * i + 1], bx = xy[2 * j], by = xy[2 * j + 1];
    const std::int64_t steps = std::max(std::llabs(bx - ax), std::llabs(by - ay));
    for (std::int64_t s = 0; s <= steps; ++s) {
      const double t = steps ? double(s) / double(steps) : 0.0;
      paint(std::llround(double(ax) + t * double(bx - ax)), std::llround(double(ay) + t * double(by - ay)));
    }
  }
  return mask;
}

}  // namespace synthlabel
