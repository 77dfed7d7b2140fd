// Readback: copies of the frame-sized planes into a slot's host-visible buffer, and their unpacking
// into FrameBuffers. Layout of a frame in the buffer: the planes one after another, each a whole
// frame (rows of `width` pixels), colour, depth, ids (4 bytes a pixel each), then the normals (8)
// when read, then the forward and backward flow (16 each) when rendered. render_alone reads back
// only id planes, one per instance, each written within its box.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"
#include "renderer/Renderer.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/VulkanMemory.h"

namespace synthlabel::vk {

class Readback {
 public:
  Readback() = default;
  Readback(std::uint32_t width, std::uint32_t height, bool normals, bool flow, bool surface = false);

  // The planes read, in the layout's order.
  std::span<const Plane> planes() const { return m_planes; }
  // Bytes of one whole frame (every plane read).
  VkDeviceSize frame_bytes() const;
  // Bytes of one 4-byte plane (an id plane of render_alone).
  VkDeviceSize plane_bytes() const { return VkDeviceSize{m_width} * m_height * 4; }

  // Copies `area` (frame pixels) of `image`, plane `plane` of the layout, into `buffer` where those
  // pixels lie in a whole plane starting at `offset`.
  void copy(VkCommandBuffer cmd, const Image& image, Plane plane, VkBuffer buffer, VkDeviceSize offset, VkRect2D area) const;
  // Every plane of a whole frame, from `image_of(plane)`, at the layout's offsets.
  template <class ImageOf>
  void copy_frame(VkCommandBuffer cmd, ImageOf&& image_of, VkBuffer buffer) const {
    for (std::size_t i = 0; i < m_planes.size(); ++i) copy(cmd, image_of(m_planes[i]), m_planes[i], buffer, plane_offset(i), {{0, 0}, {m_width, m_height}});
  }
  // Where plane i of the frame starts in the buffer: after the ones before it, each start a multiple of
  // 16 bytes (a copy's buffer offset must be a multiple of its format's texel size, up to 8 here, for
  // any pixel count).
  VkDeviceSize plane_offset(std::size_t i) const {
    VkDeviceSize offset = 0;
    for (std::size_t k = 0; k < i; ++k) {
      offset += VkDeviceSize{m_width} * m_height * k_planes[static_cast<std::uint32_t>(m_planes[k])].bytes;
      offset = (offset + 15) / 16 * 16;
    }
    return offset;
  }
  // Makes the copies visible to the host's reads after the fence.
  static void host_barrier(VkCommandBuffer cmd, VkBuffer buffer);
  // A frame read back into `buffer` (mapped, invalidated) -> `out`.
  void unpack(const Buffer& buffer, FrameBuffers& out) const;

 private:
  std::uint32_t m_width = 0, m_height = 0;
  std::vector<Plane> m_planes;
};

}  // namespace synthlabel::vk
