#include "renderer/vulkan/Check.h"

#include <filesystem>

namespace synthlabel::vk {

const char* result_name(VkResult r) {
  switch (r) {
#define SL_CASE(x) \
  case x:          \
    return #x;
    SL_CASE(VK_SUCCESS)
    SL_CASE(VK_NOT_READY)
    SL_CASE(VK_TIMEOUT)
    SL_CASE(VK_INCOMPLETE)
    SL_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
    SL_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    SL_CASE(VK_ERROR_INITIALIZATION_FAILED)
    SL_CASE(VK_ERROR_DEVICE_LOST)
    SL_CASE(VK_ERROR_MEMORY_MAP_FAILED)
    SL_CASE(VK_ERROR_LAYER_NOT_PRESENT)
    SL_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
    SL_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
    SL_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
    SL_CASE(VK_ERROR_TOO_MANY_OBJECTS)
    SL_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
    SL_CASE(VK_ERROR_FRAGMENTED_POOL)
    SL_CASE(VK_ERROR_UNKNOWN)
    SL_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
#undef SL_CASE
    default:
      return "VK_ERROR_(unlisted)";
  }
}

Error vk_error(VkResult r, const char* call, const char* file, int line) {
  std::string hint;
  if (r == VK_ERROR_DEVICE_LOST) hint = " (the GPU device was lost)";
  if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY) hint = " (out of GPU memory: lower the resolution)";
  if (r == VK_ERROR_INCOMPATIBLE_DRIVER) hint = " (no Vulkan driver: install mesa-vulkan-drivers for lavapipe)";
  return make_error(ExitCode::device, std::string("Vulkan error ") + result_name(r) + hint + " in " + call + " at " +
                                          std::filesystem::path(file).filename().string() + ":" + std::to_string(line));
}

}  // namespace synthlabel::vk
