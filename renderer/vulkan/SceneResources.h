// What frames draw from, uploaded once: the meshes (one shared vertex and index buffer, a MeshRange
// per mesh), the environment maps (a 2D array with their prefiltered specular levels, and their
// irradiance SH), the textures (an sRGB 2D array with mips, and a UNORM view of it for data maps),
// and the samplers that read them. Until maps or textures are uploaded, a 1x1 black environment and
// a 1x1 white texture keep the descriptor sets complete. Uploads go through one-shot command buffers
// and wait; the caller makes sure no frame is in flight.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/Error.h"
#include "renderer/vulkan/FrameSetup.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/VulkanCommands.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanMemory.h"
#include "scenes/Environment.h"
#include "scenes/Texture.h"

namespace synthlabel::vk {

class SceneResources {
 public:
  // With the placeholder environment and texture uploaded.
  static Result<SceneResources> create(const VulkanContext& ctx, const OneShotCommands& one_shot);

  Status upload_meshes(std::span<const Mesh> meshes);
  Status upload_environments(std::span<const EnvironmentMap> maps);
  Status upload_textures(std::span<const Texture> textures);

  std::span<const MeshRange> meshes() const { return m_meshes; }
  Geometry geometry() const { return {m_vertices.buffer.get(), m_indices.buffer.get()}; }
  std::uint32_t texture_layers() const { return m_texture_layers; }
  std::span<const std::array<glm::vec3, 9>> environment_sh() const { return m_environment_sh; }
  // Bindings 1, 2 and 4 of the main pass's set: environment, textures, textures as data.
  std::array<VkDescriptorImageInfo, 3> image_infos() const;

 private:
  // A sampled 2D-array image of `mips` levels from `data`: level 0 of every layer, then level 1 of
  // every layer (each (w >> k) x (h >> k)), and so on, `texel` bytes a texel.
  Result<Image> upload_array(VkFormat format, std::uint32_t w, std::uint32_t h, std::uint32_t layers, std::uint32_t mips,
                             std::uint32_t texel, std::span<const std::uint8_t> data, bool mutable_format) const;

  VulkanContext m_ctx;
  const OneShotCommands* m_one_shot = nullptr;  // VulkanRenderer's, which outlives this
  UniqueSampler m_environment_sampler;  // repeat in u, clamp in v, linear between roughness levels
  UniqueSampler m_texture_sampler;      // repeat, trilinear
  Buffer m_vertices, m_indices;
  std::vector<MeshRange> m_meshes;
  Image m_environment;
  std::vector<std::array<glm::vec3, 9>> m_environment_sh;  // per uploaded map
  Image m_textures;
  UniqueImageView m_texture_data_view;  // the same array as UNORM: linear data maps (metallic-roughness, normal, occlusion)
  std::uint32_t m_texture_layers = 0;
};

}  // namespace synthlabel::vk
