#include "renderer/Renderer.h"

#include "renderer/vulkan/VulkanRenderer.h"

namespace synthlabel {

Result<std::unique_ptr<Renderer>> create_renderer(const RendererOptions& options) {
  auto r = vk::VulkanRenderer::create(options);
  if (!r) return r.error();
  return std::unique_ptr<Renderer>(std::move(r).value());
}

Result<std::vector<DeviceInfo>> list_devices() { return vk::list_physical_devices(); }

}  // namespace synthlabel
