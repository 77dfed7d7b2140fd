#include "renderer/vulkan/Readback.h"

#include <cstring>

#include <glm/gtc/packing.hpp>

namespace synthlabel::vk {

Readback::Readback(std::uint32_t width, std::uint32_t height, bool normals, bool flow, bool surface)
    : m_width(width), m_height(height), m_planes{Plane::color, Plane::depth, Plane::ids} {
  if (normals) m_planes.push_back(Plane::normals);
  if (flow) m_planes.push_back(Plane::instance);
  if (surface) m_planes.push_back(Plane::uv), m_planes.push_back(Plane::albedo);
}

VkDeviceSize Readback::frame_bytes() const {
  return plane_offset(m_planes.size());
}

void Readback::copy(VkCommandBuffer cmd, const Image& image, Plane plane, VkBuffer buffer, VkDeviceSize offset,
                    VkRect2D area) const {
  const std::uint32_t bytes = k_planes[static_cast<std::uint32_t>(plane)].bytes;
  VkBufferImageCopy region{};
  region.bufferOffset = offset + (VkDeviceSize{static_cast<std::uint32_t>(area.offset.y)} * m_width +
                                  static_cast<std::uint32_t>(area.offset.x)) * bytes;
  region.bufferRowLength = m_width;
  region.bufferImageHeight = m_height;
  region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
  region.imageOffset = {area.offset.x, area.offset.y, 0};
  region.imageExtent = {area.extent.width, area.extent.height, 1};
  vkCmdCopyImageToBuffer(cmd, image.image.get(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, buffer, 1, &region);
}

void Readback::host_barrier(VkCommandBuffer cmd, VkBuffer buffer) {
  VkBufferMemoryBarrier barrier{};
  barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  barrier.srcQueueFamilyIndex = barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.buffer = buffer;
  barrier.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &barrier, 0,
                       nullptr);
}

void Readback::unpack(const Buffer& buffer, FrameBuffers& out) const {
  const std::size_t pixels = std::size_t{m_width} * m_height;
  const std::size_t plane = pixels * 4;
  out.width = m_width;
  out.height = m_height;
  out.rgba.resize(pixels * 4);
  out.depth.resize(pixels);
  out.instance_id.resize(pixels);
  const auto* base = static_cast<const std::uint8_t*>(buffer.mapped);
  std::memcpy(out.rgba.data(), base + plane_offset(0), plane);
  std::memcpy(out.depth.data(), base + plane_offset(1), plane);
  std::memcpy(out.instance_id.data(), base + plane_offset(2), plane);
  out.normals.clear();
  out.uv.clear();
  out.albedo.clear();
  out.instance_index.clear();  // (the flow, computed from the planes, is left as it was: compute_flow
                               // overwrites it whole, without clearing megabytes first)
  for (std::size_t k = 3; k < m_planes.size(); ++k) {
    const Plane p = m_planes[k];
    const std::size_t offset = static_cast<std::size_t>(plane_offset(k));
    if (p == Plane::normals) {
      out.normals.resize(pixels * 3);
      const auto* half = reinterpret_cast<const std::uint16_t*>(base + offset);
      for (std::size_t i = 0; i < pixels; ++i) {
        for (std::size_t c = 0; c < 3; ++c) out.normals[3 * i + c] = glm::unpackHalf1x16(half[4 * i + c]);
      }
    } else if (p == Plane::uv) {
      out.uv.resize(pixels * 2);
      std::memcpy(out.uv.data(), base + offset, pixels * 8);
    } else if (p == Plane::albedo) {
      out.albedo.resize(pixels * 3);
      const auto* half = reinterpret_cast<const std::uint16_t*>(base + offset);
      for (std::size_t i = 0; i < pixels; ++i) {
        for (std::size_t c = 0; c < 3; ++c) out.albedo[3 * i + c] = glm::unpackHalf1x16(half[4 * i + c]);
      }
    } else if (p == Plane::instance) {
      out.instance_index.resize(pixels);
      std::memcpy(out.instance_index.data(), base + offset, plane);
    }
  }
}

}  // namespace synthlabel::vk
