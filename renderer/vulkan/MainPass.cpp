#include "renderer/vulkan/MainPass.h"

#include <limits>
#include <optional>

#include "renderer/vulkan/VulkanObjects.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

Result<MainPass> MainPass::create(const VulkanContext& ctx, const Desc& desc) {
  MainPass pass;
  pass.m_desc = desc;
  const bool ss = desc.supersampling > 1;
  const std::uint32_t colors = pass.planes();
  // Without supersampling the pass writes the frame's buffers, read back by copies; with it, the
  // resolve pass samples them and writes frame-sized ones.
  const VkImageUsageFlags usage =
      VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | (ss ? VK_IMAGE_USAGE_SAMPLED_BIT : VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
  const ImageShape raster{pass.raster_width(), pass.raster_height()};
  for (std::uint32_t i = 0; i < colors; ++i) {
    if (pass.unused() & (1u << i)) continue;
    const VkFormat f = ss ? k_planes[i].rasterized : k_planes[i].format;
    SL_TRY_ASSIGN(pass.m_images[i], create_image(ctx, {.format = f, .usage = usage, .shape = raster}));
  }
  SL_TRY_ASSIGN(pass.m_zbuffer, create_image(ctx, {.format = desc.zbuffer_format,
                                                   .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT,
                                                   .aspect = VK_IMAGE_ASPECT_DEPTH_BIT,
                                                   .shape = raster}));
  // Every frame overwrites everything; at the end the planes are ready for the copy to host memory,
  // or for the resolve pass to sample.
  std::vector<VkAttachmentDescription> att;
  std::vector<VkImageView> views;
  for (std::uint32_t i = 0; i < colors; ++i) {
    if (pass.unused() & (1u << i)) continue;
    att.push_back(attachment(pass.m_images[i].format, VK_ATTACHMENT_LOAD_OP_CLEAR,
                             ss ? VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL));
    views.push_back(pass.m_images[i].view.get());
  }
  att.push_back(attachment(desc.zbuffer_format, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL));
  att.back().storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  views.push_back(pass.m_zbuffer.view.get());
  // The previous frame's copy (transfer read) or resolve (fragment shader read) and depth test finish
  // before this frame writes; its colour writes are visible to the copy (or the resolve) that follows.
  const auto deps = colour_pass_dependencies(VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT,
                                             ss ? VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT : VK_PIPELINE_STAGE_TRANSFER_BIT,
                                             ss ? VK_ACCESS_SHADER_READ_BIT : VK_ACCESS_TRANSFER_READ_BIT);
  SL_TRY_ASSIGN(pass.m_render_pass, make_render_pass(ctx, att, colors, true, deps, pass.unused()));
  SL_TRY_ASSIGN(pass.m_framebuffer, make_framebuffer(ctx, pass.m_render_pass.get(), views, pass.raster_width(),
                                                     pass.raster_height()));
  return pass;
}

void MainPass::record(VkCommandBuffer cmd, const PassView& view, Geometry geometry, std::span<const Draw> draws) const {
  std::array<VkClearValue, k_plane_count> by_plane{};
  by_plane[0].color.float32[0] = view.clear_color.r;  // linear; the sRGB attachment encodes it
  by_plane[0].color.float32[1] = view.clear_color.g;
  by_plane[0].color.float32[2] = view.clear_color.b;
  by_plane[0].color.float32[3] = 1.0f;
  by_plane[1].color.float32[0] = std::numeric_limits<float>::infinity();  // depth where no surface
  by_plane[2].color.uint32[0] = 0;                                        // background id
  by_plane[3].color.float32[0] = by_plane[3].color.float32[1] = by_plane[3].color.float32[2] = 0.0f;  // no normal
  by_plane[4].color.uint32[0] = 0xffffffffu;                            // no instance
  by_plane[5].color.float32[0] = by_plane[5].color.float32[1] = std::numeric_limits<float>::quiet_NaN();  // no uv
  by_plane[6].color.float32[0] = by_plane[6].color.float32[1] = by_plane[6].color.float32[2] = 0.0f;    // no albedo
  // In attachment order: the planes that have one, then the z-buffer.
  std::array<VkClearValue, k_plane_count + 1> clears{};
  std::uint32_t n = 0;
  for (std::uint32_t i = 0; i < planes(); ++i) {
    if (!(unused() & (1u << i))) clears[n++] = by_plane[i];
  }
  clears[n].depthStencil = {1.0f, 0};
  const auto ss = m_desc.supersampling;
  VkRenderPassBeginInfo rp{};
  rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
  rp.renderPass = m_render_pass.get();
  rp.framebuffer = m_framebuffer.get();
  rp.renderArea = {{view.area.offset.x * static_cast<std::int32_t>(ss), view.area.offset.y * static_cast<std::int32_t>(ss)},
                   {view.area.extent.width * ss, view.area.extent.height * ss}};
  rp.clearValueCount = n + 1;
  rp.pClearValues = clears.data();
  vkCmdBeginRenderPass(cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
  vkCmdSetScissor(cmd, 0, 1, &rp.renderArea);
  if (!draws.empty()) {
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, view.layout, 0, 1, &view.set, 0, nullptr);
    const VkDeviceSize zero = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &geometry.vertices, &zero);
    vkCmdBindIndexBuffer(cmd, geometry.indices, 0, VK_INDEX_TYPE_UINT32);
  }
  VkPipeline bound = VK_NULL_HANDLE;
  std::optional<Facing> culling;  // as last set (per draw, with DynamicCull)
  for (const Draw& d : draws) {
    const VkPipeline p = view.mesh[PassView::mesh_slot(d.textured, d.facing)];
    if (p != bound) vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, bound = p);
    if (view.cull.available() && culling != d.facing) {
      view.cull.set_cull_mode(cmd, cull_mode(d.facing));
      view.cull.set_front_face(cmd, front_face(d.facing));
      culling = d.facing;
    }
    vkCmdPushConstants(cmd, view.layout, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, k_push_size,
                       &d.push);
    vkCmdDrawIndexed(cmd, d.index_count, 1, d.first_index, d.vertex_offset, d.instance);
  }
  if (view.background != VK_NULL_HANDLE) {  // last: shaded only where no mesh is (background.vert)
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, view.background);
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, view.layout, 0, 1, &view.set, 0, nullptr);
    vkCmdDraw(cmd, 3, 1, 0, 0);
  }
  vkCmdEndRenderPass(cmd);
}

}  // namespace synthlabel::vk
