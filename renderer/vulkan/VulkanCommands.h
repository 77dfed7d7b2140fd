// Command buffers and frame slots.
//
// FrameRing: the frames in flight. Each slot has its own command buffer, fence, uniform buffer,
// host-cached readback buffer and descriptor set (binding 0: the slot's uniforms; the image bindings
// are written by whoever owns the images), so the device renders frame i+2 while the host reads frame
// i. Nothing is allocated per frame.
// OneShotCommands: one-shot work (uploads, layout transitions) in a transient command buffer of its own
// pool, never a frame slot's, waited for before it returns.
// Not thread-safe: one thread records and submits.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "core/Error.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanMemory.h"
#include "renderer/vulkan/VulkanObjects.h"

namespace synthlabel::vk {

struct FrameSlot {
  VkCommandBuffer cmd = VK_NULL_HANDLE;  // freed with the ring's pool
  UniqueFence fence;
  Buffer uniforms;
  Buffer readback;
  VkDescriptorSet set = VK_NULL_HANDLE;  // freed with the ring's descriptor pool
  bool pending = false;                  // submitted, not yet collected
};

// A command pool on the context's queue family; `transient` for short-lived one-shot buffers, else
// its buffers can be reset and re-recorded (frame slots).
Result<UniqueCommandPool> make_command_pool(const VulkanContext& ctx, bool transient);

// One-shot work (uploads, layout transitions): its own transient pool, never a frame slot's buffer.
class OneShotCommands {
 public:
  static Result<OneShotCommands> create(const VulkanContext& ctx);
  // Records `record` into a fresh command buffer, submits it and waits for it.
  Status submit(const std::function<void(VkCommandBuffer)>& record) const;

 private:
  VulkanContext m_ctx;
  UniqueCommandPool m_pool;
};

class FrameRing {
 public:
  struct Desc {
    std::uint32_t slots = 1;
    VkDeviceSize uniform_bytes = 0;
    VkDeviceSize readback_bytes = 0;
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    std::span<const SetBinding> set_bindings = {};  // the layout's bindings (binding 0: the uniform buffer)
  };
  static Result<FrameRing> create(const VulkanContext& ctx, const Desc& desc);

  std::uint32_t size() const { return static_cast<std::uint32_t>(m_slots.size()); }
  FrameSlot& operator[](std::uint32_t i) { return m_slots[i]; }
  const std::vector<FrameSlot>& slots() const { return m_slots; }
  bool any_pending() const;

  // Begins recording the slot's command buffer (one-time submit).
  Status begin(FrameSlot& slot) const;
  // Ends recording and queues the slot's command buffer, signalling its fence.
  Status submit(FrameSlot& slot) const;
  // Waits for the slot's fence (the frame submitted last).
  Status wait(FrameSlot& slot) const;

 private:
  VulkanContext m_ctx;
  UniqueCommandPool m_pool;
  UniqueDescriptorPool m_descriptors;
  std::vector<FrameSlot> m_slots;
};

}  // namespace synthlabel::vk
