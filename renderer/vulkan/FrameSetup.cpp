#include "renderer/vulkan/FrameSetup.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <glm/ext/matrix_clip_space.hpp>
#include <glm/ext/matrix_transform.hpp>
#include <glm/geometric.hpp>
#include <glm/trigonometric.hpp>
#include <glm/vector_relational.hpp>

namespace synthlabel::vk {
namespace {

// Shadow maps (docs/conventions.md): a directional light's is an orthographic view along the light
// that holds the bounding sphere of every instance's box; a spot's a perspective view from the light
// through its cone, out to the farthest box corner. Every instance casts, labeled or not. Fills the
// uniforms' light_matrix and light_shadow for each shadowed light (`lights` in the shaders' order).
std::vector<ShadowView> fit_shadows(const Scene& scene, std::span<const Light* const> lights, const FrameInputs& in,
                                    FrameUniforms& u) {
  std::vector<ShadowView> views;
  if (in.shadow_map_size == 0 || scene.instances.empty()) return views;
  std::vector<glm::vec3> corners;
  corners.reserve(scene.instances.size() * 8);
  glm::vec3 lo(std::numeric_limits<float>::max()), hi(-std::numeric_limits<float>::max());
  for (const synthlabel::Instance& inst : scene.instances) {
    const MeshRange& m = in.meshes[inst.mesh_index];  // checked by make_frame_setup
    for (int c = 0; c < 8; ++c) {
      const glm::vec3 local((c & 1) ? m.hi.x : m.lo.x, (c & 2) ? m.hi.y : m.lo.y, (c & 4) ? m.hi.z : m.lo.z);
      const glm::vec3 w = glm::vec3(inst.model * glm::vec4(local, 1.0f));
      corners.push_back(w);
      lo = glm::min(lo, w);
      hi = glm::max(hi, w);
    }
  }
  const glm::vec3 centre = 0.5f * (lo + hi);
  const float radius = std::max(0.5f * glm::length(hi - lo), 1e-3f);
  const float size = static_cast<float>(in.shadow_map_size);
  std::uint32_t layer = 0;
  for (std::size_t i = 0; i < lights.size(); ++i) {
    const Light& l = *lights[i];
    if (!l.shadows || l.type == LightType::point) continue;
    const glm::vec3 axis = l.type == LightType::directional ? -l.to_light : l.direction;  // the way light travels
    const glm::vec3 up = std::abs(axis.y) < 0.99f ? glm::vec3(0, 1, 0) : glm::vec3(1, 0, 0);
    glm::mat4 matrix(1.0f);
    if (l.type == LightType::directional) {
      const glm::vec3 eye = centre - axis * (2.0f * radius);
      matrix = glm::orthoRH_ZO(-radius, radius, -radius, radius, radius * 0.99f, radius * 3.01f) *
               glm::lookAtRH(eye, centre, up);
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / size, 2.0f * radius / size, 0.0f);
    } else {
      float far = 0.0f;
      for (const glm::vec3& c : corners) far = std::max(far, glm::length(c - l.position));
      far = std::max(far * 1.01f, 0.2f);
      const float half = std::min(std::acos(std::clamp(l.cos_outer, -1.0f, 1.0f)) + 0.02f, glm::radians(85.0f));
      matrix = glm::perspectiveRH_ZO(2.0f * half, 1.0f, std::max(0.05f, far * 1e-3f), far) *
               glm::lookAtRH(l.position, l.position + axis, up);
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / size, 2.0f * std::tan(half) / size, 0.0f);
    }
    u.light_matrix[i] = matrix;
    views.push_back({layer, matrix});
    ++layer;
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
  for (const Light& l : scene.lights) {
    if (l.type != LightType::directional) setup.features |= k_feature_positional_lights;
  }
  if (u.environment.x > 0.0f) setup.features |= k_feature_environment_light;
  for (const auto& sh : u.light_shadow) {
    if (sh.x >= 0.0f) setup.features |= k_feature_shadows;
  }
  return setup;
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
