#include "renderer/vulkan/VulkanObjects.h"

#include <vector>

#include "renderer/vulkan/Check.h"

namespace synthlabel::vk {

Result<UniqueSampler> make_sampler(const VulkanContext& ctx, const SamplerDesc& desc) {
  VkSamplerCreateInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
  si.magFilter = si.minFilter = desc.filter;
  si.mipmapMode = desc.mipmap;
  si.addressModeU = desc.address_u;
  si.addressModeV = desc.address_v;
  si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  si.maxLod = desc.max_lod;
  VkSampler sampler = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateSampler(ctx.device, &si, nullptr, &sampler));
  return UniqueSampler(ctx.device, sampler);
}

Result<UniqueDescriptorSetLayout> make_set_layout(const VulkanContext& ctx, std::span<const SetBinding> bindings) {
  std::vector<VkDescriptorSetLayoutBinding> b(bindings.size());
  for (std::size_t i = 0; i < b.size(); ++i) {
    b[i].binding = static_cast<std::uint32_t>(i);
    b[i].descriptorType = bindings[i].type;
    b[i].descriptorCount = bindings[i].count;
    b[i].stageFlags = bindings[i].stages;
  }
  const VkDescriptorSetLayoutCreateInfo ci{.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
                                           .pNext = nullptr,
                                           .flags = 0,
                                           .bindingCount = static_cast<std::uint32_t>(b.size()),
                                           .pBindings = b.data()};
  VkDescriptorSetLayout layout = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateDescriptorSetLayout(ctx.device, &ci, nullptr, &layout));
  return UniqueDescriptorSetLayout(ctx.device, layout);
}

Result<UniqueDescriptorPool> make_descriptor_pool(const VulkanContext& ctx, std::uint32_t sets,
                                                  std::span<const SetBinding> bindings) {
  std::vector<VkDescriptorPoolSize> sizes;
  for (const SetBinding& b : bindings) {
    bool merged = false;
    for (auto& s : sizes) {
      if (s.type == b.type) s.descriptorCount += sets * b.count, merged = true;
    }
    if (!merged) sizes.push_back({b.type, sets * b.count});
  }
  const VkDescriptorPoolCreateInfo pci{.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
                                       .pNext = nullptr,
                                       .flags = 0,
                                       .maxSets = sets,
                                       .poolSizeCount = static_cast<std::uint32_t>(sizes.size()),
                                       .pPoolSizes = sizes.data()};
  VkDescriptorPool pool = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateDescriptorPool(ctx.device, &pci, nullptr, &pool));
  return UniqueDescriptorPool(ctx.device, pool);
}

Result<VkDescriptorSet> allocate_set(const VulkanContext& ctx, VkDescriptorPool pool, VkDescriptorSetLayout layout) {
  VkDescriptorSetAllocateInfo dai{};
  dai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  dai.descriptorPool = pool;
  dai.descriptorSetCount = 1;
  dai.pSetLayouts = &layout;
  VkDescriptorSet set = VK_NULL_HANDLE;  // freed with the pool
  SL_VK_TRY(vkAllocateDescriptorSets(ctx.device, &dai, &set));
  return set;
}

Result<UniquePipelineLayout> make_pipeline_layout(const VulkanContext& ctx, VkDescriptorSetLayout set,
                                                  std::uint32_t push_bytes, VkShaderStageFlags push_stages) {
  const VkPushConstantRange range{push_stages, 0, push_bytes};
  VkPipelineLayoutCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
  ci.setLayoutCount = set != VK_NULL_HANDLE ? 1 : 0;
  ci.pSetLayouts = &set;
  ci.pushConstantRangeCount = push_bytes > 0 ? 1 : 0;
  ci.pPushConstantRanges = &range;
  VkPipelineLayout pl = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreatePipelineLayout(ctx.device, &ci, nullptr, &pl));
  return UniquePipelineLayout(ctx.device, pl);
}

Result<UniqueBufferView> make_buffer_view(const VulkanContext& ctx, VkBuffer buffer, VkFormat format, VkDeviceSize offset,
                                          VkDeviceSize bytes) {
  VkBufferViewCreateInfo bi{};
  bi.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO;
  bi.buffer = buffer, bi.format = format, bi.offset = offset, bi.range = bytes;
  VkBufferView view = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateBufferView(ctx.device, &bi, nullptr, &view));
  return UniqueBufferView(ctx.device, view);
}

Result<UniqueImageView> make_image_view(const VulkanContext& ctx, VkImage image, VkImageViewType type, VkFormat format,
                                        const VkImageSubresourceRange& range) {
  const VkImageViewCreateInfo vi{.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO,
                                 .pNext = nullptr,
                                 .flags = 0,
                                 .image = image,
                                 .viewType = type,
                                 .format = format,
                                 .components = {},
                                 .subresourceRange = range};
  VkImageView view = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateImageView(ctx.device, &vi, nullptr, &view));
  return UniqueImageView(ctx.device, view);
}

VkAttachmentDescription attachment(VkFormat format, VkAttachmentLoadOp load, VkImageLayout final_layout) {
  VkAttachmentDescription a{};
  a.format = format;
  a.samples = VK_SAMPLE_COUNT_1_BIT;
  a.loadOp = load;
  a.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
  a.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
  a.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  a.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  a.finalLayout = final_layout;
  return a;
}

Result<UniqueRenderPass> make_render_pass(const VulkanContext& ctx, std::span<const VkAttachmentDescription> attachments,
                                          std::uint32_t colors, bool depth,
                                          std::span<const VkSubpassDependency> dependencies, std::uint32_t unused) {
  std::vector<VkAttachmentReference> color_refs;
  std::uint32_t next = 0;
  for (std::uint32_t i = 0; i < colors; ++i) {
    if (unused & (1u << i)) {
      color_refs.push_back({VK_ATTACHMENT_UNUSED, VK_IMAGE_LAYOUT_UNDEFINED});
    } else {
      color_refs.push_back({next++, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL});
    }
  }
  const VkAttachmentReference depth_ref{next, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
  VkSubpassDescription sub{};
  sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  sub.colorAttachmentCount = colors;
  sub.pColorAttachments = color_refs.data();
  if (depth) sub.pDepthStencilAttachment = &depth_ref;
  VkRenderPassCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO;
  ci.attachmentCount = static_cast<std::uint32_t>(attachments.size());
  ci.pAttachments = attachments.data();
  ci.subpassCount = 1;
  ci.pSubpasses = &sub;
  ci.dependencyCount = static_cast<std::uint32_t>(dependencies.size());
  ci.pDependencies = dependencies.data();
  VkRenderPass rp = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateRenderPass(ctx.device, &ci, nullptr, &rp));
  return UniqueRenderPass(ctx.device, rp);
}

std::array<VkSubpassDependency, 2> colour_pass_dependencies(VkPipelineStageFlags read_stages, VkPipelineStageFlags next_stage,
                                                            VkAccessFlags next_access) {
  std::array<VkSubpassDependency, 2> deps{};
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = read_stages | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT;
  deps[0].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT |
                          VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].dstStageMask = next_stage;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstAccessMask = next_access;
  return deps;
}

Result<UniqueFramebuffer> make_framebuffer(const VulkanContext& ctx, VkRenderPass pass, std::span<const VkImageView> views,
                                           std::uint32_t width, std::uint32_t height) {
  VkFramebufferCreateInfo fi{};
  fi.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
  fi.renderPass = pass;
  fi.attachmentCount = static_cast<std::uint32_t>(views.size());
  fi.pAttachments = views.data();
  fi.width = width;
  fi.height = height;
  fi.layers = 1;
  VkFramebuffer fb = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateFramebuffer(ctx.device, &fi, nullptr, &fb));
  return UniqueFramebuffer(ctx.device, fb);
}

Result<UniqueShaderModule> make_shader_module(const VulkanContext& ctx, std::span<const std::uint32_t> words) {
  VkShaderModuleCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
  ci.codeSize = words.size() * sizeof(std::uint32_t);
  ci.pCode = words.data();
  VkShaderModule m = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateShaderModule(ctx.device, &ci, nullptr, &m));
  return UniqueShaderModule(ctx.device, m);
}

void transition(VkCommandBuffer cmd, VkImage image, const VkImageSubresourceRange& range, const LayoutTransition& t) {
  const VkImageMemoryBarrier b{.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER,
                               .pNext = nullptr,
                               .srcAccessMask = t.src_access,
                               .dstAccessMask = t.dst_access,
                               .oldLayout = t.from,
                               .newLayout = t.to,
                               .srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                               .dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED,
                               .image = image,
                               .subresourceRange = range};
  vkCmdPipelineBarrier(cmd, t.src_stage, t.dst_stage, 0, 0, nullptr, 0, nullptr, 1, &b);
}

void write_images(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t first,
                  std::span<const VkDescriptorImageInfo> images) {
  std::vector<VkWriteDescriptorSet> wr(images.size());
  for (std::size_t i = 0; i < images.size(); ++i) {
    wr[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
    wr[i].dstSet = set;
    wr[i].dstBinding = first + static_cast<std::uint32_t>(i);
    wr[i].descriptorCount = 1;
    wr[i].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    wr[i].pImageInfo = &images[i];
  }
  vkUpdateDescriptorSets(ctx.device, static_cast<std::uint32_t>(wr.size()), wr.data(), 0, nullptr);
}

void write_texel_buffers(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t binding,
                         std::span<const VkBufferView> views) {
  VkWriteDescriptorSet w{};
  w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
  w.dstSet = set;
  w.dstBinding = binding;
  w.descriptorCount = static_cast<std::uint32_t>(views.size());
  w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
  w.pTexelBufferView = views.data();
  vkUpdateDescriptorSets(ctx.device, 1, &w, 0, nullptr);
}

void write_uniform_buffer(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t binding, VkBuffer buffer,
                          VkDeviceSize bytes, VkDescriptorType type) {
  const VkDescriptorBufferInfo bi{buffer, 0, bytes};
  VkWriteDescriptorSet w{};
  w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
  w.dstSet = set;
  w.dstBinding = binding;
  w.descriptorCount = 1;
  w.descriptorType = type;
  w.pBufferInfo = &bi;
  vkUpdateDescriptorSets(ctx.device, 1, &w, 0, nullptr);
}

}  // namespace synthlabel::vk
