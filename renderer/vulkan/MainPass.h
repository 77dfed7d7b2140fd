// The main pass: one rasterization of a view writing every per-pixel output at once, plus the
// z-buffer. The outputs are planes, colour attachments in this order:
//   colour  RGBA8 sRGB (RGBA16F linear when supersampled: the resolve pass averages it)
//   depth   R32_SFLOAT, metres along the viewing axis, +inf where no surface
//   ids     R32_UINT, the instance id, 0 where none
//   normals RGBA16F, the camera-frame normal (when RendererOptions::normals)
//   instance R32_UINT, the index in Scene::instances of the surface's instance, 0xffffffff where none
//           (only when RendererOptions::flow: the flow is computed from it, exporters/FlowField.h)
// All single-sample, no blending. A new per-pixel output (object coordinates, ...) is a new
// plane: an entry in k_planes, a shader output, a readback plane.
//
// Views: record() draws one view into a rectangle of the attachments, with the view's descriptor
// set (its uniforms: camera, lights). A frame of several views records several passes, each into
// its own area (render_alone already draws one instance per area this way); the attachments are
// sized by Desc.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <glm/vec3.hpp>

#include "core/Error.h"
#include "renderer/vulkan/FrameSetup.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanMemory.h"

namespace synthlabel::vk {

enum class Plane : std::uint32_t { color = 0, depth = 1, ids = 2, normals = 3, instance = 4, uv = 5, albedo = 6 };
inline constexpr std::uint32_t k_plane_count = 7;

struct PlaneFormat {
  VkFormat format;            // at the frame's size (read back)
  VkFormat rasterized;        // in the supersampled pass (the resolve pass turns it into `format`)
  std::uint32_t bytes = 0;    // per pixel in `format`
};
inline constexpr std::array<PlaneFormat, k_plane_count> k_planes{{
    {VK_FORMAT_R8G8B8A8_SRGB, VK_FORMAT_R16G16B16A16_SFLOAT, 4},  // linear, averaged by the resolve
    {VK_FORMAT_R32_SFLOAT, VK_FORMAT_R32_SFLOAT, 4},
    {VK_FORMAT_R32_UINT, VK_FORMAT_R32_UINT, 4},
    {VK_FORMAT_R16G16B16A16_SFLOAT, VK_FORMAT_R16G16B16A16_SFLOAT, 8},  // camera-frame normal, w unused
    {VK_FORMAT_R32_UINT, VK_FORMAT_R32_UINT, 4},  // instance index
    {VK_FORMAT_R32G32_SFLOAT, VK_FORMAT_R32G32_SFLOAT, 8},  // texture coordinates (u, v)
    {VK_FORMAT_R16G16B16A16_SFLOAT, VK_FORMAT_R16G16B16A16_SFLOAT, 8},  // albedo: linear base colour, w unused
}};

// The colour locations a pass has: the first three planes, then the normals (read, or a location
// without an attachment when only the instance plane follows: `unused_planes`), then the instance plane.
// With `surface` (uv and albedo, after them) the pass has all seven (RendererOptions::surface reads
// the normals and the instance plane too).
inline constexpr std::uint32_t attachment_planes(bool normals, bool flow, bool surface = false) {
  return surface ? 7 : flow ? 5 : normals ? 4 : 3;
}
inline constexpr std::uint32_t unused_planes(bool normals, bool flow) {
  return flow && !normals ? 1u << static_cast<std::uint32_t>(Plane::normals) : 0u;
}

// The vertex and index buffers every draw reads.
struct Geometry {
  VkBuffer vertices = VK_NULL_HANDLE, indices = VK_NULL_HANDLE;
};

// One view to draw: its descriptor set, pipelines, clear colour and area (in frame pixels; the
// rasterized area is `supersampling` times it).
struct PassView {
  VkDescriptorSet set = VK_NULL_HANDLE;
  VkPipelineLayout layout = VK_NULL_HANDLE;
  // The mesh pipelines by mesh_slot: for draws with no texture or map (Draw::textured false) without
  // the texture code, which lavapipe would otherwise run, masked, for every fragment of every draw;
  // and by the draw's Facing, skipping the faces turned away from the camera.
  std::array<VkPipeline, 6> mesh{};
  static constexpr std::size_t mesh_slot(bool textured, Facing facing) {
    return (textured ? 3u : 0u) + static_cast<std::size_t>(facing);
  }
  // Set: the mesh pipelines take their culling per draw (one pipeline for every facing).
  DynamicCull cull{};
  VkPipeline background = VK_NULL_HANDLE;  // VK_NULL_HANDLE: no background drawn (the clear colour stays)
  glm::vec3 clear_color{0.0f};             // linear; the sRGB attachment encodes it
  VkRect2D area{};
};

class MainPass {
 public:
  struct Desc {
    std::uint32_t width = 0, height = 0;  // the frame's size
    std::uint32_t supersampling = 1;
    bool normals = false;
    bool flow = false;
    VkFormat zbuffer_format = VK_FORMAT_UNDEFINED;
    bool surface = false;  // uv and albedo planes (with normals and flow)
  };
  static Result<MainPass> create(const VulkanContext& ctx, const Desc& desc);

  // Colour locations: colour, depth, ids, the normals when read, the instance plane.
  std::uint32_t planes() const { return attachment_planes(m_desc.normals, m_desc.flow, m_desc.surface); }
  // Bit i: location i has no attachment (its plane is not rendered).
  std::uint32_t unused() const { return unused_planes(m_desc.normals, m_desc.flow); }
  const Image& plane(Plane p) const { return m_images[static_cast<std::uint32_t>(p)]; }
  VkRenderPass render_pass() const { return m_render_pass.get(); }
  std::uint32_t raster_width() const { return m_desc.width * m_desc.supersampling; }
  std::uint32_t raster_height() const { return m_desc.height * m_desc.supersampling; }

  // Records the pass: clears the view's area, draws the background when asked, then `draws`.
  void record(VkCommandBuffer cmd, const PassView& view, Geometry geometry, std::span<const Draw> draws) const;

 private:
  Desc m_desc;
  std::array<Image, k_plane_count> m_images;  // rasterized size; the planes past planes() empty
  Image m_zbuffer;
  UniqueRenderPass m_render_pass;
  UniqueFramebuffer m_framebuffer;
};

}  // namespace synthlabel::vk
