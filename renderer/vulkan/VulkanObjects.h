// The small Vulkan objects, each made from a short description in one call: samplers, descriptor set
// layouts, pools and sets, pipeline layouts, image views, render passes, framebuffers, shader
// modules, and the descriptor writes. The parts of the backend describe what they need; the create
// structures are filled here once.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "core/Error.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/VulkanContext.h"

namespace synthlabel::vk {

struct SamplerDesc {
  VkFilter filter = VK_FILTER_NEAREST;
  VkSamplerMipmapMode mipmap = VK_SAMPLER_MIPMAP_MODE_NEAREST;
  VkSamplerAddressMode address_u = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  VkSamplerAddressMode address_v = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
  float max_lod = 0.0f;
};
Result<UniqueSampler> make_sampler(const VulkanContext& ctx, const SamplerDesc& desc);

// Bindings 0.. in order, `count` descriptors each (an array when more than one), of the given types,
// visible to `stages[i]`.
struct SetBinding {
  VkDescriptorType type = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
  VkShaderStageFlags stages = VK_SHADER_STAGE_FRAGMENT_BIT;
  std::uint32_t count = 1;
};
Result<UniqueDescriptorSetLayout> make_set_layout(const VulkanContext& ctx, std::span<const SetBinding> bindings);
// A pool for `sets` sets of `bindings` each.
Result<UniqueDescriptorPool> make_descriptor_pool(const VulkanContext& ctx, std::uint32_t sets,
                                                  std::span<const SetBinding> bindings);
Result<VkDescriptorSet> allocate_set(const VulkanContext& ctx, VkDescriptorPool pool, VkDescriptorSetLayout layout);
// At most one set layout and one push-constant range (of `push_bytes`, 0: none).
Result<UniquePipelineLayout> make_pipeline_layout(const VulkanContext& ctx, VkDescriptorSetLayout set,
                                                  std::uint32_t push_bytes, VkShaderStageFlags push_stages);

// A view of `bytes` bytes of `buffer` from `offset` as texels of `format` (a uniform texel buffer).
Result<UniqueBufferView> make_buffer_view(const VulkanContext& ctx, VkBuffer buffer, VkFormat format, VkDeviceSize offset,
                                          VkDeviceSize bytes);
Result<UniqueImageView> make_image_view(const VulkanContext& ctx, VkImage image, VkImageViewType type, VkFormat format,
                                        const VkImageSubresourceRange& range);

// An attachment that is cleared (or not loaded) and stored, starting UNDEFINED (every pass writes
// every pixel it reads back), ending in `final_layout`.
VkAttachmentDescription attachment(VkFormat format, VkAttachmentLoadOp load, VkImageLayout final_layout);
// One subpass over `colors` colour locations and optionally a depth attachment after them. Bit i of
// `unused` leaves location i without an attachment (VK_ATTACHMENT_UNUSED: the shader's writes there
// are dropped); `attachments` lists the others in location order, then the depth attachment.
Result<UniqueRenderPass> make_render_pass(const VulkanContext& ctx, std::span<const VkAttachmentDescription> attachments,
                                          std::uint32_t colors, bool depth,
                                          std::span<const VkSubpassDependency> dependencies, std::uint32_t unused = 0);
// The two external dependencies of a pass that clears and writes colour planes and a z-buffer which
// others read between its runs: the previous run's readers (`read_stages`) and depth tests finish
// before it writes; its colour writes are visible to the readers that follow (`next_stage`,
// `next_access`).
std::array<VkSubpassDependency, 2> colour_pass_dependencies(VkPipelineStageFlags read_stages, VkPipelineStageFlags next_stage,
                                                            VkAccessFlags next_access);
Result<UniqueFramebuffer> make_framebuffer(const VulkanContext& ctx, VkRenderPass pass, std::span<const VkImageView> views,
                                           std::uint32_t width, std::uint32_t height);
Result<UniqueShaderModule> make_shader_module(const VulkanContext& ctx, std::span<const std::uint32_t> words);

// Records a layout transition of `range` of `image` (an image memory barrier, no queue transfer).
struct LayoutTransition {
  VkImageLayout from = VK_IMAGE_LAYOUT_UNDEFINED, to = VK_IMAGE_LAYOUT_UNDEFINED;
  VkAccessFlags src_access = 0, dst_access = 0;
  VkPipelineStageFlags src_stage = VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, dst_stage = VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT;
};
void transition(VkCommandBuffer cmd, VkImage image, const VkImageSubresourceRange& range, const LayoutTransition& t);

// Writes combined image samplers to bindings first, first + 1, ... of `set`.
void write_images(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t first,
                  std::span<const VkDescriptorImageInfo> images);
// Writes uniform texel buffers to the elements 0, 1, ... of the array at `binding` of `set`.
void write_texel_buffers(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t binding,
                         std::span<const VkBufferView> views);
// Writes a whole buffer to `binding` of `set` (a uniform buffer, or a storage buffer).
void write_uniform_buffer(const VulkanContext& ctx, VkDescriptorSet set, std::uint32_t binding, VkBuffer buffer,
                          VkDeviceSize bytes, VkDescriptorType type = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER);

}  // namespace synthlabel::vk
