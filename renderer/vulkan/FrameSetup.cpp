#include "renderer/vulkan/FrameSetup.h"

#include "scenes/CameraModel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include <glm/ext/matrix_clip_space.hpp>
#include <glm/ext/matrix_transform.hpp>
#include <glm/geometric.hpp>
#include <glm/matrix.hpp>
#include <glm/trigonometric.hpp>
#include <glm/vector_relational.hpp>

namespace synthlabel::vk {
namespace {

// An axis-aligned rectangle (of points in a light's view or clip space), empty until a point is added.
struct Rect {
  glm::vec2 lo{std::numeric_limits<float>::max()}, hi{-std::numeric_limits<float>::max()};
  bool empty() const { return lo.x > hi.x || lo.y > hi.y; }
  void add(glm::vec2 p) {
    lo = glm::min(lo, p);
    hi = glm::max(hi, p);
  }
  void add(const Rect& r) {
    if (!r.empty()) add(r.lo), add(r.hi);
  }
  Rect intersect(const Rect& r) const { return {glm::max(lo, r.lo), glm::min(hi, r.hi)}; }
};

// The xy extent of `corners` after `m`; nullopt where a corner is not in front of a perspective `m`
// (the extent is then unbounded).
std::optional<Rect> extent_after(const glm::mat4& m, std::span<const glm::vec3> corners) {
  Rect r;
  for (const glm::vec3& c : corners) {
    const glm::vec4 p = m * glm::vec4(c, 1.0f);
    if (p.w <= 1e-6f) return std::nullopt;
    r.add(glm::vec2(p) / p.w);
  }
  return r;
}

// An instance that may cast into a light's map: a flat one only onto the instances behind it.
struct Candidate {
  std::uint32_t instance = 0;
  bool flat = false;
  std::vector<std::uint32_t> behind;
};

// A flat instance (a mesh whose box has no thickness on an axis: a plane), as its world plane.
struct Flat {
  bool flat = false;
  glm::vec3 point{0.0f}, normal{0.0f};
};

Flat flat_of(const synthlabel::Instance& inst, const MeshRange& m) {
  const glm::vec3 extent = m.hi - m.lo;
  const float longest = std::max({extent.x, extent.y, extent.z});
  const glm::mat3 linear(inst.model);
  if (!(longest > 0.0f) || glm::determinant(linear) == 0.0f) return {};
  for (int a = 0; a < 3; ++a) {
    if (extent[a] > 1e-6f * longest) continue;
    glm::vec3 local(0.0f);
    local[a] = 1.0f;
    return {true, glm::vec3(inst.model * glm::vec4(m.lo, 1.0f)), glm::normalize(glm::transpose(glm::inverse(linear)) * local)};
  }
  return {};
}

// Shadow maps (docs/conventions.md). Every instance casts, labeled or not, except that a flat one (a
// plane) can only shadow what lies behind it as seen from the light: with nothing there it is left
// out, otherwise drawn only over where that lies. A directional light's map is an orthographic view
// along the light fitted across the light to what the casters can shadow (two texels of margin) and
// deep enough for every instance; a spot's a perspective view from the light through its cone, out
// to the farthest box corner. Outside a map nothing casts, so the shader takes it as lit. Fills the
// uniforms' light_matrix and light_shadow for each light given a map (`lights` in the shaders'
// order); a light with nothing to cast gets none.
std::vector<ShadowView> fit_shadows(const Scene& scene, std::span<const Light* const> lights, const FrameInputs& in,
                                    FrameUniforms& u) {
  std::vector<ShadowView> views;
  if (in.shadow_map_size == 0 || scene.instances.empty()) return views;
  const std::size_t count = scene.instances.size();
  std::vector<std::array<glm::vec3, 8>> corners(count);
  std::vector<Flat> flats(count);
  glm::vec3 lo(std::numeric_limits<float>::max()), hi(-std::numeric_limits<float>::max());
  for (std::size_t k = 0; k < count; ++k) {
    const synthlabel::Instance& inst = scene.instances[k];
    const MeshRange& m = in.meshes[inst.mesh_index];  // checked by make_frame_setup
    const auto local = box_corners(glm::dvec3(m.lo), glm::dvec3(m.hi));
    for (std::size_t c = 0; c < 8; ++c) {
      corners[k][c] = glm::vec3(inst.model * glm::vec4(glm::vec3(local[c]), 1.0f));
      lo = glm::min(lo, corners[k][c]);
      hi = glm::max(hi, corners[k][c]);
    }
    flats[k] = flat_of(inst, m);
  }
  const float tolerance = 1e-5f * std::max(glm::length(hi - lo), 1e-3f);  // a point this near a plane is on it
  const auto size = static_cast<float>(in.shadow_map_size);
  const std::uint32_t side = in.shadow_map_size;
  for (std::size_t i = 0; i < lights.size(); ++i) {
    const Light& l = *lights[i];
    const auto layer = static_cast<std::uint32_t>(i);  // light i's map in layer i (mesh.frag reads view i)
    if (!l.shadows || l.type == LightType::point) continue;
    const bool directional = l.type == LightType::directional;
    std::vector<Candidate> candidates;
    for (std::uint32_t k = 0; k < count; ++k) {
      const Flat& f = flats[k];
      if (!f.flat) {
        candidates.push_back({k, false, {}});
        continue;
      }
      const float facing = glm::dot(f.normal, directional ? l.to_light : l.position - f.point);
      if (facing == 0.0f) continue;  // edge-on to the light: it covers no texel
      const float sign = facing > 0.0f ? 1.0f : -1.0f;
      Candidate c{k, true, {}};
      for (std::uint32_t j = 0; j < count; ++j) {
        if (j == k) continue;
        const bool behind = std::ranges::any_of(
            corners[j], [&](const glm::vec3& p) { return sign * glm::dot(f.normal, p - f.point) < -tolerance; });
        if (behind) c.behind.push_back(j);
      }
      if (!c.behind.empty()) candidates.push_back(std::move(c));
    }
    if (candidates.empty()) continue;
    // Where each candidate matters, after `m`: its own extent, or for a flat one the part of it over
    // what lies behind it. Nullopt: unbounded.
    auto needed = [&](const glm::mat4& m, const Candidate& c) -> std::optional<Rect> {
      std::optional<Rect> own = extent_after(m, corners[c.instance]);
      if (!c.flat || !own) return own;
      Rect under;
      for (std::uint32_t j : c.behind) {
        const std::optional<Rect> r = extent_after(m, corners[j]);
        if (!r) return own;
        under.add(*r);
      }
      return own->intersect(under);
    };
    const glm::vec3 axis = directional ? -l.to_light : l.direction;  // the way light travels
    const glm::vec3 up = std::abs(axis.y) < 0.99f ? glm::vec3(0, 1, 0) : glm::vec3(1, 0, 0);
    glm::mat4 matrix(1.0f);
    std::uint32_t used = side;  // texels per side of the map in use
    if (directional) {
      const glm::mat4 view = glm::lookAtRH(glm::vec3(0.0f), axis, up);
      Rect region;
      for (const Candidate& c : candidates) region.add(*needed(view, c));  // orthographic: always bounded
      if (region.empty()) continue;
      float near = std::numeric_limits<float>::max(), far = -std::numeric_limits<float>::max();
      for (const auto& box : corners) {
        for (const glm::vec3& p : box) {
          const float d = -(view * glm::vec4(p, 1.0f)).z;
          near = std::min(near, d);
          far = std::max(far, d);
        }
      }
      const float margin = 0.01f * (far - near) + 1e-3f;
      // Texels as large as a map over the bounding sphere of every instance would have; the map's
      // used square only as large as the region needs, two texels of margin each side for the 2x2
      // filter.
      const float texel = std::max(glm::length(hi - lo), 2e-3f) / size;
      const float extent = std::max(region.hi.x - region.lo.x, region.hi.y - region.lo.y);
      used = static_cast<std::uint32_t>(std::min(std::ceil(extent / texel) + 4.0f, size));
      const glm::vec2 centre = 0.5f * (region.lo + region.hi);
      const float half = 0.5f * static_cast<float>(used) * texel;
      matrix = glm::orthoRH_ZO(centre.x - half, centre.x + half, centre.y - half, centre.y + half, near - margin,
                               far + margin) * view;
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / static_cast<float>(used), texel, size);
    } else {
      float far = 0.0f;
      for (const auto& box : corners) {
        for (const glm::vec3& p : box) far = std::max(far, glm::length(p - l.position));
      }
      far = std::max(far * 1.01f, 0.2f);
      const float half = std::min(std::acos(std::clamp(l.cos_outer, -1.0f, 1.0f)) + 0.02f, glm::radians(85.0f));
      matrix = glm::perspectiveRH_ZO(2.0f * half, 1.0f, std::max(0.05f, far * 1e-3f), far) *
               glm::lookAtRH(l.position, l.position + axis, up);
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / size, 2.0f * std::tan(half) / size, size);
    }
    ShadowView view{layer, used, matrix, {}};
    const auto used_f = static_cast<float>(used);
    for (const Candidate& c : candidates) {
      ShadowCaster caster{c.instance, 0, 0, used, used};
      if (c.flat) {  // texels over what lies behind it, two more around for the 2x2 filter
        const std::optional<Rect> r = needed(matrix, c);
        if (r) {
          auto texel = [&](float ndc, float extra) {
            return static_cast<std::uint32_t>(std::clamp(std::floor((ndc * 0.5f + 0.5f) * used_f + extra), 0.0f, used_f));
          };
          caster = {c.instance, texel(r->lo.x, -2.0f), texel(r->lo.y, -2.0f), texel(r->hi.x, 3.0f), texel(r->hi.y, 3.0f)};
          if (r->empty() || caster.x0 >= caster.x1 || caster.y0 >= caster.y1) continue;
        }
      }
      view.casters.push_back(caster);
    }
    if (view.casters.empty()) {
      u.light_shadow[i] = glm::vec4(-1.0f, 0.0f, 0.0f, 0.0f);
      continue;
    }
    u.light_matrix[i] = matrix;
    views.push_back(std::move(view));
  }
  return views;
}

bool uses_maps(const Material& m) {
  return m.base_color_map >= 0 || m.metallic_roughness_map >= 0 || m.normal_map >= 0 || m.occlusion_map >= 0 ||
         m.emissive_map >= 0;
}

}  // namespace

// A camera-space point (OpenGL axes) lands at u = cx + fx X/(-Z), v = cy - fy Y/(-Z) in pixels (v
// down, pixel (0,0) spanning [0,1)^2), i.e. Vulkan NDC x = 2u/W - 1, y = 2v/H - 1; depth is [0,1]
// (near to far) as glm::perspectiveRH_ZO makes it.
glm::mat4 projection_from_intrinsics(const Camera& c) {
  const double w = c.width, h = c.height, n = c.near_m, f = c.far_m;
  glm::dmat4 p(0.0);
  p[0][0] = 2.0 * c.fx / w;
  p[2][0] = 1.0 - 2.0 * c.cx / w;
  p[1][1] = -2.0 * c.fy / h;
  p[2][1] = 1.0 - 2.0 * c.cy / h;
  p[2][2] = f / (n - f);
  p[3][2] = f * n / (n - f);
  p[2][3] = -1.0;
  return glm::mat4(p);
}

Result<FrameSetup> make_frame_setup(const Scene& scene, const FrameInputs& in) {
  if (scene.camera.width != in.width || scene.camera.height != in.height) {
    return make_error(ExitCode::internal, "scene size differs from the renderer's");
  }
  if (scene.lights.size() > k_max_lights) return make_error(ExitCode::internal, "more than 4 lights");
  for (const synthlabel::Instance& inst : scene.instances) {
    if (inst.mesh_index >= in.meshes.size()) {
      return make_error(ExitCode::internal, "instance refers to a mesh that was not uploaded");
    }
  }
  FrameSetup setup;
  FrameUniforms& u = setup.uniforms;
  u.view = scene.camera.view;
  u.proj = projection_from_intrinsics(scene.camera);
  // Directional lights first, then point and spot lights (mesh.frag loops over each group apart).
  std::array<const Light*, k_max_lights> ordered{};
  std::size_t directional = 0, n = 0;
  for (const Light& l : scene.lights) {
    if (l.type == LightType::directional) ordered[n++] = &l;
  }
  directional = n;
  for (const Light& l : scene.lights) {
    if (l.type != LightType::directional) ordered[n++] = &l;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Light& l = *ordered[i];
    u.light_to[i] = glm::vec4(l.to_light, static_cast<float>(l.type));
    u.light_color[i] = glm::vec4(l.color, 0.0f);
    // A point light is a spot whose cone takes in every direction (cosines below -1).
    const bool spot = l.type == LightType::spot;
    u.light_position[i] = glm::vec4(l.position, spot ? l.cos_outer : -3.0f);
    u.light_direction[i] = glm::vec4(l.direction, spot ? l.cos_inner : -2.0f);
  }
  u.params = glm::vec4(scene.ambient, static_cast<float>(scene.lights.size()), -1.0f, static_cast<float>(directional));
  // In rasterized pixels: supersampling scales K by its factor (the projection matrix is the same).
  const auto ss = static_cast<float>(in.supersampling);
  u.frame_size = glm::vec4(static_cast<float>(in.width * in.supersampling), static_cast<float>(in.height * in.supersampling),
                           static_cast<float>(std::exp2(scene.camera.exposure_ev)), scene.camera.filmic ? 1.0f : 0.0f);
  u.camera_position = glm::vec4(scene.camera.position, 1.0f);
  u.intrinsics = glm::vec4(static_cast<float>(scene.camera.fx), static_cast<float>(scene.camera.fy),
                           static_cast<float>(scene.camera.cx), static_cast<float>(scene.camera.cy)) * ss;
  const EnvironmentState& env = scene.environment;
  if (scene.background_image >= 0) {
    if (scene.background_image >= static_cast<std::int32_t>(in.texture_layers)) {
      return make_error(ExitCode::internal, "scene uses a background image that was not uploaded");
    }
    setup.background = true;
    u.params.z = static_cast<float>(scene.background_image);
  }
  if (env.map >= 0) {
    if (static_cast<std::size_t>(env.map) >= in.environment_sh.size()) {
      return make_error(ExitCode::internal, "scene uses an environment map that was not uploaded");
    }
    const bool env_seen = env.background && env.intensity > 0;
    setup.background = setup.background || env_seen;
    u.environment = glm::vec4(env.lighting ? static_cast<float>(env.intensity) : 0.0f,
                              static_cast<float>(glm::radians(env.rotation_deg)), static_cast<float>(env.map),
                              env_seen ? static_cast<float>(env.intensity) : 0.0f);
    u.environment_turn = glm::vec4(std::cos(u.environment.y), std::sin(u.environment.y), 0.0f, 0.0f);
    for (std::size_t i = 0; i < 9; ++i) u.env_sh[i] = glm::vec4(in.environment_sh[static_cast<std::size_t>(env.map)][i], 0.0f);
  }
  for (std::size_t i = 0; i < k_max_lights; ++i) u.light_shadow[i] = glm::vec4(-1.0f, 0.0f, 0.0f, 0.0f);
  setup.shadows = fit_shadows(scene, std::span<const Light* const>(ordered.data(), n), in, u);

  for (const synthlabel::Instance& inst : scene.instances) {
    if (inst.texture >= 0) setup.features |= k_feature_textures;
    if (inst.asset_materials && std::ranges::any_of(in.meshes[inst.mesh_index].materials, uses_maps)) {
      setup.features |= k_feature_textures;
    }
  }
  setup.features |= feature_lights(directional, n - directional);
  if (u.environment.x > 0.0f) setup.features |= k_feature_environment_light;
  if (scene.camera.filmic) setup.features |= k_feature_filmic;
  for (const auto& sh : u.light_shadow) {
    if (sh.x >= 0.0f) setup.features |= k_feature_shadows;
  }
  return setup;
}

Facing facing_of(Closure closure, const glm::mat4& model) {
  if (closure == Closure::open) return Facing::both;
  const bool mirrored = glm::determinant(glm::mat3(model)) < 0.0f;
  return (closure == Closure::outward) != mirrored ? Facing::ccw_out : Facing::cw_out;
}

std::vector<DepthRange> view_depths(std::span<const synthlabel::Instance> instances, std::span<const MeshRange> meshes,
                                    const glm::mat4& view) {
  std::vector<DepthRange> depths(instances.size());
  for (std::size_t k = 0; k < instances.size(); ++k) {
    const synthlabel::Instance& inst = instances[k];
    if (inst.mesh_index >= meshes.size()) continue;  // make_draws refused it
    const MeshRange& m = meshes[inst.mesh_index];
    const glm::mat4 to_camera = view * inst.model;
    for (const glm::dvec3& c : box_corners(glm::dvec3(m.lo), glm::dvec3(m.hi))) {
      const float d = -(to_camera * glm::vec4(glm::vec3(c), 1.0f)).z;
      depths[k].near = std::min(depths[k].near, d);
      depths[k].far = std::max(depths[k].far, d);
    }
  }
  return depths;
}

void cull_hidden_faces(std::vector<Draw>& draws, std::span<const synthlabel::Instance> instances,
                       std::span<const MeshRange> meshes, std::span<const DepthRange> depths, float near) {
  std::vector<Facing> facing(instances.size(), Facing::both);
  for (std::size_t k = 0; k < instances.size() && k < depths.size(); ++k) {
    const synthlabel::Instance& inst = instances[k];
    if (inst.mesh_index >= meshes.size() || meshes[inst.mesh_index].closure == Closure::open) continue;
    if (depths[k].near > near) facing[k] = facing_of(meshes[inst.mesh_index].closure, inst.model);
  }
  for (Draw& d : draws) d.facing = d.instance < facing.size() ? facing[d.instance] : Facing::both;
}

void order_front_to_back(std::vector<Draw>& draws, std::span<const DepthRange> depths) {
  auto far_end = [&](const Draw& d) { return d.instance < depths.size() ? depths[d.instance].far : -std::numeric_limits<float>::max(); };
  std::ranges::stable_sort(draws, [&](const Draw& a, const Draw& b) { return far_end(a) < far_end(b); });
}

Result<std::vector<Draw>> make_draws(std::span<const synthlabel::Instance> instances, const FrameInputs& in) {
  std::vector<Draw> draws;
  const auto layers = static_cast<std::int32_t>(in.texture_layers);
  for (std::size_t k = 0; k < instances.size(); ++k) {
    const synthlabel::Instance& inst = instances[k];
    if (inst.mesh_index >= in.meshes.size()) {
      return make_error(ExitCode::internal, "instance refers to a mesh that was not uploaded");
    }
    const MeshRange& r = in.meshes[inst.mesh_index];
    Draw d;
    d.instance = static_cast<std::uint32_t>(k);
    d.push.model = inst.model;
    d.push.color = glm::vec4(inst.color, inst.roughness);
    d.push.instance_id = inst.instance_id;
    d.push.metallic = inst.metallic;
    d.push.texture = inst.texture;
    d.push.normal_scale = 1.0f;
    d.push.maps = glm::ivec4(-1);
    d.push.emissive = glm::vec4(0.0f, 0.0f, 0.0f, 1.0f);
    d.vertex_offset = r.vertex_offset;
    auto add = [&](std::uint32_t first, std::uint32_t count) {
      if (d.push.texture >= layers || glm::any(glm::greaterThanEqual(d.push.maps, glm::ivec4(layers)))) return false;
      d.first_index = r.first_index + first;
      d.index_count = count;
      d.textured = d.push.texture >= 0 || glm::any(glm::greaterThanEqual(d.push.maps, glm::ivec4(0)));
      draws.push_back(d);
      return true;
    };
    bool ok = true;
    if (inst.asset_materials && !r.parts.empty()) {
      for (const MeshPart& part : r.parts) {  // each part with its own material
        const Material& m = r.materials[part.material];
        d.push.color = glm::vec4(m.base_color, m.roughness);
        d.push.metallic = m.metallic;
        d.push.texture = m.base_color_map;
        d.push.normal_scale = m.normal_scale;
        d.push.maps = glm::ivec4(m.metallic_roughness_map, m.normal_map, m.occlusion_map, m.emissive_map);
        d.push.emissive = glm::vec4(m.emissive, m.occlusion_strength);
        ok = ok && add(part.first_index, part.index_count);
      }
    } else {
      ok = add(0, r.index_count);
    }
    if (!ok) return make_error(ExitCode::internal, "instance refers to a texture that was not uploaded");
  }
  return draws;
}

}  // namespace synthlabel::vk
