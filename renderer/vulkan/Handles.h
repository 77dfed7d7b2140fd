// Move-only RAII owners for Vulkan handles: each destroys its handle in its destructor. In classes
// that hold several, members are declared parent-first (device before buffers), so C++'s reverse
// destruction order frees children before their parent.
#pragma once

#include <vulkan/vulkan.h>

#include <utility>

namespace synthlabel::vk {

// A handle owned through a VkDevice, destroyed by DestroyFn(device, handle, nullptr).
template <class H, auto DestroyFn>
class DeviceHandle {
 public:
  DeviceHandle() = default;
  DeviceHandle(VkDevice device, H handle) : m_device(device), m_handle(handle) {}
  ~DeviceHandle() { reset(); }
  DeviceHandle(const DeviceHandle&) = delete;
  DeviceHandle& operator=(const DeviceHandle&) = delete;
  DeviceHandle(DeviceHandle&& o) noexcept
      : m_device(o.m_device), m_handle(std::exchange(o.m_handle, static_cast<H>(VK_NULL_HANDLE))) {}
  DeviceHandle& operator=(DeviceHandle&& o) noexcept {
    if (this != &o) {
      reset();
      m_device = o.m_device;
      m_handle = std::exchange(o.m_handle, static_cast<H>(VK_NULL_HANDLE));
    }
    return *this;
  }
  void reset() {
    if (m_handle != VK_NULL_HANDLE) DestroyFn(m_device, m_handle, nullptr);
    m_handle = VK_NULL_HANDLE;
  }
  H get() const { return m_handle; }
  const H* ptr() const { return &m_handle; }

 private:
  VkDevice m_device = VK_NULL_HANDLE;
  H m_handle = VK_NULL_HANDLE;
};

using UniqueBuffer = DeviceHandle<VkBuffer, vkDestroyBuffer>;
using UniqueBufferView = DeviceHandle<VkBufferView, vkDestroyBufferView>;
using UniqueMemory = DeviceHandle<VkDeviceMemory, vkFreeMemory>;
using UniqueImage = DeviceHandle<VkImage, vkDestroyImage>;
using UniqueImageView = DeviceHandle<VkImageView, vkDestroyImageView>;
using UniqueSampler = DeviceHandle<VkSampler, vkDestroySampler>;
using UniqueRenderPass = DeviceHandle<VkRenderPass, vkDestroyRenderPass>;
using UniqueFramebuffer = DeviceHandle<VkFramebuffer, vkDestroyFramebuffer>;
using UniqueShaderModule = DeviceHandle<VkShaderModule, vkDestroyShaderModule>;
using UniquePipelineLayout = DeviceHandle<VkPipelineLayout, vkDestroyPipelineLayout>;
using UniquePipeline = DeviceHandle<VkPipeline, vkDestroyPipeline>;
using UniqueDescriptorSetLayout = DeviceHandle<VkDescriptorSetLayout, vkDestroyDescriptorSetLayout>;
using UniqueDescriptorPool = DeviceHandle<VkDescriptorPool, vkDestroyDescriptorPool>;
using UniqueCommandPool = DeviceHandle<VkCommandPool, vkDestroyCommandPool>;
using UniqueFence = DeviceHandle<VkFence, vkDestroyFence>;

}  // namespace synthlabel::vk
