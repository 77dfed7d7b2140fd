// Shadow maps: a depth array (32-bit float) with a layer per shadowed light (at most k_max_lights), a
// render pass that clears and fills one layer's square in use, its depth-only pipeline with
// slope-scaled bias, and the storage buffer the mesh shader reads the texels from: each rendered
// square is copied there (layer L at texel L * side^2, row after row of the square), because on
// lavapipe a plain buffer load costs a fraction of a texelFetch (the fetches were most of the cost of
// shadows). The views to render (which layer, which light matrix, which casters) come from
// FrameSetup. Without shadows a 1x1 map keeps the descriptor set complete.
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

  // Binding 3 of the main pass's set: the texels, for the mesh shader.
  VkDescriptorBufferInfo texels_info() const;
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
};

}  // namespace synthlabel::vk
