// What every part of the Vulkan backend needs from the device, read once at start-up. Plain data,
// copied into the parts; owns nothing (VulkanRenderer owns the device and outlives every part).
#pragma once

#include "renderer/vulkan/Bootstrap.h"  // MessageLog, <vulkan/vulkan.h>, core/Error.h

namespace synthlabel::vk {

struct VulkanContext {
  VkDevice device{};
  VkPhysicalDevice physical{};
  VkQueue queue{};
  std::uint32_t queue_family = 0;
  VkPhysicalDeviceLimits limits{};
  VkPhysicalDeviceMemoryProperties memory{};
  const MessageLog* log = nullptr;  // the validation layer's messages (may stay empty)
  DynamicCull dynamic_cull{};       // per-draw culling state, when the device has it

  // Ok while the validation layer reported nothing (VulkanRenderer checks after each call).
  Status check_messages() const { return log ? log->check() : ok_status(); }
};

}  // namespace synthlabel::vk
