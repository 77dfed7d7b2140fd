// Frame setup, pure CPU: what a frame's Scene becomes before any Vulkan call. The per-frame
// uniforms (camera, lights in the shaders' order, environment, exposure), the shadow-map views fitted
// to the casters, the mesh shader's feature bits, and the draw list (one push-constant block and
// index range per instance, or per part of an asset drawn with its own materials). Every reference
// the scene makes into uploaded data (meshes, textures, environment maps) is checked here, so
// recording a frame cannot fail half-way. Unit-tested without a device (tests/unit/FrameSetupTest.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec3.hpp>

#include "core/Error.h"
#include "renderer/vulkan/ShaderInterface.h"
#include "scenes/Mesh.h"
#include "scenes/MeshClosure.h"
#include "scenes/Scene.h"

namespace synthlabel::vk {

// An uploaded mesh: its range in the shared vertex and index buffers, its parts and materials, and
// the bounding box of its vertices (for shadow-map fitting and pixel boxes).
struct MeshRange {
  std::uint32_t first_index = 0, index_count = 0;
  Closure closure = Closure::open;  // whether its faces turned away from a viewer can be skipped
  std::vector<MeshPart> parts;      // an asset's parts (first_index relative to the range)
  std::vector<Material> materials;  // and their materials (maps are texture layers)
  std::int32_t vertex_offset = 0;
  glm::vec3 lo{0.0f}, hi{0.0f};
};

// What has been uploaded and how frames are rasterized.
struct FrameInputs {
  std::uint32_t width = 0, height = 0;  // the frame's size
  std::uint32_t supersampling = 1;      // rasterized size: this times the frame's
  std::uint32_t shadow_map_size = 0;    // 0: no shadows
  std::span<const MeshRange> meshes = {};
  std::uint32_t texture_layers = 0;                               // 0: none uploaded
  std::span<const std::array<glm::vec3, 9>> environment_sh = {};  // per uploaded environment map
};

// An instance drawn into a shadow map, within texels [x0, x1) x [y0, y1) of it: the whole map, or
// for a flat instance (a plane) only where what lies behind it from the light falls.
struct ShadowCaster {
  std::uint32_t instance = 0;  // index into the scene's instances
  std::uint32_t x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// A shadow map to render: its layer (the light's index in the uniforms), the square of it in use
// (texels [0, size) on each side; clip space's [-1, 1] maps onto it), world -> the light's clip space,
// and what is drawn into it.
struct ShadowView {
  std::uint32_t layer = 0;
  std::uint32_t size = 0;
  glm::mat4 matrix{1.0f};
  std::vector<ShadowCaster> casters;
};

// Which side of an instance's triangles faces out of its closed mesh, in world space: the mesh's
// Closure through the model matrix (a negative determinant mirrors the winding). `both` for an open
// mesh, either face of which can be seen. Passes skip the faces turned away from their viewer.
enum class Facing : std::uint8_t { both, ccw_out, cw_out };
Facing facing_of(Closure closure, const glm::mat4& model);

// One indexed draw of the main pass.
struct Draw {
  ObjectPush push{};
  std::uint32_t instance = 0;  // index into the scene's instances: the draw's firstInstance
  std::uint32_t first_index = 0, index_count = 0;
  std::int32_t vertex_offset = 0;
  bool textured = false;  // a texture or a map: drawn with the frame's texture code (PassView::mesh)
  Facing facing = Facing::both;
};

struct FrameSetup {
  FrameUniforms uniforms{};
  std::uint32_t features = 0;  // k_feature_* bits and feature_lights(): the mesh pipeline to draw with
  bool background = false;     // a background image or a visible environment: the background pipeline runs
  std::vector<ShadowView> shadows;
};

// Clip space from pinhole intrinsics, so the image is exactly the K recorded with it (Vulkan NDC,
// depth [0, 1] near to far).
glm::mat4 projection_from_intrinsics(const Camera& camera);

// Fails (ExitCode::internal) when the scene does not fit the renderer: another size, more than
// k_max_lights lights, or a mesh, texture, environment map or background image that was not uploaded.
Result<FrameSetup> make_frame_setup(const Scene& scene, const FrameInputs& in);

// The main pass's draws for `instances`, in order: each instance's whole mesh, or with its asset's
// materials each part with its own.
Result<std::vector<Draw>> make_draws(std::span<const synthlabel::Instance> instances, const FrameInputs& in);

// The nearest and farthest view depth (metres along -Z of `view`, world -> camera) of each instance's
// box: what the draw order and the culling of hidden faces go by, computed once a frame for both.
struct DepthRange {
  float near = std::numeric_limits<float>::max(), far = -std::numeric_limits<float>::max();
};
std::vector<DepthRange> view_depths(std::span<const synthlabel::Instance> instances, std::span<const MeshRange> meshes,
                                    const glm::mat4& view);

// Reorders `draws` (make_draws's) front to back: by the far end of each instance's box in view depth
// (`depths`, view_depths's), nearest first; equal ones, and the parts of one instance, keep their
// order. A surface hidden behind one drawn before it fails the
// z-test before it is shaded (lavapipe skips the shading of a block no fragment of which passes), and
// a large ground or wall, whose far end is far, comes last. Where two surfaces meet at exactly the
// same depth, the one drawn first keeps the pixel (docs/conventions.md).
void order_front_to_back(std::vector<Draw>& draws, std::span<const DepthRange> depths);

// Lets the draws of closed meshes skip their faces turned away from the camera (Draw::facing), where
// the instance's whole box lies beyond the near plane (`depths`: view_depths's; `near`: metres along
// the view axis): there the
// camera is outside the mesh and no face turned towards it is clipped away to uncover the inside, so
// at every pixel a facing face is nearer, or at the outline ties with it.
void cull_hidden_faces(std::vector<Draw>& draws, std::span<const synthlabel::Instance> instances,
                       std::span<const MeshRange> meshes, std::span<const DepthRange> depths, float near);

}  // namespace synthlabel::vk
