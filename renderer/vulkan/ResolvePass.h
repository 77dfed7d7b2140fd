// Supersampling's resolve: a full-screen pass over frame-sized planes that averages each pixel's
// s x s colour samples (linear light) and copies the depth, id and normal of its middle sample, whose
// centre is the pixel's centre (resolve.frag). Its planes are what is read back.
#pragma once

#include <array>

#include "core/Error.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanMemory.h"

namespace synthlabel::vk {

class ResolvePass {
 public:
  // Samples `main`'s planes (which must outlive this pass).
  static Result<ResolvePass> create(const VulkanContext& ctx, const MainPass& main, std::uint32_t width,
                                    std::uint32_t height, std::uint32_t supersampling, bool normals, bool flow,
                                    bool surface = false);

  const Image& plane(Plane p) const { return m_images[static_cast<std::uint32_t>(p)]; }
  // Records the pass over `area` (frame pixels).
  void record(VkCommandBuffer cmd, VkRect2D area) const;

 private:
  std::array<Image, k_plane_count> m_images;  // frame-sized
  UniqueRenderPass m_render_pass;
  UniqueFramebuffer m_framebuffer;
  UniqueDescriptorSetLayout m_set_layout;
  UniqueDescriptorPool m_pool;
  VkDescriptorSet m_set = VK_NULL_HANDLE;
  UniquePipelineLayout m_layout;
  UniquePipeline m_pipeline;
  UniqueSampler m_sampler;
};

}  // namespace synthlabel::vk
