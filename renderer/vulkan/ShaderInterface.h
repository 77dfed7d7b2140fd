// The C++ side of the shaders' interface, kept next to them: std140/std430 mirrors of
// shaders/frame_data.glsl (FrameData) and shaders/object_data.glsl (ObjectData), the shadow pass's
// push constants, and mesh.frag's specialization constants (feature bits). A change to a shader's
// block changes the struct here, and the static_asserts catch a layout that drifted.
#pragma once

#include <cstddef>
#include <cstdint>

#include <glm/mat4x4.hpp>
#include <glm/vec4.hpp>

namespace synthlabel::vk {

// std140 mirror of FrameData (one uniform buffer per frame slot).
struct FrameUniforms {
  glm::mat4 view;
  glm::mat4 proj;
  glm::vec4 light_to[4];         // xyz: towards a directional light; w: type (0 directional, 1 point, 2 spot)
  glm::vec4 light_color[4];      // rgb: linear colour x intensity
  glm::vec4 light_position[4];   // xyz: point/spot position; w: cos of the spot's outer half-angle
  glm::vec4 light_direction[4];  // xyz: spot axis; w: cos of the spot's inner half-angle
  glm::vec4 params;              // x: ambient, y: lights, z: background image layer (-1: none), w: directional lights
  glm::vec4 camera_position;
  glm::vec4 intrinsics;   // fx, fy, cx, cy in rasterized pixels
  glm::vec4 environment;  // x: lighting intensity, y: rotation (radians), z: layer, w: background intensity
  glm::vec4 env_sh[9];
  glm::vec4 frame_size;  // rasterized width, height; exposure; filmic
  glm::mat4 light_matrix[4];  // world -> the light's shadow-map clip space
  glm::vec4 light_shadow[4];  // x: shadow-map layer, the light's index (-1: no map), y: 1 / texels per side in use, z: world size of a texel (directional) or per metre of distance (spot), w: the map's side
  glm::vec4 environment_turn;  // cos, sin of environment.y
};
static_assert(sizeof(FrameUniforms) == 2 * 64 + 16 * 16 + 4 * 16 + 9 * 16 + 16 + 4 * 64 + 4 * 16 + 16);  // std140, no padding

// Push constants of the shadow pass: object -> light clip space.
struct ShadowPush {
  glm::mat4 mvp;
};

// std430 mirror of ObjectData (push constants): 128 bytes, all that every device guarantees.
struct ObjectPush {
  glm::mat4 model;
  glm::vec4 color;  // rgb: linear base colour, a: roughness
  std::uint32_t instance_id;
  float metallic;
  std::int32_t texture;  // base-colour map: layer of the texture array, -1: none
  float normal_scale;
  glm::ivec4 maps;     // layers of the metallic-roughness, normal, occlusion and emissive maps (-1: none)
  glm::vec4 emissive;  // rgb: linear emitted radiance; a: occlusion strength
};
inline constexpr std::uint32_t k_push_size = 128;
static_assert(offsetof(ObjectPush, instance_id) == 80 && offsetof(ObjectPush, metallic) == 84 &&
              offsetof(ObjectPush, texture) == 88 && offsetof(ObjectPush, maps) == 96 &&
              offsetof(ObjectPush, emissive) == 112 && sizeof(ObjectPush) == k_push_size);

// At most this many lights per frame (the arrays above), and so shadow-map layers.
inline constexpr std::size_t k_max_lights = 4;

// mesh.vert hands mesh.frag locations 0..28 (flat_data.glsl: the flat inputs after the interpolated
// outputs and the instance index): 116 components. Desktop devices and lavapipe allow 128; Vulkan's
// minimum is 64 (check_device_limits refuses such a device by name).
inline constexpr std::uint32_t k_mesh_varying_components = 4 * 29;

// mesh.frag's specialization constants, packed in one key: one mesh pipeline per combination in use.
// Bits for the features a frame may not use (textures, environment light, shadows, filmic tone map),
// and the number of directional lights and of point and spot lights (0..k_max_lights each, 3 bits):
// the light loops' trip counts are then constants, so the shader compiler unrolls them and reads the
// light arrays at constant indices (on lavapipe a loop bounded by a uniform was about half the
// shading of a frame lit by one sun).
inline constexpr std::uint32_t k_feature_textures = 1, k_feature_environment_light = 2, k_feature_shadows = 4,
                               k_feature_filmic = 8;
inline constexpr std::uint32_t k_feature_directional_shift = 4, k_feature_positional_shift = 7;
constexpr std::uint32_t feature_lights(std::size_t directional, std::size_t positional) {
  return static_cast<std::uint32_t>(directional) << k_feature_directional_shift |
         static_cast<std::uint32_t>(positional) << k_feature_positional_shift;
}
constexpr std::uint32_t feature_directional_lights(std::uint32_t features) { return (features >> k_feature_directional_shift) & 7u; }
constexpr std::uint32_t feature_positional_lights(std::uint32_t features) { return (features >> k_feature_positional_shift) & 7u; }

}  // namespace synthlabel::vk
