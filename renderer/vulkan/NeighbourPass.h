// The neighbour pass, for flow validity: before the main pass, the clip's previous and next frame are
// drawn at the main pass's rasterized size (supersampling included) into layer 0 (previous) and 1
// (next) of two arrays, depth (R32_SFLOAT) and instance ids (R32_UINT), by neighbour.vert / .frag with
// those frames' object -> world matrices (the storage buffer, binding 5) and views
// (FrameUniforms::other_view). mesh.frag then fetches, at the pixel each surface point moves to, what
// that frame shows there (bindings 6 and 7). neighbour.vert computes gl_Position as mesh.vert does
// (both precise), so a layer holds the samples that frame's own render labels.
// When the frame rendered just before is the previous one and the main pass's planes still hold its
// depth and ids (no supersampling), layer 0 is copied from them instead of drawn: one scene draw less
// a frame in a run of consecutive frames, the same values.
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

  // Bindings 6 (depth) and 7 (ids) of the main pass's set: both layers, ready for the fragment shader.
  std::array<VkDescriptorImageInfo, 2> image_infos() const;
  // Fills each layer: cleared (depth +inf, id 0), then `draws` when `exists[layer]`; with
  // `previous_from` (the main pass, its planes in TRANSFER_SRC_OPTIMAL holding the previous frame),
  // layer 0 is copied from its depth and id planes instead.
  void record(VkCommandBuffer cmd, VkDescriptorSet set, Geometry geometry, std::span<const Draw> draws,
              std::array<bool, 2> exists, const MainPass* previous_from = nullptr) const;

 private:
  std::uint32_t m_width = 0, m_height = 0;
  Image m_depth, m_ids;  // 2 layers each: previous, next
  Image m_zbuffer;
  std::array<UniqueImageView, 2> m_depth_layers, m_id_layers;
  UniqueRenderPass m_render_pass;
  std::array<UniqueFramebuffer, 2> m_framebuffers;
  UniquePipelineLayout m_layout;
  UniquePipeline m_pipeline;
  UniqueSampler m_sampler;
};

}  // namespace synthlabel::vk
