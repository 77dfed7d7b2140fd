#include "renderer/vulkan/SceneResources.h"

#include <algorithm>
#include <cstring>
#include <string>

#include <glm/common.hpp>
#include <glm/gtc/packing.hpp>

#include "renderer/vulkan/VulkanCommands.h"
#include "renderer/vulkan/VulkanObjects.h"

namespace synthlabel::vk {

Result<SceneResources> SceneResources::create(const VulkanContext& ctx, const OneShotCommands& one_shot) {
  SceneResources r;
  r.m_ctx = ctx;
  r.m_one_shot = &one_shot;
  SL_TRY_ASSIGN(r.m_environment_sampler, make_sampler(ctx, {.filter = VK_FILTER_LINEAR,
                                                            .mipmap = VK_SAMPLER_MIPMAP_MODE_LINEAR,
                                                            .address_u = VK_SAMPLER_ADDRESS_MODE_REPEAT,  // longitude wraps
                                                            .address_v = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE,  // the poles
                                                            .max_lod = static_cast<float>(k_environment_specular_levels)}));
  SL_TRY_ASSIGN(r.m_texture_sampler, make_sampler(ctx, {.filter = VK_FILTER_LINEAR,
                                                        .mipmap = VK_SAMPLER_MIPMAP_MODE_LINEAR,  // over their mip levels
                                                        .address_u = VK_SAMPLER_ADDRESS_MODE_REPEAT,  // textures tile
                                                        .address_v = VK_SAMPLER_ADDRESS_MODE_REPEAT,
                                                        .max_lod = VK_LOD_CLAMP_NONE}));
  SL_TRY_STATUS(r.upload_environments({}));
  SL_TRY_STATUS(r.upload_textures({}));
  return r;
}

std::array<VkDescriptorImageInfo, 3> SceneResources::image_infos() const {
  constexpr VkImageLayout read = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
  return {{{m_environment_sampler.get(), m_environment.view.get(), read},
           {m_texture_sampler.get(), m_textures.view.get(), read},
           {m_texture_sampler.get(), m_texture_data_view.get(), read}}};
}

Status SceneResources::upload_meshes(std::span<const Mesh> meshes) {
  std::vector<Vertex> vertices;
  std::vector<std::uint32_t> indices;
  std::vector<MeshRange> ranges;
  for (const Mesh& m : meshes) {
    MeshRange r;
    r.first_index = static_cast<std::uint32_t>(indices.size());
    r.index_count = static_cast<std::uint32_t>(m.indices.size());
    r.vertex_offset = static_cast<std::int32_t>(vertices.size());
    vertices.insert(vertices.end(), m.vertices.begin(), m.vertices.end());
    indices.insert(indices.end(), m.indices.begin(), m.indices.end());
    r.parts = m.parts;
    r.materials = m.materials;
    r.closure = mesh_closure(m);
    if (!m.vertices.empty()) r.lo = r.hi = m.vertices.front().position;
    for (const Vertex& v : m.vertices) {
      r.lo = glm::min(r.lo, v.position);
      r.hi = glm::max(r.hi, v.position);
    }
    ranges.push_back(std::move(r));
  }
  if (indices.empty()) return make_error(ExitCode::usage, "no triangles to render");
  const VkDeviceSize vbytes = vertices.size() * sizeof(Vertex), ibytes = indices.size() * sizeof(std::uint32_t);
  Buffer vstaging, istaging, vb, ib;
  SL_TRY_ASSIGN(vstaging, create_staging(m_ctx, vertices.data(), vbytes));
  SL_TRY_ASSIGN(istaging, create_staging(m_ctx, indices.data(), ibytes));
  SL_TRY_ASSIGN(vb, create_buffer(m_ctx, {.size = vbytes,
                                          .usage = VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                          .required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT}));
  SL_TRY_ASSIGN(ib, create_buffer(m_ctx, {.size = ibytes,
                                          .usage = VK_BUFFER_USAGE_INDEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                          .required = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT}));
  SL_TRY_STATUS(m_one_shot->submit([&](VkCommandBuffer cmd) {
    const VkBufferCopy vc{0, 0, vbytes}, ic{0, 0, ibytes};
    vkCmdCopyBuffer(cmd, vstaging.buffer.get(), vb.buffer.get(), 1, &vc);
    vkCmdCopyBuffer(cmd, istaging.buffer.get(), ib.buffer.get(), 1, &ic);
  }));
  m_vertices = std::move(vb);
  m_indices = std::move(ib);
  m_meshes = std::move(ranges);
  return m_ctx.check_messages();
}

Result<Image> SceneResources::upload_array(VkFormat format, std::uint32_t w, std::uint32_t h, std::uint32_t layers,
                                           std::uint32_t mips, std::uint32_t texel, std::span<const std::uint8_t> data,
                                           bool mutable_format) const {
  if (layers > m_ctx.limits.maxImageArrayLayers) {
    return make_error(ExitCode::device, std::to_string(layers) + " images, more than the device's " +
                                            std::to_string(m_ctx.limits.maxImageArrayLayers) + " image layers");
  }
  std::vector<VkBufferImageCopy> regions(mips);
  VkDeviceSize offset = 0;
  for (std::uint32_t k = 0; k < mips; ++k) {
    const std::uint32_t lw = std::max(1u, w >> k), lh = std::max(1u, h >> k);
    regions[k].bufferOffset = offset;
    regions[k].imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, k, 0, layers};
    regions[k].imageExtent = {lw, lh, 1};
    offset += VkDeviceSize{lw} * lh * layers * texel;
  }
  if (offset != data.size()) return make_error(ExitCode::internal, "image upload: data size does not match its levels");
  Buffer staging;
  SL_TRY_ASSIGN(staging, create_staging(m_ctx, data.data(), data.size()));
  Image image;
  SL_TRY_ASSIGN(image, create_image(m_ctx, {.format = format,
                                            .usage = VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                                            .shape = {w, h, layers, mips, true, mutable_format}}));
  SL_TRY_STATUS(m_one_shot->submit([&](VkCommandBuffer cmd) {
    const VkImageSubresourceRange all{VK_IMAGE_ASPECT_COLOR_BIT, 0, mips, 0, layers};
    transition(cmd, image.image.get(), all,
               {.to = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, .dst_access = VK_ACCESS_TRANSFER_WRITE_BIT,
                .dst_stage = VK_PIPELINE_STAGE_TRANSFER_BIT});
    vkCmdCopyBufferToImage(cmd, staging.buffer.get(), image.image.get(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, mips,
                           regions.data());
    transition(cmd, image.image.get(), all,
               {.from = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, .to = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
                .src_access = VK_ACCESS_TRANSFER_WRITE_BIT, .dst_access = VK_ACCESS_SHADER_READ_BIT,
                .src_stage = VK_PIPELINE_STAGE_TRANSFER_BIT, .dst_stage = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT});
  }));
  return image;
}

Status SceneResources::upload_environments(std::span<const EnvironmentMap> maps) {
  const std::uint32_t w = maps.empty() ? 1 : k_environment_width, h = maps.empty() ? 1 : k_environment_height;
  const std::uint32_t mips = maps.empty() ? 1 : 1 + k_environment_specular_levels;
  const auto layers = static_cast<std::uint32_t>(std::max<std::size_t>(1, maps.size()));
  for (const auto& m : maps) {
    bool ok = m.width == w && m.height == h && m.rgba.size() == std::size_t{w} * h * 4 &&
              m.specular.size() == k_environment_specular_levels;
    for (std::uint32_t k = 1; ok && k < mips; ++k) ok = m.specular[k - 1].size() == std::size_t{w >> k} * (h >> k) * 4;
    if (!ok) {
      return make_error(ExitCode::internal, "environment map " + m.name + " is not " + std::to_string(w) + "x" +
                                                std::to_string(h) + " RGBA with its specular levels");
    }
  }
  // Half floats: RGBA16F is filterable on every device (RGBA32F is not guaranteed to be). Level 0 is
  // the map; levels 1.. its prefiltered specular radiance (Environment.h), sampled by roughness.
  std::vector<std::uint16_t> half;
  half.reserve(std::size_t{w} * h * 4 * layers * 4 / 3 + 64);
  for (std::uint32_t k = 0; k < mips; ++k) {
    const std::size_t level = std::size_t{std::max(1u, w >> k)} * std::max(1u, h >> k) * 4;
    for (std::uint32_t l = 0; l < layers; ++l) {
      if (maps.empty()) {
        half.insert(half.end(), level, 0);
        continue;
      }
      const auto& px = k == 0 ? maps[l].rgba : maps[l].specular[k - 1];
      for (float v : px) half.push_back(static_cast<std::uint16_t>(glm::packHalf1x16(std::min(v, 65000.0f))));
    }
  }
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(half.data()), half.size() * 2);
  SL_TRY_ASSIGN(m_environment, upload_array(VK_FORMAT_R16G16B16A16_SFLOAT, w, h, layers, mips, 8, bytes, false));
  m_environment_sh.clear();
  for (const auto& m : maps) m_environment_sh.push_back(m.irradiance_sh);
  return m_ctx.check_messages();
}

Status SceneResources::upload_textures(std::span<const Texture> textures) {
  const std::uint32_t side = textures.empty() ? 1 : k_texture_side;
  const std::uint32_t mips = textures.empty() ? 1 : k_texture_mip_levels;
  const auto layers = static_cast<std::uint32_t>(std::max<std::size_t>(1, textures.size()));
  // Level 0 of every layer, then level 1 of every layer, ... (upload_array's order); mip levels so
  // that minified textures are filtered rather than aliased (trilinear).
  std::vector<std::uint8_t> texels(std::size_t{side} * side * 4 * layers, 255);  // white when there are none
  std::vector<std::vector<std::uint8_t>> chains(textures.size());
  for (std::size_t l = 0; l < textures.size(); ++l) {
    const auto& t = textures[l];
    if (t.width != side || t.height != side || t.rgba.size() != std::size_t{side} * side * 4) {
      return make_error(ExitCode::internal, "texture " + t.name + " is not " + std::to_string(side) + " square RGBA");
    }
    std::memcpy(texels.data() + l * t.rgba.size(), t.rgba.data(), t.rgba.size());
    chains[l] = texture_mip_levels(t);
  }
  std::size_t level_offset = 0;  // into each chain
  for (std::uint32_t k = 1; k < mips; ++k) {
    const std::size_t bytes = std::size_t{side >> k} * (side >> k) * 4;
    for (std::size_t l = 0; l < textures.size(); ++l) {
      texels.insert(texels.end(), chains[l].begin() + static_cast<std::ptrdiff_t>(level_offset),
                    chains[l].begin() + static_cast<std::ptrdiff_t>(level_offset + bytes));
    }
    level_offset += bytes;
  }
  // sRGB texels, decoded to linear by the sampler; the same texels read as UNORM for maps that hold
  // data rather than colour.
  Image image;
  SL_TRY_ASSIGN(image, upload_array(VK_FORMAT_R8G8B8A8_SRGB, side, side, layers, mips, 4, texels, true));
  UniqueImageView data_view;
  SL_TRY_ASSIGN(data_view, make_image_view(m_ctx, image.image.get(), VK_IMAGE_VIEW_TYPE_2D_ARRAY, VK_FORMAT_R8G8B8A8_UNORM,
                                           {VK_IMAGE_ASPECT_COLOR_BIT, 0, mips, 0, layers}));
  m_texture_data_view = std::move(data_view);  // the old view goes before the old image
  m_textures = std::move(image);
  m_texture_layers = textures.empty() ? 0 : layers;
  return m_ctx.check_messages();
}

}  // namespace synthlabel::vk
