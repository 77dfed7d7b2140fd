// The Vulkan backend: headless, one offscreen render pass, readback to host memory.
// Attachments: RGBA8 sRGB colour, R32_SFLOAT linear depth, R32_UINT instance id (all single-sample,
// no blending), plus a depth buffer for the z-test. Not thread-safe: one thread calls render().
#pragma once

#include <memory>
#include <vector>

#include "renderer/Renderer.h"
#include "renderer/vulkan/Bootstrap.h"
#include "renderer/vulkan/Handles.h"

namespace synthlabel::vk {

class VulkanRenderer final : public Renderer {
 public:
  static Result<std::unique_ptr<VulkanRenderer>> create(const RendererOptions& options);
  ~VulkanRenderer() override;

  Status upload_meshes(std::span<const Mesh> meshes) override;
  Status render(const Scene& scene, FrameBuffers& out) override;
  const DeviceInfo& device() const override { return m_physical.info; }
  const Instance& instance() const { return m_instance; }

 private:
  struct Buffer {  // member order: memory outlives the buffer bound to it
    UniqueMemory memory;
    UniqueBuffer buffer;
    void* mapped = nullptr;
    bool coherent = true;
    VkDeviceSize size = 0;
  };
  struct Target {
    UniqueMemory memory;
    UniqueImage image;
    UniqueImageView view;
    VkFormat format = VK_FORMAT_UNDEFINED;
  };
  struct MeshRange {
    std::uint32_t first_index = 0, index_count = 0;
    std::int32_t vertex_offset = 0;
  };

  VulkanRenderer() = default;
  Status init(const RendererOptions& options);
  Result<std::uint32_t> memory_type(std::uint32_t bits, VkMemoryPropertyFlags required,
                                    VkMemoryPropertyFlags preferred) const;
  Status make_buffer(VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                     VkMemoryPropertyFlags preferred, bool map, Buffer& out) const;
  Status make_target(VkFormat format, VkImageUsageFlags usage, VkImageAspectFlags aspect, Target& out) const;
  Status make_render_pass();
  Status make_pipeline();
  Status submit_and_wait();
  Status check_messages() const;

  // Declaration order = lifetime order: the instance outlives the device, the device its children.
  Instance m_instance;
  PhysicalDevice m_physical;
  Device m_device;
  std::uint32_t m_width = 0, m_height = 0;
  VkFormat m_zbuffer_format = VK_FORMAT_UNDEFINED;
  UniqueCommandPool m_command_pool;
  VkCommandBuffer m_cmd = VK_NULL_HANDLE;  // freed with the pool
  UniqueFence m_fence;
  Target m_color, m_linear_depth, m_ids, m_zbuffer;
  UniqueRenderPass m_render_pass;
  UniqueFramebuffer m_framebuffer;
  UniqueDescriptorSetLayout m_set_layout;
  UniqueDescriptorPool m_descriptor_pool;
  VkDescriptorSet m_set = VK_NULL_HANDLE;  // freed with the pool
  UniquePipelineLayout m_pipeline_layout;
  UniquePipeline m_pipeline;
  Buffer m_frame_ubo;
  Buffer m_readback;
  Buffer m_vertices;
  Buffer m_indices;
  std::vector<MeshRange> m_meshes;
};

}  // namespace synthlabel::vk
