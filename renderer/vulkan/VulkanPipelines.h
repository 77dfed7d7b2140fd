// Graphics pipelines: one description (GraphicsPipelineDesc) turned into a pipeline by one function,
// and the main pass's PipelineSet: its descriptor set layout (binding 0 the frame uniforms, 1..4 the
// environment, textures, shadow maps and textures as data), the pipeline layout with the object push
// constants, the background pipeline and the mesh pipelines, one per combination of shader features
// (k_feature_* bits and light counts, ShaderInterface.h), each built on first use.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <span>

#include "core/Error.h"
#include "renderer/vulkan/FrameSetup.h"
#include "renderer/vulkan/Handles.h"
#include "renderer/vulkan/ShaderInterface.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanObjects.h"

namespace synthlabel::vk {

struct GraphicsPipelineDesc {
  std::span<const std::uint32_t> vertex = {}, fragment = {};  // SPIR-V; no fragment: depth only
  const VkSpecializationInfo* fragment_constants = nullptr;
  const VkSpecializationInfo* vertex_constants = nullptr;
  enum class Vertices { none, positions, full } vertices = Vertices::full;  // none: a full-screen triangle
  bool depth_test = true;   // z-test and z-write, LESS (ties keep the first-drawn surface)
  bool only_where_empty = false;  // instead: z-test LESS_OR_EQUAL, no z-write (the background, drawn last at z = 1)
  bool depth_state = true;  // false: the pass has no depth attachment
  bool depth_bias = false;  // the shadow pass's slope-scaled bias
  // Culling: none, or the back faces, the front being `front_face` (PipelineSet::mesh by the draw's Facing).
  VkCullModeFlags cull_mode = VK_CULL_MODE_NONE;
  VkFrontFace front_face = VK_FRONT_FACE_COUNTER_CLOCKWISE;
  bool dynamic_scissor = true;
  bool dynamic_cull = false;  // cull mode and front face set per draw (then cull_mode and front_face unused)
  bool dynamic_viewport = false;  // set by the pass (the shadow pass: each map's used square)
  std::uint32_t color_attachments = 0;
  std::uint32_t width = 0, height = 0;  // viewport and default scissor
  VkPipelineLayout layout = VK_NULL_HANDLE;
  VkRenderPass render_pass = VK_NULL_HANDLE;
};
Result<UniquePipeline> make_graphics_pipeline(const VulkanContext& ctx, const GraphicsPipelineDesc& desc);

// Draws of `facing` skip their faces turned away from the camera: none for Facing::both, else the
// back faces, the front being the outward side's winding as the main pass rasterizes it
// (projection_from_intrinsics turns y down, as Vulkan's framebuffer does, so the winding seen in the
// world is the winding rasterized). In the pipeline, or set per draw (DynamicCull).
inline VkCullModeFlags cull_mode(Facing facing) { return facing == Facing::both ? VK_CULL_MODE_NONE : VK_CULL_MODE_BACK_BIT; }
inline VkFrontFace front_face(Facing facing) {
  return facing == Facing::ccw_out ? VK_FRONT_FACE_COUNTER_CLOCKWISE : VK_FRONT_FACE_CLOCKWISE;
}

// The main pass's descriptor set bindings, in order.
inline constexpr SetBinding k_frame_set_bindings[] = {
    {VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT},
    {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT},   // environment
    {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT},   // textures
    {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_SHADER_STAGE_FRAGMENT_BIT, k_max_lights},  // shadow-map texels, a view per light (ShadowPass.h)
    {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, VK_SHADER_STAGE_FRAGMENT_BIT}};  // textures as linear data

class PipelineSet {
 public:
  struct Desc {
    VkRenderPass render_pass = VK_NULL_HANDLE;  // the main pass
    std::uint32_t color_attachments = 0;
    std::uint32_t width = 0, height = 0;  // rasterized size
    bool normals = false;                 // the shaders' WITH_NORMALS variants
    bool flow = false;                    // their WITH_FLOW variants (normals and instance planes)
    // Without the instance plane, still mesh.vert's WITH_FLOW variant (the frame's passes draw with
    // it, so a pass of fewer planes rasterizes exactly the same pixels).
    bool flow_vertex = false;
    bool surface = false;  // their WITH_SURFACE variants (uv and albedo planes too; implies flow)
  };
  static Result<PipelineSet> create(const VulkanContext& ctx, const Desc& desc);

  VkDescriptorSetLayout set_layout() const { return m_set_layout.get(); }
  VkPipelineLayout layout() const { return m_layout.get(); }
  VkPipeline background() const { return m_background.get(); }
  // The mesh pipeline for a set of shader features and a facing, built on first use.
  Result<VkPipeline> mesh(std::uint32_t features, Facing facing);

 private:
  VulkanContext m_ctx;
  Desc m_desc;
  UniqueDescriptorSetLayout m_set_layout;
  UniquePipelineLayout m_layout;
  UniquePipeline m_background;
  std::map<std::uint32_t, UniquePipeline> m_mesh;  // by features and facing
};

}  // namespace synthlabel::vk
