#include "renderer/vulkan/VulkanMemory.h"

#include <cstring>
#include <utility>

#include "renderer/vulkan/Check.h"
#include "renderer/vulkan/VulkanObjects.h"

namespace synthlabel::vk {
namespace {

// Allocates memory for `req` from a type with all `required` flags, preferring one that also has
// `preferred`; `type` receives the chosen memory type index.
// `flags` (optional) receives the chosen type's property flags.
Result<UniqueMemory> allocate(const VulkanContext& ctx, const VkMemoryRequirements& req, VkMemoryPropertyFlags required,
                              VkMemoryPropertyFlags preferred, VkMemoryPropertyFlags* flags = nullptr) {
  std::uint32_t type = 0;
  const auto& mp = ctx.memory;
  bool found = false;
  for (VkMemoryPropertyFlags want : {required | preferred, required}) {
    for (std::uint32_t i = 0; i < mp.memoryTypeCount && !found; ++i) {
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) {
        type = i;
        found = true;
      }
    }
    if (found) break;
  }
  if (!found) return make_error(ExitCode::device, "no suitable GPU memory type");
  VkMemoryAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  VkDeviceMemory mem = VK_NULL_HANDLE;
  SL_VK_TRY(vkAllocateMemory(ctx.device, &ai, nullptr, &mem));
  if (flags) *flags = mp.memoryTypes[type].propertyFlags;
  return UniqueMemory(ctx.device, mem);
}

VkMemoryRequirements requirements(VkDevice device, VkBuffer buffer) {
  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(device, buffer, &req);
  return req;
}

VkMemoryRequirements requirements(VkDevice device, VkImage image) {
  VkMemoryRequirements req{};
  vkGetImageMemoryRequirements(device, image, &req);
  return req;
}

}  // namespace

Buffer& Buffer::operator=(Buffer&& o) noexcept {
  if (this != &o) {
    buffer = std::move(o.buffer);  // the old buffer goes before its memory
    memory = std::move(o.memory);
    mapped = std::exchange(o.mapped, nullptr);
    coherent = o.coherent;
    size = o.size;
  }
  return *this;
}

Image& Image::operator=(Image&& o) noexcept {
  if (this != &o) {
    view = std::move(o.view);  // the old view, then the old image, then its memory
    image = std::move(o.image);
    memory = std::move(o.memory);
    format = o.format;
  }
  return *this;
}

Result<Buffer> create_buffer(const VulkanContext& ctx, const BufferDesc& desc) {
  const VkBufferCreateInfo ci{.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                              .pNext = nullptr,
                              .flags = 0,
                              .size = desc.size,
                              .usage = desc.usage,
                              .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
                              .queueFamilyIndexCount = 0,
                              .pQueueFamilyIndices = nullptr};
  VkBuffer buf = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateBuffer(ctx.device, &ci, nullptr, &buf));
  Buffer out;
  out.buffer = UniqueBuffer(ctx.device, buf);
  VkMemoryPropertyFlags flags = 0;
  SL_TRY_ASSIGN(out.memory, allocate(ctx, requirements(ctx.device, buf), desc.required, desc.preferred, &flags));
  SL_VK_TRY(vkBindBufferMemory(ctx.device, buf, out.memory.get(), 0));
  if (desc.map) SL_VK_TRY(vkMapMemory(ctx.device, out.memory.get(), 0, VK_WHOLE_SIZE, 0, &out.mapped));
  out.size = desc.size;
  out.coherent = (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
  return out;
}

Result<Buffer> create_staging(const VulkanContext& ctx, const void* data, VkDeviceSize bytes) {
  auto staging = create_buffer(ctx, {.size = bytes,
                                     .usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                     .required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                     .map = true});
  if (!staging) return staging.error();
  std::memcpy(staging->mapped, data, bytes);
  return staging;
}

Result<Image> create_image(const VulkanContext& ctx, const ImageDesc& desc) {
  const ImageShape& shape = desc.shape;
  // Labels: exactly one sample, at the pixel centre (supersampling: the middle one).
  const VkImageCreateInfo ci{.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO,
                             .pNext = nullptr,
                             .flags = shape.mutable_format ? VkImageCreateFlags{VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT} : 0u,
                             .imageType = VK_IMAGE_TYPE_2D,
                             .format = desc.format,
                             .extent = {shape.width, shape.height, 1},
                             .mipLevels = shape.mips,
                             .arrayLayers = shape.layers,
                             .samples = VK_SAMPLE_COUNT_1_BIT,
                             .tiling = VK_IMAGE_TILING_OPTIMAL,
                             .usage = desc.usage,
                             .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
                             .queueFamilyIndexCount = 0,
                             .pQueueFamilyIndices = nullptr,
                             .initialLayout = VK_IMAGE_LAYOUT_UNDEFINED};
  VkImage img = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateImage(ctx.device, &ci, nullptr, &img));
  Image out;
  out.image = UniqueImage(ctx.device, img);
  SL_TRY_ASSIGN(out.memory, allocate(ctx, requirements(ctx.device, img), 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT));
  SL_VK_TRY(vkBindImageMemory(ctx.device, img, out.memory.get(), 0));
  SL_TRY_ASSIGN(out.view, make_image_view(ctx, img, shape.array ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D,
                                          desc.format, {desc.aspect, 0, shape.mips, 0, shape.layers}));
  out.format = desc.format;
  return out;
}

Status invalidate(const VulkanContext& ctx, const Buffer& buffer) {
  if (buffer.coherent) return ok_status();
  VkMappedMemoryRange range{};
  range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
  range.memory = buffer.memory.get();
  range.size = VK_WHOLE_SIZE;
  SL_VK_TRY(vkInvalidateMappedMemoryRanges(ctx.device, 1, &range));
  return ok_status();
}

}  // namespace synthlabel::vk
