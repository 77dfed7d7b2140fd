// One way to call Vulkan: SL_VK_TRY(vkCall(...)) returns an Error(ExitCode::device) naming the
// VkResult, the call, and the source line when the call fails. Only renderer/vulkan includes this.
#pragma once

#include <vulkan/vulkan.h>

#include <string>

#include "core/Error.h"

namespace synthlabel::vk {

const char* result_name(VkResult r);
Error vk_error(VkResult r, const char* call, const char* file, int line);

}  // namespace synthlabel::vk

#define SL_VK_TRY(call)                                                              \
  do {                                                                               \
    const VkResult sl_vk_result_ = (call);                                           \
    if (sl_vk_result_ != VK_SUCCESS)                                                 \
      return ::synthlabel::vk::vk_error(sl_vk_result_, #call, __FILE__, __LINE__);   \
  } while (0)
