// Device memory for the Vulkan backend: buffers and images with the memory bound to them, created
// from a description. Each owns its memory (RAII); on assignment the old buffer or image goes before
// the memory it was bound to.
#pragma once

#include <cstdint>

#include "core/Error.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/VulkanContext.h"

namespace synthlabel::vk {

struct BufferDesc {
  VkDeviceSize size = 0;
  VkBufferUsageFlags usage = 0;
  VkMemoryPropertyFlags required = 0;   // the memory type must have all of these
  VkMemoryPropertyFlags preferred = 0;  // and preferably these too
  bool map = false;                     // mapped for the buffer's lifetime (Buffer::mapped)
};

struct Buffer {
  UniqueMemory memory;  // declared first: destroyed after the buffer bound to it
  UniqueBuffer buffer;
  void* mapped = nullptr;
  bool coherent = true;  // host-coherent memory: no flush or invalidate needed
  VkDeviceSize size = 0;

  Buffer() = default;
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&& o) noexcept;
};

// An image's size and kind: `array` gives a 2D-array view (what the shaders' samplers take);
// `mutable_format` lets other views reinterpret the format (sRGB/UNORM).
struct ImageShape {
  std::uint32_t width = 0, height = 0, layers = 1, mips = 1;
  bool array = false;
  bool mutable_format = false;
};

struct ImageDesc {
  VkFormat format = VK_FORMAT_UNDEFINED;
  VkImageUsageFlags usage = 0;
  VkImageAspectFlags aspect = VK_IMAGE_ASPECT_COLOR_BIT;
  ImageShape shape;
};

// A device-local image, single-sampled, optimal tiling, with a view of all its levels and layers.
struct Image {
  UniqueMemory memory;
  UniqueImage image;
  UniqueImageView view;
  VkFormat format = VK_FORMAT_UNDEFINED;

  Image() = default;
  Image(Image&&) noexcept = default;
  Image& operator=(Image&& o) noexcept;
};

// Fails (ExitCode::device) when no memory type has desc.required.
Result<Buffer> create_buffer(const VulkanContext& ctx, const BufferDesc& desc);
// A host-visible, coherent, mapped buffer holding a copy of `bytes` bytes at `data`: the source of
// an upload.
Result<Buffer> create_staging(const VulkanContext& ctx, const void* data, VkDeviceSize bytes);
Result<Image> create_image(const VulkanContext& ctx, const ImageDesc& desc);
// Makes the device's writes to a mapped buffer visible to the host (after the fence that covers them).
Status invalidate(const VulkanContext& ctx, const Buffer& buffer);

}  // namespace synthlabel::vk
