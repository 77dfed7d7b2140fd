#include "exporters/Labels.h"

#include <algorithm>
#include <string>

namespace synthlabel {

Result<std::vector<InstanceLabel>> extract_instance_labels(std::span<const std::uint32_t> ids, std::uint32_t width,
                                                           std::uint32_t height, std::uint32_t max_id) {
  const std::uint64_t total = std::uint64_t{width} * height;
  if (ids.size() != total) return make_error(ExitCode::internal, "id buffer size does not match the image size");
  struct State {
    InstanceLabel label;
    std::uint64_t run_start = 0;
    std::uint64_t last_end = 0;  // column-major index just past this id's previous run
    std::uint32_t x0 = UINT32_MAX, y0 = UINT32_MAX, x1 = 0, y1 = 0;
  };
  std::vector<State> st(std::size_t{max_id} + 1);
  // Each column's runs in COCO's order (column-major), read down the column in place, and handled a
  // run at a time: boxes, areas and counts once per run, not per pixel.
  std::uint32_t prev = 0;
  auto close_run = [&](std::uint32_t id, std::uint64_t at) {
    State& s = st[id];
    s.label.rle_counts.push_back(static_cast<std::uint32_t>(at - s.run_start));
    s.label.area += at - s.run_start;
    s.last_end = at;
  };
  for (std::uint32_t x = 0; x < width; ++x) {
    const std::uint32_t* column = ids.data() + x;  // pixel (x, y) at column[y * width]
    for (std::uint32_t y = 0; y < height;) {
      const std::uint32_t id = column[std::size_t{y} * width];
      std::uint32_t end = y + 1;
      while (end < height && column[std::size_t{end} * width] == id) ++end;
      const std::uint64_t at = std::uint64_t{x} * height + y;  // column-major position of the run's start
      if (id != prev) {
        if (prev != 0) close_run(prev, at);
        if (id != 0) {
          if (id > max_id) {
            return make_error(ExitCode::internal, "pixel (" + std::to_string(x) + ", " + std::to_string(y) +
                                                      ") holds instance id " + std::to_string(id) +
                                                      " but the scene has " + std::to_string(max_id));
          }
          State& s = st[id];
          s.label.rle_counts.push_back(static_cast<std::uint32_t>(at - s.last_end));
          s.run_start = at;
        }
        prev = id;
      }
      if (id != 0) {
        State& s = st[id];
        s.x0 = std::min(s.x0, x);
        s.x1 = std::max(s.x1, x);
        s.y0 = std::min(s.y0, y);
        s.y1 = std::max(s.y1, end - 1);
      }
      y = end;
    }
  }
  if (prev != 0) close_run(prev, total);
  std::vector<InstanceLabel> out;
  for (std::uint32_t id = 1; id <= max_id; ++id) {
    State& s = st[id];
    if (s.label.area == 0) continue;
    if (s.last_end < total) s.label.rle_counts.push_back(static_cast<std::uint32_t>(total - s.last_end));
    s.label.instance_id = id;
    s.label.x = s.x0;
    s.label.y = s.y0;
    s.label.w = s.x1 - s.x0 + 1;
    s.label.h = s.y1 - s.y0 + 1;
    out.push_back(std::move(s.label));
  }
  return out;
}

InstanceLabel extract_instance_label_in_box(std::span<const std::uint32_t> ids, std::uint32_t width, std::uint32_t height,
                                            std::uint32_t id, std::uint32_t x0, std::uint32_t y0, std::uint32_t w,
                                            std::uint32_t h) {
  InstanceLabel l;
  l.instance_id = id;
  const std::uint32_t x1 = std::min(width, x0 + w), y1 = std::min(height, y0 + h);
  const std::uint64_t total = std::uint64_t{width} * height;
  std::uint64_t run_start = 0;  // column-major position where the current run began
  bool inside = false;          // the current run: of the id (true) or of anything else
  std::uint64_t last = 0;       // position just past the last pixel read
  std::uint32_t bx0 = UINT32_MAX, by0 = UINT32_MAX, bx1 = 0, by1 = 0;
  for (std::uint32_t x = x0; x < x1; ++x) {
    for (std::uint32_t y = y0; y < y1; ++y) {
      const std::uint64_t idx = std::uint64_t{x} * height + y;
      if (inside && idx != last) {  // pixels skipped since the last one read are 0: the run ends
        l.rle_counts.push_back(static_cast<std::uint32_t>(last - run_start));
        run_start = last;
        inside = false;
      }
      const bool v = ids[std::size_t{y} * width + x] == id;
      if (v != inside) {
        l.rle_counts.push_back(static_cast<std::uint32_t>(idx - run_start));
        run_start = idx;
        inside = v;
      }
      if (v) {
        ++l.area;
        bx0 = std::min(bx0, x), bx1 = std::max(bx1, x), by0 = std::min(by0, y), by1 = std::max(by1, y);
      }
      last = idx + 1;
    }
  }
  if (l.area == 0) {
    l.rle_counts.clear();
    return l;
  }
  if (inside) {
    l.rle_counts.push_back(static_cast<std::uint32_t>(last - run_start));
    run_start = last;
  }
  if (run_start < total) l.rle_counts.push_back(static_cast<std::uint32_t>(total - run_start));
  l.x = bx0, l.y = by0, l.w = bx1 - bx0 + 1, l.h = by1 - by0 + 1;
  return l;
}

}  // namespace synthlabel
