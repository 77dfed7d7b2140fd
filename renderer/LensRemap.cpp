#include "renderer/LensRemap.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "core/Srgb.h"
#include "scenes/CameraModel.h"

namespace synthlabel {

LensMap build_lens_map(const Camera& camera) {
  const Lens& lens = camera.lens;
  LensMap m;
  m.width = camera.width;
  m.height = camera.height;
  m.source_width = lens.source_width;
  m.source_height = lens.source_height;
  const std::size_t n = std::size_t{m.width} * m.height;
  m.nearest.assign(n, LensMap::k_outside);
  m.corner.assign(n, 0);
  m.weight.assign(2 * n, 0);
  const double sw = m.source_width, sh = m.source_height;
  for (std::uint32_t y = 0; y < m.height; ++y) {
    for (std::uint32_t x = 0; x < m.width; ++x) {
      const std::size_t i = std::size_t{y} * m.width + x;
      const double u = x + 0.5, v = y + 0.5;
      glm::dvec3 ray;
      if (!pixel_ray(camera, u, v, ray) || !(ray.z > 0.0)) continue;
      const double qx = lens.source_fx * ray.x / ray.z + lens.source_cx, qy = lens.source_fy * ray.y / ray.z + lens.source_cy;
      if (!(qx >= 0.0 && qx < sw && qy >= 0.0 && qy < sh)) continue;  // not covered by the source: outside
      const auto nx = static_cast<std::uint32_t>(qx), ny = static_cast<std::uint32_t>(qy);
      m.nearest[i] = ny * m.source_width + nx;
      const double bx = std::clamp(qx - 0.5, 0.0, sw - 1.0), by = std::clamp(qy - 0.5, 0.0, sh - 1.0);
      const auto x0 = std::min(static_cast<std::uint32_t>(bx), m.source_width > 1 ? m.source_width - 2 : 0u);
      const auto y0 = std::min(static_cast<std::uint32_t>(by), m.source_height > 1 ? m.source_height - 2 : 0u);
      m.corner[i] = y0 * m.source_width + x0;
      m.weight[2 * i] = static_cast<std::uint16_t>(std::lround(256.0 * std::clamp(bx - x0, 0.0, 1.0)));
      m.weight[2 * i + 1] = static_cast<std::uint16_t>(std::lround(256.0 * std::clamp(by - y0, 0.0, 1.0)));
      // Where the nearest sample's own ray lands: its distance to this pixel's centre.
      const glm::dvec3 sample_ray((nx + 0.5 - lens.source_cx) / lens.source_fx, (ny + 0.5 - lens.source_cy) / lens.source_fy, 1.0);
      const glm::dvec2 back = project(camera, sample_ray);
      if (std::isfinite(back.x) && std::isfinite(back.y)) m.worst_ray_error_px = std::max(m.worst_ray_error_px, std::hypot(back.x - u, back.y - v));
    }
  }
  return m;
}

namespace {

template <class T>
void remap_nearest(const LensMap& map, std::span<const T> source, std::span<T> out, std::size_t channels, T outside) {
  const std::size_t n = std::size_t{map.width} * map.height;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t s = map.nearest[i];
    for (std::size_t c = 0; c < channels; ++c) out[i * channels + c] = s == LensMap::k_outside ? outside : source[std::size_t{s} * channels + c];
  }
}

}  // namespace

void remap_rgba(const LensMap& map, std::span<const std::uint8_t> source, std::vector<std::uint8_t>& out) {
  const std::size_t n = std::size_t{map.width} * map.height;
  out.resize(4 * n);
  // Linear light in 16-bit fixed point, and back: to_code[l] is the 8-bit sRGB code whose rounding
  // interval holds l / 65535 (lround(linear_to_srgb(l / 65535) * 255), found among the intervals' edges).
  struct Tables {
    std::array<std::uint32_t, 256> linear{};
    std::vector<std::uint8_t> to_code = std::vector<std::uint8_t>(65536);
  };
  static const Tables tables = [] {
    Tables t;
    const std::array<double, 256>& lin = srgb8_to_linear();
    for (std::size_t v = 0; v < 256; ++v) t.linear[v] = static_cast<std::uint32_t>(std::lround(lin[v] * 65535.0));
    std::array<double, 255> edges{};
    for (std::size_t i = 0; i < edges.size(); ++i) edges[i] = srgb_to_linear((static_cast<double>(i) + 0.5) / 255.0);
    for (std::size_t l = 0; l < t.to_code.size(); ++l) {
      t.to_code[l] = static_cast<std::uint8_t>(std::upper_bound(edges.begin(), edges.end(), static_cast<double>(l) / 65535.0) - edges.begin());
    }
    return t;
  }();
  const std::size_t sw = map.source_width;
  const std::size_t dx = map.source_width > 1 ? 4 : 0, dy = map.source_height > 1 ? 4 * sw : 0;
  for (std::size_t i = 0; i < n; ++i) {
    std::uint8_t* o = &out[4 * i];
    o[3] = 255;
    if (map.nearest[i] == LensMap::k_outside) {
      o[0] = o[1] = o[2] = 0;
      continue;
    }
    // Weights in 1/65536: they sum to 65536 exactly, so a flat source is reproduced exactly.
    const std::uint64_t tx = map.weight[2 * i], ty = map.weight[2 * i + 1];
    const std::uint64_t w00 = (256 - tx) * (256 - ty), w10 = tx * (256 - ty), w01 = (256 - tx) * ty, w11 = tx * ty;
    const std::uint8_t* p = &source[4 * std::size_t{map.corner[i]}];
    for (std::size_t c = 0; c < 3; ++c) {
      const std::uint64_t l = w00 * tables.linear[p[c]] + w10 * tables.linear[p[dx + c]] + w01 * tables.linear[p[dy + c]] +
                              w11 * tables.linear[p[dx + dy + c]];
      o[c] = tables.to_code[static_cast<std::size_t>((l + 32768) >> 16)];
    }
  }
}

void remap_ids(const LensMap& map, std::span<const std::uint32_t> source, std::span<std::uint32_t> out) {
  remap_nearest<std::uint32_t>(map, source, out, 1, 0u);
}

void remap_frame(const LensMap& map, const FrameBuffers& source, FrameBuffers& out) {
  const std::size_t n = std::size_t{map.width} * map.height;
  out.width = map.width;
  out.height = map.height;
  remap_rgba(map, source.rgba, out.rgba);
  out.depth.resize(n);
  remap_nearest<float>(map, source.depth, out.depth, 1, std::numeric_limits<float>::infinity());
  out.instance_id.resize(n);
  remap_nearest<std::uint32_t>(map, source.instance_id, out.instance_id, 1, 0u);
  out.normals.resize(source.normals.empty() ? 0 : 3 * n);
  if (!source.normals.empty()) remap_nearest<float>(map, source.normals, out.normals, 3, 0.0f);
  out.uv.resize(source.uv.empty() ? 0 : 2 * n);
  if (!source.uv.empty()) remap_nearest<float>(map, source.uv, out.uv, 2, std::numeric_limits<float>::quiet_NaN());
  out.albedo.resize(source.albedo.empty() ? 0 : 3 * n);
  if (!source.albedo.empty()) remap_nearest<float>(map, source.albedo, out.albedo, 3, 0.0f);
  out.instance_index.resize(source.instance_index.empty() ? 0 : n);
  if (!source.instance_index.empty()) remap_nearest<std::uint32_t>(map, source.instance_index, out.instance_index, 1, 0xffffffffu);
  out.flow_forward.clear();
  out.flow_backward.clear();
}

namespace {

using Clock = std::chrono::steady_clock;

class LensRenderer final : public Renderer {
 public:
  explicit LensRenderer(std::unique_ptr<Renderer> inner)
      : m_inner(std::move(inner)), m_cameras(m_inner->slots()), m_source(m_inner->slots()) {}

  Status upload_meshes(std::span<const Mesh> meshes) override { return m_inner->upload_meshes(meshes); }
  Status upload_environments(std::span<const EnvironmentMap> maps) override { return m_inner->upload_environments(maps); }
  Status upload_textures(std::span<const Texture> textures) override { return m_inner->upload_textures(textures); }
  std::uint32_t slots() const override { return m_inner->slots(); }

  Status submit(std::uint32_t slot, const Scene& scene) override {
    if (slot >= m_cameras.size()) return make_error(ExitCode::internal, "lens renderer: no such slot");
    SL_TRY_STATUS(m_inner->submit(slot, source_scene(scene)));
    m_cameras[slot] = scene.camera;
    return ok_status();
  }

  Status collect(std::uint32_t slot, FrameBuffers& out) override {
    if (slot >= m_cameras.size() || !m_cameras[slot]) return make_error(ExitCode::internal, "lens renderer: collect of an empty slot");
    const Camera camera = *m_cameras[slot];
    m_cameras[slot].reset();
    SL_TRY_STATUS(m_inner->collect(slot, m_source[slot]));
    const auto t0 = Clock::now();
    remap_frame(map_for(camera), m_source[slot], out);
    m_remap += std::chrono::duration<double>(Clock::now() - t0).count();
    return ok_status();
  }

  Status render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                      std::vector<PixelBox>& boxes) override {
    std::vector<std::uint32_t> source_ids;
    std::vector<PixelBox> source_boxes;
    SL_TRY_STATUS(m_inner->render_alone(source_scene(scene), indices, source_ids, source_boxes));
    const auto t0 = Clock::now();
    const LensMap& map = map_for(scene.camera);
    const std::size_t plane = std::size_t{map.width} * map.height, source_plane = std::size_t{map.source_width} * map.source_height;
    ids.assign(plane * indices.size(), 0u);
    boxes.assign(indices.size(), PixelBox{});
    for (std::size_t j = 0; j < indices.size(); ++j) {
      // The source plane's values outside its box are unspecified: only samples inside it count.
      const PixelBox& b = source_boxes[j];
      const std::uint32_t id = scene.instances[indices[j]].instance_id;
      std::uint32_t x0 = map.width, y0 = map.height, x1 = 0, y1 = 0;
      for (std::uint32_t y = 0; y < map.height; ++y) {
        for (std::uint32_t x = 0; x < map.width; ++x) {
          const std::size_t i = std::size_t{y} * map.width + x;
          const std::uint32_t s = map.nearest[i];
          if (s == LensMap::k_outside) continue;
          const std::uint32_t sx = s % map.source_width, sy = s / map.source_width;
          if (sx < b.x || sx >= b.x + b.w || sy < b.y || sy >= b.y + b.h) continue;
          const std::uint32_t v = source_ids[j * source_plane + s];
          if (v != id) continue;
          ids[j * plane + i] = v;
          x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
        }
      }
      if (x1 >= x0 && y1 >= y0 && x0 < map.width) boxes[j] = PixelBox{x0, y0, x1 - x0 + 1, y1 - y0 + 1};
    }
    m_remap += std::chrono::duration<double>(Clock::now() - t0).count();
    return ok_status();
  }

  Status render_color(const Scene& scene, std::vector<std::uint8_t>& rgba) override {
    std::vector<std::uint8_t> source;
    SL_TRY_STATUS(m_inner->render_color(source_scene(scene), source));
    const auto t0 = Clock::now();
    remap_rgba(map_for(scene.camera), source, rgba);
    m_remap += std::chrono::duration<double>(Clock::now() - t0).count();
    return ok_status();
  }

  const DeviceInfo& device() const override { return m_inner->device(); }
  RenderTimings timings() const override {
    RenderTimings t = m_inner->timings();
    t.remap = m_remap;
    return t;
  }

 private:
  static Scene source_scene(const Scene& scene) {
    Scene s = scene;
    s.camera = source_camera(scene.camera);
    return s;
  }
  const LensMap& map_for(const Camera& camera) {
    if (!m_map_camera || !same_lens_model(*m_map_camera, camera)) {
      m_map = build_lens_map(camera);
      m_map_camera = camera;
    }
    return m_map;
  }

  std::unique_ptr<Renderer> m_inner;
  std::vector<std::optional<Camera>> m_cameras;  // per slot: the camera of the frame in flight
  std::vector<FrameBuffers> m_source;            // per slot: the source view's planes
  std::optional<Camera> m_map_camera;
  LensMap m_map;
  double m_remap = 0;
};

}  // namespace

std::unique_ptr<Renderer> make_lens_renderer(std::unique_ptr<Renderer> inner) { return std::make_unique<LensRenderer>(std::move(inner)); }

}  // namespace synthlabel
