#include "renderer/vulkan/VulkanCommands.h"

#include <limits>

#include "renderer/vulkan/Check.h"

namespace synthlabel::vk {
namespace {

Result<VkCommandBuffer> allocate_command_buffer(const VulkanContext& ctx, VkCommandPool pool) {
  VkCommandBufferAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  ai.commandPool = pool;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  SL_VK_TRY(vkAllocateCommandBuffers(ctx.device, &ai, &cmd));
  return cmd;
}

Result<UniqueFence> make_fence(const VulkanContext& ctx) {
  VkFenceCreateInfo fi{};
  fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fence = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateFence(ctx.device, &fi, nullptr, &fence));
  return UniqueFence(ctx.device, fence);
}

Status begin_one_time(VkCommandBuffer cmd) {
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  SL_VK_TRY(vkBeginCommandBuffer(cmd, &begin));
  return ok_status();
}

Status queue(const VulkanContext& ctx, VkCommandBuffer cmd, VkFence fence) {
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd;
  SL_VK_TRY(vkResetFences(ctx.device, 1, &fence));
  SL_VK_TRY(vkQueueSubmit(ctx.queue, 1, &si, fence));
  return ok_status();
}

Status wait_fence(const VulkanContext& ctx, VkFence fence) {
  SL_VK_TRY(vkWaitForFences(ctx.device, 1, &fence, VK_TRUE, std::numeric_limits<std::uint64_t>::max()));
  return ok_status();
}

}  // namespace

Result<UniqueCommandPool> make_command_pool(const VulkanContext& ctx, bool transient) {
  VkCommandPoolCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
  ci.flags = transient ? VK_COMMAND_POOL_CREATE_TRANSIENT_BIT : VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  ci.queueFamilyIndex = ctx.queue_family;
  VkCommandPool pool = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateCommandPool(ctx.device, &ci, nullptr, &pool));
  return UniqueCommandPool(ctx.device, pool);
}

Result<OneShotCommands> OneShotCommands::create(const VulkanContext& ctx) {
  OneShotCommands c;
  c.m_ctx = ctx;
  SL_TRY_ASSIGN(c.m_pool, make_command_pool(ctx, true));
  return c;
}

Status OneShotCommands::submit(const std::function<void(VkCommandBuffer)>& record) const {
  const VulkanContext& ctx = m_ctx;
  const VkCommandPool pool = m_pool.get();
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  SL_TRY_ASSIGN(cmd, allocate_command_buffer(ctx, pool));
  struct Free {  // the buffer goes back to the pool on every path
    const VulkanContext& ctx;
    VkCommandPool pool;
    VkCommandBuffer cmd;
    ~Free() { vkFreeCommandBuffers(ctx.device, pool, 1, &cmd); }
  } free_cmd{ctx, pool, cmd};
  UniqueFence fence;
  SL_TRY_ASSIGN(fence, make_fence(ctx));
  SL_TRY_STATUS(begin_one_time(cmd));
  record(cmd);
  SL_VK_TRY(vkEndCommandBuffer(cmd));
  SL_TRY_STATUS(queue(ctx, cmd, fence.get()));
  return wait_fence(ctx, fence.get());  // later reads are ordered by this full wait + a new submission
}

Result<FrameRing> FrameRing::create(const VulkanContext& ctx, const Desc& desc) {
  FrameRing ring;
  ring.m_ctx = ctx;
  SL_TRY_ASSIGN(ring.m_pool, make_command_pool(ctx, false));
  SL_TRY_ASSIGN(ring.m_descriptors, make_descriptor_pool(ctx, desc.slots, desc.set_bindings));
  ring.m_slots.resize(desc.slots);
  for (FrameSlot& slot : ring.m_slots) {
    SL_TRY_ASSIGN(slot.cmd, allocate_command_buffer(ctx, ring.m_pool.get()));
    SL_TRY_ASSIGN(slot.fence, make_fence(ctx));
    SL_TRY_ASSIGN(slot.uniforms, create_buffer(ctx, {.size = desc.uniform_bytes,
                                                     .usage = VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                                                     .required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT |
                                                                 VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                                                     .map = true}));
    // Readback: host-cached memory makes the CPU's reads of the frame fast (uncached reads are slow).
    SL_TRY_ASSIGN(slot.readback, create_buffer(ctx, {.size = desc.readback_bytes,
                                                     .usage = VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                                     .required = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
                                                     .preferred = VK_MEMORY_PROPERTY_HOST_CACHED_BIT,
                                                     .map = true}));
    SL_TRY_ASSIGN(slot.set, allocate_set(ctx, ring.m_descriptors.get(), desc.set_layout));
    write_uniform_buffer(ctx, slot.set, 0, slot.uniforms.buffer.get(), desc.uniform_bytes);
  }
  return ring;
}

bool FrameRing::any_pending() const {
  for (const FrameSlot& s : m_slots) {
    if (s.pending) return true;
  }
  return false;
}

Status FrameRing::begin(FrameSlot& slot) const { return begin_one_time(slot.cmd); }

Status FrameRing::submit(FrameSlot& slot) const {
  SL_VK_TRY(vkEndCommandBuffer(slot.cmd));
  return queue(m_ctx, slot.cmd, slot.fence.get());
}

Status FrameRing::wait(FrameSlot& slot) const { return wait_fence(m_ctx, slot.fence.get()); }

}  // namespace synthlabel::vk
