#include "renderer/vulkan/NeighbourPass.h"

#include "embedded_shaders.h"
#include "renderer/vulkan/ShaderInterface.h"
#include "renderer/vulkan/VulkanObjects.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

namespace {
constexpr VkFormat k_format = VK_FORMAT_R32G32_UINT;  // (depth bits, instance id)
}

Result<NeighbourPass> NeighbourPass::create(const VulkanContext& ctx, std::uint32_t width, std::uint32_t height,
                                            VkFormat depth_format, VkDescriptorSetLayout set_layout,
                                            const OneShotCommands& one_shot) {
  NeighbourPass pass;
  pass.m_width = width;
  pass.m_height = height;
  SL_TRY_ASSIGN(pass.m_planes, create_image(ctx, {.format = k_format,
                                                  .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
                                                  .shape = {width, height, 2, 1, true}}));
  SL_TRY_ASSIGN(pass.m_zbuffer, create_image(ctx, {.format = depth_format,
                                                   .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
                                                   .aspect = VK_IMAGE_ASPECT_DEPTH_BIT,
                                                   .shape = {width, height}}));
  std::array<VkAttachmentDescription, 2> att{
      attachment(k_format, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL),
      attachment(depth_format, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL)};
  att[1].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  // The previous frame's reads (the main pass's fragment shader) and depth tests finish before this
  // pass writes; its writes are visible to this frame's main pass.
  const auto deps = colour_pass_dependencies(VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                                             VK_ACCESS_SHADER_READ_BIT);
  SL_TRY_ASSIGN(pass.m_render_pass, make_render_pass(ctx, att, 1, true, deps));
  for (std::uint32_t layer = 0; layer < 2; ++layer) {
    SL_TRY_ASSIGN(pass.m_layer_views[layer], make_image_view(ctx, pass.m_planes.image.get(), VK_IMAGE_VIEW_TYPE_2D, k_format,
                                                             {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, layer, 1}));
    const std::array<VkImageView, 2> views{pass.m_layer_views[layer].get(), pass.m_zbuffer.view.get()};
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
  d.color_attachments = 1;
  d.width = width;
  d.height = height;
  d.layout = pass.m_layout.get();
  d.render_pass = pass.m_render_pass.get();
  SL_TRY_ASSIGN(pass.m_pipeline, make_graphics_pipeline(ctx, d));
  SL_TRY_ASSIGN(pass.m_sampler, make_sampler(ctx, {}));  // texelFetch only
  // Both layers start in the layout the mesh shader reads them in (the descriptor covers them even
  // in frames that draw no neighbour).
  const VkImage image = pass.m_planes.image.get();
  SL_TRY_STATUS(one_shot.submit([&](VkCommandBuffer cmd) {
    transition(cmd, image, {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 2},
               {.to = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL, .dst_access = VK_ACCESS_SHADER_READ_BIT,
                .dst_stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT});
  }));
  return pass;
}

VkDescriptorImageInfo NeighbourPass::image_info() const {
  return {m_sampler.get(), m_planes.view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
}

void NeighbourPass::record(VkCommandBuffer cmd, VkDescriptorSet set, Geometry geometry, std::span<const Draw> draws,
                           std::array<bool, 2> exists) const {
  for (std::uint32_t which = 0; which < 2; ++which) {
    std::array<VkClearValue, 2> clears{};
    clears[0].color.uint32[0] = 0x7f800000u;  // +inf: no surface
    clears[0].color.uint32[1] = 0;
    clears[1].depthStencil = {1.0f, 0};
    VkRenderPassBeginInfo rp{};
    rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    rp.renderPass = m_render_pass.get();
    rp.framebuffer = m_framebuffers[which].get();
    rp.renderArea = {{0, 0}, {m_width, m_height}};
    rp.clearValueCount = 2;
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
