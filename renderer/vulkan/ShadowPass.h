// Shadow maps: a depth array with a layer per shadowed light (at most k_max_lights), a render pass
// that clears and fills one layer and leaves it ready for the mesh shader's comparisons, its
// depth-only pipeline with slope-scaled bias, and the sampler the mesh shader fetches texels with.
// The views to render (which layer, which light matrix) come from FrameSetup. Without shadows a 1x1
// array keeps the descriptor set complete.
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
  // `size`: texels per side (0: no shadows); one-shot work (the layers' first layout) goes through
  // `one_shot`.
  static Result<ShadowPass> create(const VulkanContext& ctx, std::uint32_t size, VkFormat depth_format,
                                   const OneShotCommands& one_shot);

  // Binding 3 of the main pass's set.
  VkDescriptorImageInfo image_info() const;
  // Renders each view's casters into its layer, each within its rectangle.
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
  UniqueSampler m_sampler;
};

}  // namespace synthlabel::vk
