// The neighbour pass, for flow validity: before the main pass, the clip's previous and next frame are
// drawn at the main pass's rasterized size (supersampling included) into the two layers of an RG32_UINT array, depth and instance id only
// (neighbour.vert / .frag), with those frames' object -> world matrices (the storage buffer, binding
// 5) and views (FrameUniforms::other_view). mesh.frag then fetches, at the pixel each surface point
// moves to, what that frame shows there (binding 6). neighbour.vert computes gl_Position as mesh.vert
// does (both precise), so a layer holds the samples that frame's own render labels (the middle sample
// of each pixel when supersampled).
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

class NeighbourPass {
 public:
  // `set_layout`: the main pass's (its bindings 0 and 5 are read); one-shot work (the layers' first
  // layout) goes through `one_shot`.
  static Result<NeighbourPass> create(const VulkanContext& ctx, std::uint32_t width, std::uint32_t height,
                                      VkFormat depth_format, VkDescriptorSetLayout set_layout, const OneShotCommands& one_shot);

  // Binding 6 of the main pass's set: both layers, ready for the fragment shader.
  VkDescriptorImageInfo image_info() const;
  // Renders each layer: cleared (depth +inf, id 0), then `draws` when `exists[layer]`.
  void record(VkCommandBuffer cmd, VkDescriptorSet set, Geometry geometry, std::span<const Draw> draws,
              std::array<bool, 2> exists) const;

 private:
  std::uint32_t m_width = 0, m_height = 0;
  Image m_planes;  // 2 layers: previous, next
  Image m_zbuffer;
  std::array<UniqueImageView, 2> m_layer_views;
  UniqueRenderPass m_render_pass;
  std::array<UniqueFramebuffer, 2> m_framebuffers;
  UniquePipelineLayout m_layout;
  UniquePipeline m_pipeline;
  UniqueSampler m_sampler;
};

}  // namespace synthlabel::vk
