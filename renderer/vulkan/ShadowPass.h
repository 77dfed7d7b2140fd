// Shadow maps: a depth array (32-bit float) with a layer per light (light i of the frame's uniforms in
// layer i, k_max_lights), a render pass that clears and fills one layer's square in use, its
// depth-only pipeline with slope-scaled bias, and the buffer the mesh shader reads the texels from:
// each rendered square is copied there, row after row, to the start of its layer's part, which the
// shader reads through its own uniform texel buffer view (R32_SFLOAT). On lavapipe such a texelFetch
// is a vector gather, cheaper than a storage-buffer load (a loop over the lanes) and far cheaper than
// a texelFetch from the depth image (the fetches were most of the cost of shadows). The views to
// render (which layer, which light matrix, which casters) come from FrameSetup. Without shadows a 1x1
// map keeps the descriptor set complete.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/Error.h"
#include "renderer/vulkan/FrameSetup.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/VulkanCommands.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanMemory.h"

namespace synthlabel::vk {

class ShadowPass {
 public:
  // `size`: texels per side (0: no shadows). Fails (device error) where the device cannot render
  // 32-bit float depth and copy it to a buffer.
  static Result<ShadowPass> create(const VulkanContext& ctx, std::uint32_t size);

  // Binding 3 of the main pass's set: each layer's texels, for the mesh shader.
  std::array<VkBufferView, k_max_lights> texel_views() const;
  // Renders each view's casters into its layer, each within its rectangle, and copies the squares in
  // use to the texel buffer, ready for this frame's fragment shaders.
  void record(VkCommandBuffer cmd, std::span<const ShadowView> views, std::span<const synthlabel::Instance> instances,
              std::span<const MeshRange> meshes, Geometry geometry) const;

 private:
  std::uint32_t m_size = 0;
  Image m_map;
  std::array<UniqueImageView, k_max_lights> m_layer_views;
  UniqueRenderPass m_render_pass;
  std::array<UniqueFramebuffer, k_max_lights> m_framebuffers;
  UniquePipelineLayout m_layout;
  UniquePipeline m_pipeline;
  Buffer m_texels;
  VkDeviceSize m_layer_bytes = 0;  // from one layer's texels to the next's
  std::array<UniqueBufferView, k_max_lights> m_texel_views;
};

}  // namespace synthlabel::vk
