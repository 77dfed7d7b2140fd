#include "renderer/vulkan/ResolvePass.h"

#include <vector>

#include "embedded_shaders.h"
#include "renderer/vulkan/VulkanObjects.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

Result<ResolvePass> ResolvePass::create(const VulkanContext& ctx, const MainPass& main, std::uint32_t width,
                                        std::uint32_t height, std::uint32_t supersampling, bool normals, bool flow,
                                        bool surface) {
  ResolvePass pass;
  const std::uint32_t colors = main.planes();
  std::vector<VkAttachmentDescription> att;
  std::vector<VkImageView> views;
  for (std::uint32_t i = 0; i < colors; ++i) {
    if (main.unused() & (1u << i)) continue;  // no plane there: the shader's write is dropped
    SL_TRY_ASSIGN(pass.m_images[i],
                  create_image(ctx, {.format = k_planes[i].format,
                                     .usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT,
                                     .shape = {width, height}}));
    // Every pixel is written: nothing to load.
    att.push_back(attachment(k_planes[i].format, VK_ATTACHMENT_LOAD_OP_DONT_CARE, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL));
    views.push_back(pass.m_images[i].view.get());
  }
  std::array<VkSubpassDependency, 2> deps{};
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;  // the previous frame's copies of these planes
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].srcSubpass = 0;  // this frame's copies
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
  SL_TRY_ASSIGN(pass.m_render_pass, make_render_pass(ctx, att, colors, false, deps, main.unused()));
  SL_TRY_ASSIGN(pass.m_framebuffer, make_framebuffer(ctx, pass.m_render_pass.get(), views, width, height));

  constexpr SetBinding k_bindings[7] = {};  // seven combined image samplers, fragment stage
  SL_TRY_ASSIGN(pass.m_set_layout, make_set_layout(ctx, k_bindings));
  SL_TRY_ASSIGN(pass.m_pool, make_descriptor_pool(ctx, 1, k_bindings));
  SL_TRY_ASSIGN(pass.m_set, allocate_set(ctx, pass.m_pool.get(), pass.m_set_layout.get()));
  SL_TRY_ASSIGN(pass.m_layout, make_pipeline_layout(ctx, pass.m_set_layout.get(), 0, 0));
  // texelFetch ignores filtering; integer formats need nearest anyway.
  SL_TRY_ASSIGN(pass.m_sampler, make_sampler(ctx, {}));
  // Planes resolve.frag's variant does not use get the depth, so the set is complete.
  const bool with_normals = normals;
  const Plane sources[7] = {Plane::color, Plane::depth, Plane::ids, with_normals ? Plane::normals : Plane::depth,
                            flow ? Plane::instance : Plane::depth, surface ? Plane::uv : Plane::depth,
                            surface ? Plane::albedo : Plane::depth};
  std::array<VkDescriptorImageInfo, 7> infos{};
  for (std::uint32_t i = 0; i < 7; ++i) {
    infos[i] = {pass.m_sampler.get(), main.plane(sources[i]).view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
  }
  write_images(ctx, pass.m_set, 0, infos);

  // resolve.frag's constant_id 0: the supersampling factor.
  const auto factor = static_cast<std::int32_t>(supersampling);
  const VkSpecializationMapEntry entry{0, 0, sizeof(factor)};
  const VkSpecializationInfo spec{1, &entry, sizeof(factor), &factor};
  namespace s = shaders;
  GraphicsPipelineDesc d{
      .vertex = {s::k_spirv_background_vert, s::k_spirv_background_vert_words},
      .fragment = surface   ? std::span<const std::uint32_t>(s::k_spirv_resolve_frag_with_surface, s::k_spirv_resolve_frag_with_surface_words)
                  : flow    ? std::span<const std::uint32_t>(s::k_spirv_resolve_frag_with_flow, s::k_spirv_resolve_frag_with_flow_words)
                  : normals ? std::span<const std::uint32_t>(s::k_spirv_resolve_frag_with_normals,
                                                             s::k_spirv_resolve_frag_with_normals_words)
                            : std::span<const std::uint32_t>(s::k_spirv_resolve_frag, s::k_spirv_resolve_frag_words),
      .fragment_constants = &spec,
      .vertices = GraphicsPipelineDesc::Vertices::none,
      .depth_test = false,
      .depth_state = false,
      .color_attachments = colors,
      .width = width,
      .height = height,
      .layout = pass.m_layout.get(),
      .render_pass = pass.m_render_pass.get()};
  SL_TRY_ASSIGN(pass.m_pipeline, make_graphics_pipeline(ctx, d));
  return pass;
}

void ResolvePass::record(VkCommandBuffer cmd, VkRect2D area) const {
  VkRenderPassBeginInfo rb{};
  rb.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
  rb.renderPass = m_render_pass.get();
  rb.framebuffer = m_framebuffer.get();
  rb.renderArea = area;
  vkCmdBeginRenderPass(cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
  vkCmdSetScissor(cmd, 0, 1, &area);
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_pipeline.get());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_layout.get(), 0, 1, &m_set, 0, nullptr);
  vkCmdDraw(cmd, 3, 1, 0, 0);
  vkCmdEndRenderPass(cmd);
}

}  // namespace synthlabel::vk
