#include "renderer/vulkan/NeighbourPass.h"

#include <limits>
#include <utility>

#include "embedded_shaders.h"
#include "renderer/vulkan/ShaderInterface.h"
#include "renderer/vulkan/VulkanObjects.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

namespace {
constexpr VkFormat k_depth = VK_FORMAT_R32_SFLOAT, k_ids = VK_FORMAT_R32_UINT;  // as the main pass's planes
}

Result<NeighbourPass> NeighbourPass::create(const VulkanContext& ctx, std::uint32_t width, std::uint32_t height,
                                            VkFormat depth_format, VkDescriptorSetLayout set_layout,
                                            const OneShotCommands& one_shot) {
  NeighbourPass pass;
  pass.m_width = width;
  pass.m_height = height;
  const VkImageUsageFlags usage =
      VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
  SL_TRY_ASSIGN(pass.m_depth, create_image(ctx, {.format = k_depth, .usage = usage, .shape = {width, height, 2, 1, true}}));
  SL_TRY_ASSIGN(pass.m_ids, create_image(ctx, {.format = k_ids, .usage = usage, .shape = {width, height, 2, 1, true}}));
  SL_TRY_ASSIGN(pass.m_zbuffer, create_image(ctx, {.format = depth_format,
                                                   .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
                                                   .aspect = VK_IMAGE_ASPECT_DEPTH_BIT,
                                                   .shape = {width, height}}));
  std::array<VkAttachmentDescription, 3> att{
      attachment(k_depth, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL),
      attachment(k_ids, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL),
      attachment(depth_format, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)};
  att[2].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  // The previous frame's reads (the main pass's fragment shader) and depth tests finish before this
  // pass writes; its writes are visible to this frame's main pass.
  const auto deps = colour_pass_dependencies(VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                                             VK_ACCESS_SHADER_READ_BIT);
  SL_TRY_ASSIGN(pass.m_render_pass, make_render_pass(ctx, att, 2, true, deps));
  for (std::uint32_t layer = 0; layer < 2; ++layer) {
    SL_TRY_ASSIGN(pass.m_depth_layers[layer], make_image_view(ctx, pass.m_depth.image.get(), VK_IMAGE_VIEW_TYPE_2D, k_depth,
                                                              {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, layer, 1}));
    SL_TRY_ASSIGN(pass.m_id_layers[layer], make_image_view(ctx, pass.m_ids.image.get(), VK_IMAGE_VIEW_TYPE_2D, k_ids,
                                                           {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, layer, 1}));
    const std::array<VkImageView, 3> views{pass.m_depth_layers[layer].get(), pass.m_id_layers[layer].get(), pass.m_zbuffer.view.get()};
    SL_TRY_ASSIGN(pass.m_framebuffers[layer], make_framebuffer(ctx, pass.m_render_pass.get(), views, width, height));
  }
  SL_TRY_ASSIGN(pass.m_layout, make_pipeline_layout(ctx, set_layout, sizeof(NeighbourPush),
                                                    VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT));
  namespace s = shaders;
  GraphicsPipelineDesc d;
  d.vertex = {s::k_spirv_neighbour_vert, s::k_spirv_neighbour_vert_words};
  d.fragment = {s::k_spirv_neighbour_frag, s::k_spirv_neighbour_frag_words};
  d.vertices = GraphicsPipelineDesc::Vertices::positions;
  d.dynamic_scissor = false;
  d.color_attachments = 2;
  d.width = width;
  d.height = height;
  d.layout = pass.m_layout.get();
  d.render_pass = pass.m_render_pass.get();
  SL_TRY_ASSIGN(pass.m_pipeline, make_graphics_pipeline(ctx, d));
  SL_TRY_ASSIGN(pass.m_sampler, make_sampler(ctx, {}));  // texelFetch only
  // Both layers start in the layout the mesh shader reads them in (the descriptors cover them even
  // in frames that draw no neighbour).
  const VkImage depth = pass.m_depth.image.get(), ids = pass.m_ids.image.get();
  SL_TRY_STATUS(one_shot.submit([&](VkCommandBuffer cmd) {
    for (VkImage image : {depth, ids}) {
      transition(cmd, image, {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 2},
                 {.to = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, .dst_access = VK_ACCESS_SHADER_READ_BIT,
                  .dst_stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT});
    }
  }));
  return pass;
}

std::array<VkDescriptorImageInfo, 2> NeighbourPass::image_infos() const {
  return {{{m_sampler.get(), m_depth.view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL},
           {m_sampler.get(), m_ids.view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL}}};
}

void NeighbourPass::record(VkCommandBuffer cmd, VkDescriptorSet set, Geometry geometry, std::span<const Draw> draws,
                           std::array<bool, 2> exists, const MainPass* previous_from) const {
  if (previous_from != nullptr) {
    // Layer 0 from the main pass's planes (the previous frame's, made visible to transfers by its
    // render pass): after the previous frame's reads of the layer, then ready for this frame's.
    const VkImageSubresourceRange layer0{VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    const std::pair<const Image*, const Image*> copies[2] = {{&previous_from->plane(Plane::depth), &m_depth},
                                                              {&previous_from->plane(Plane::ids), &m_ids}};
    for (const auto& [from, to] : copies) {
      transition(cmd, to->image.get(), layer0,
                 {.from = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, .to = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                  .src_access = VK_ACCESS_SHADER_READ_BIT, .dst_access = VK_ACCESS_TRANSFER_WRITE_BIT,
                  .src_stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, .dst_stage = VK_PIPELINE_STAGE_TRANSFER_BIT});
      VkImageCopy region{};
      region.srcSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      region.dstSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
      region.extent = {m_width, m_height, 1};
      vkCmdCopyImage(cmd, from->image.get(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, to->image.get(),
                     VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
      transition(cmd, to->image.get(), layer0,
                 {.from = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, .to = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                  .src_access = VK_ACCESS_TRANSFER_WRITE_BIT, .dst_access = VK_ACCESS_SHADER_READ_BIT,
                  .src_stage = VK_PIPELINE_STAGE_TRANSFER_BIT, .dst_stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT});
    }
  }
  for (std::uint32_t which = previous_from != nullptr ? 1 : 0; which < 2; ++which) {
    std::array<VkClearValue, 3> clears{};
    clears[0].color.float32[0] = std::numeric_limits<float>::infinity();  // no surface
    clears[1].color.uint32[0] = 0;
    clears[2].depthStencil = {1.0f, 0};
    VkRenderPassBeginInfo rp{};
    rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    rp.renderPass = m_render_pass.get();
    rp.framebuffer = m_framebuffers[which].get();
    rp.renderArea = {{0, 0}, {m_width, m_height}};
    rp.clearValueCount = 3;
    rp.pClearValues = clears.data();
    vkCmdBeginRenderPass(cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
    if (exists[which] && !draws.empty()) {
      vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_pipeline.get());
      vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_layout.get(), 0, 1, &set, 0, nullptr);
      const VkDeviceSize zero = 0;
      vkCmdBindVertexBuffers(cmd, 0, 1, &geometry.vertices, &zero);
      vkCmdBindIndexBuffer(cmd, geometry.indices, 0, VK_INDEX_TYPE_UINT32);
      for (const Draw& d : draws) {
        const NeighbourPush push{d.push.instance_id, which};
        vkCmdPushConstants(cmd, m_layout.get(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                           sizeof(push), &push);
        vkCmdDrawIndexed(cmd, d.index_count, 1, d.first_index, d.vertex_offset, d.instance);
      }
    }
    vkCmdEndRenderPass(cmd);
  }
}

}  // namespace synthlabel::vk
