#include "renderer/Renderer.h"

#include <algorithm>
#include <cctype>

#include "renderer/LensRemap.h"
#include "renderer/vulkan/Bootstrap.h"
#include "renderer/vulkan/VulkanRenderer.h"

namespace synthlabel {

RendererOptions renderer_options_for(const SceneSpec& spec) {
  RendererOptions o;
  o.width = spec.width;
  o.height = spec.height;
  if (spec.camera.lens) {
    o.lens = true;
    o.width = spec.camera.source_width;
    o.height = spec.camera.source_height;
  }
  o.supersampling = spec.render.supersampling;
  o.shadow_map_size = spec.render.shadow_map_size;
  o.normals = spec.outputs.normals || spec.outputs.depth_sensor;  // the depth sensor's incidence test reads them
  // The instance plane: the flow and the correspondence outputs find each pixel's instance in it.
  o.flow = spec.outputs.flow || spec.outputs.object_coords || spec.outputs.nocs || spec.outputs.world_position;
  // uv and albedo come in the variant with every plane (the normals and instance planes read too).
  o.surface = spec.outputs.uv || spec.outputs.albedo;
  if (o.surface) o.normals = o.flow = true;
  return o;
}

Result<std::unique_ptr<Renderer>> create_renderer(const RendererOptions& options) {
  auto r = vk::VulkanRenderer::create(options);
  if (!r) return r.error();
  std::unique_ptr<Renderer> renderer(std::move(r).value());
  if (options.lens) return make_lens_renderer(std::move(renderer));
  return renderer;
}

std::shared_ptr<vk::DeviceOpening> open_device_async(const std::string& device, bool validate, bool limit_drivers) {
  return std::make_shared<vk::DeviceOpening>(device, validate, RendererOptions{}.dynamic_cull, limit_drivers);
}

Result<std::vector<DeviceInfo>> list_devices() { return vk::list_physical_devices(); }

bool device_matches(const DeviceInfo& d, std::string_view preference) {
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const bool numeric = !preference.empty() && std::all_of(preference.begin(), preference.end(), [](unsigned char c) { return std::isdigit(c); });
  return numeric ? std::to_string(d.index) == preference : lower(d.name).find(lower(preference)) != std::string::npos;
}

std::string device_listing(std::span<const DeviceInfo> devices) {
  std::string s;
  for (const auto& d : devices) s += (s.empty() ? "" : ", ") + std::to_string(d.index) + ": " + d.name;
  return s;
}

}  // namespace synthlabel
