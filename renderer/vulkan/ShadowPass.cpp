#include "renderer/vulkan/ShadowPass.h"

#include <algorithm>
#include <string>

#include "embedded_shaders.h"
#include "renderer/vulkan/VulkanCommands.h"
#include "renderer/vulkan/VulkanObjects.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

Result<ShadowPass> ShadowPass::create(const VulkanContext& ctx, std::uint32_t size) {
  // The buffer's texels are the depth aspect's bytes: 32-bit floats only with this format.
  constexpr VkFormat format = VK_FORMAT_D32_SFLOAT;
  VkFormatProperties fp{};
  vkGetPhysicalDeviceFormatProperties(ctx.physical, format, &fp);
  constexpr VkFormatFeatureFlags needed = VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_FORMAT_FEATURE_TRANSFER_SRC_BIT;
  VkFormatProperties texel_fp{};
  vkGetPhysicalDeviceFormatProperties(ctx.physical, VK_FORMAT_R32_SFLOAT, &texel_fp);
  if ((fp.optimalTilingFeatures & needed) != needed ||
      (texel_fp.bufferFeatures & VK_FORMAT_FEATURE_UNIFORM_TEXEL_BUFFER_BIT) == 0) {
    return make_error(ExitCode::device, "the device cannot render shadow maps (32-bit float depth copied to a texel buffer)");
  }
  ShadowPass pass;
  pass.m_size = size;
  const std::uint32_t side = std::max(1u, size);
  if (VkDeviceSize{side} * side > ctx.limits.maxTexelBufferElements) {
    return make_error(ExitCode::device, "render.shadow_map_size " + std::to_string(size) + " needs " +
                                            std::to_string(VkDeviceSize{side} * side) +
                                            " texels in a texel buffer; this device allows " +
                                            std::to_string(ctx.limits.maxTexelBufferElements) + ": use a smaller map");
  }
  // Each layer's part starts at a multiple of the device's texel-buffer offset alignment.
  const VkDeviceSize align = std::max<VkDeviceSize>(4, ctx.limits.minTexelBufferOffsetAlignment);
  pass.m_layer_bytes = (VkDeviceSize{side} * side * 4 + align - 1) / align * align;
  constexpr auto layers = static_cast<std::uint32_t>(k_max_lights);
  SL_TRY_ASSIGN(pass.m_map, create_image(ctx, {.format = format,
                                               .usage = VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                               .aspect = VK_IMAGE_ASPECT_DEPTH_BIT,
                                               .shape = {side, side, layers, 1, true}}));
  SL_TRY_ASSIGN(pass.m_texels, create_buffer(ctx, {.size = pass.m_layer_bytes * layers,
                                                   .usage = VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                                   .required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT}));
  for (std::uint32_t layer = 0; layer < layers; ++layer) {
    SL_TRY_ASSIGN(pass.m_texel_views[layer], make_buffer_view(ctx, pass.m_texels.buffer.get(), VK_FORMAT_R32_SFLOAT,
                                                              pass.m_layer_bytes * layer, VkDeviceSize{side} * side * 4));
  }
  // Cleared each time; left ready for the copy to the texel buffer.
  const VkAttachmentDescription att = attachment(format, VK_ATTACHMENT_LOAD_OP_CLEAR, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL);
  std::array<VkSubpassDependency, 2> deps{};
  // The previous frame's copy out of the layer finishes before this frame overwrites it.
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
  deps[0].dstAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  // Its depth writes are visible to the copy.
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
  deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[1].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  SL_TRY_ASSIGN(pass.m_render_pass, make_render_pass(ctx, std::span(&att, 1), 0, true, deps));
  for (std::uint32_t layer = 0; layer < layers; ++layer) {
    SL_TRY_ASSIGN(pass.m_layer_views[layer], make_image_view(ctx, pass.m_map.image.get(), VK_IMAGE_VIEW_TYPE_2D, format,
                                                             {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, layer, 1}));
    const VkImageView view = pass.m_layer_views[layer].get();
    SL_TRY_ASSIGN(pass.m_framebuffers[layer],
                  make_framebuffer(ctx, pass.m_render_pass.get(), std::span(&view, 1), side, side));
  }
  SL_TRY_ASSIGN(pass.m_layout, make_pipeline_layout(ctx, VK_NULL_HANDLE, sizeof(ShadowPush), VK_SHADER_STAGE_VERTEX_BIT));
  // Depth only: positions in, no fragment shader, no colour attachment.
  GraphicsPipelineDesc d;
  d.vertex = {shaders::k_spirv_shadow_vert, shaders::k_spirv_shadow_vert_words};
  d.vertices = GraphicsPipelineDesc::Vertices::positions;
  d.depth_bias = true;
  d.dynamic_scissor = true;  // each caster drawn within its own rectangle (FrameSetup.h's ShadowCaster)
  d.dynamic_viewport = true;  // each map within the square it uses
  d.width = d.height = side;
  d.layout = pass.m_layout.get();
  d.render_pass = pass.m_render_pass.get();
  SL_TRY_ASSIGN(pass.m_pipeline, make_graphics_pipeline(ctx, d));
  return pass;
}

std::array<VkBufferView, k_max_lights> ShadowPass::texel_views() const {
  std::array<VkBufferView, k_max_lights> views{};
  for (std::size_t i = 0; i < views.size(); ++i) views[i] = m_texel_views[i].get();
  return views;
}

void ShadowPass::record(VkCommandBuffer cmd, std::span<const ShadowView> views, std::span<const synthlabel::Instance> instances,
                        std::span<const MeshRange> meshes, Geometry geometry) const {
  if (views.empty()) return;
  // The previous frame's fragment shaders have read the texel buffer before this frame's copies
  // overwrite it.
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0,
                       nullptr, 0, nullptr);
  for (const ShadowView& v : views) {
    VkClearValue clear{};
    clear.depthStencil = {1.0f, 0};
    VkRenderPassBeginInfo rp{};
    rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    rp.renderPass = m_render_pass.get();
    rp.framebuffer = m_framebuffers[v.layer].get();
    const std::uint32_t used = std::min(v.size, m_size);
    rp.renderArea = {{0, 0}, {used, used}};  // mesh.frag reads no texel beyond it
    rp.clearValueCount = 1;
    rp.pClearValues = &clear;
    vkCmdBeginRenderPass(cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_pipeline.get());
    const VkViewport viewport{0.0f, 0.0f, static_cast<float>(used), static_cast<float>(used), 0.0f, 1.0f};
    vkCmdSetViewport(cmd, 0, 1, &viewport);
    const VkDeviceSize zero = 0;
    vkCmdBindVertexBuffers(cmd, 0, 1, &geometry.vertices, &zero);
    vkCmdBindIndexBuffer(cmd, geometry.indices, 0, VK_INDEX_TYPE_UINT32);
    for (const ShadowCaster& c : v.casters) {
      const std::uint32_t x1 = std::min(c.x1, used), y1 = std::min(c.y1, used);
      if (c.x0 >= x1 || c.y0 >= y1) continue;
      const VkRect2D scissor{{static_cast<std::int32_t>(c.x0), static_cast<std::int32_t>(c.y0)}, {x1 - c.x0, y1 - c.y0}};
      vkCmdSetScissor(cmd, 0, 1, &scissor);
      const synthlabel::Instance& inst = instances[c.instance];
      const ShadowPush push{v.matrix * inst.model};
      vkCmdPushConstants(cmd, m_layout.get(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(push), &push);
      const MeshRange& r = meshes[inst.mesh_index];
      vkCmdDrawIndexed(cmd, r.index_count, 1, r.first_index, r.vertex_offset, 0);
    }
    vkCmdEndRenderPass(cmd);
    VkBufferImageCopy copy{};
    copy.bufferOffset = m_layer_bytes * v.layer;  // rows of `used` texels, one after another
    copy.imageSubresource = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, v.layer, 1};
    copy.imageExtent = {used, used, 1};
    vkCmdCopyImageToBuffer(cmd, m_map.image.get(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, m_texels.buffer.get(), 1, &copy);
  }
  VkBufferMemoryBarrier ready{};
  ready.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
  ready.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  ready.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  ready.srcQueueFamilyIndex = ready.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  ready.buffer = m_texels.buffer.get();
  ready.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr, 1, &ready,
                       0, nullptr);
}

}  // namespace synthlabel::vk
