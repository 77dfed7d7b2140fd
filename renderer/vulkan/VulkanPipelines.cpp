#include "renderer/vulkan/VulkanPipelines.h"

#include <cstddef>

#include "embedded_shaders.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/Check.h"
#include "scenes/Mesh.h"

namespace synthlabel::vk {

Result<UniquePipeline> make_graphics_pipeline(const VulkanContext& ctx, const GraphicsPipelineDesc& desc) {
  UniqueShaderModule vert, frag;  // only needed while the pipeline is created
  SL_TRY_ASSIGN(vert, make_shader_module(ctx, desc.vertex));
  const bool has_fragment = !desc.fragment.empty();
  if (has_fragment) SL_TRY_ASSIGN(frag, make_shader_module(ctx, desc.fragment));
  std::array<VkPipelineShaderStageCreateInfo, 2> stages{};
  stages[0].sType = stages[1].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
  stages[0].module = vert.get();
  stages[0].pName = "main";
  stages[0].pSpecializationInfo = desc.vertex_constants;
  stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
  stages[1].module = frag.get();
  stages[1].pName = "main";
  stages[1].pSpecializationInfo = desc.fragment_constants;

  VkVertexInputBindingDescription binding{0, sizeof(Vertex), VK_VERTEX_INPUT_RATE_VERTEX};
  std::array<VkVertexInputAttributeDescription, 4> attrs{{{0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, position)},
                                                          {1, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, normal)},
                                                          {2, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(Vertex, uv)},
                                                          {3, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, color)}}};
  VkPipelineVertexInputStateCreateInfo vin{};
  vin.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
  if (desc.vertices != GraphicsPipelineDesc::Vertices::none) {
    vin.vertexBindingDescriptionCount = 1;
    vin.pVertexBindingDescriptions = &binding;
    vin.vertexAttributeDescriptionCount =
        desc.vertices == GraphicsPipelineDesc::Vertices::positions ? 1 : static_cast<std::uint32_t>(attrs.size());
    vin.pVertexAttributeDescriptions = attrs.data();
  }
  VkPipelineInputAssemblyStateCreateInfo ia{};
  ia.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
  ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  const VkViewport viewport{0.0f, 0.0f, static_cast<float>(desc.width), static_cast<float>(desc.height), 0.0f, 1.0f};
  const VkRect2D scissor{{0, 0}, {desc.width, desc.height}};
  VkPipelineViewportStateCreateInfo vp{};
  vp.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
  vp.viewportCount = 1;
  vp.pViewports = &viewport;
  vp.scissorCount = 1;
  vp.pScissors = &scissor;
  // The frame's passes set the scissor per pass (the whole frame, or an instance's box in render_alone).
  std::vector<VkDynamicState> dynamic_states{VK_DYNAMIC_STATE_SCISSOR};
  if (desc.dynamic_viewport) dynamic_states.push_back(VK_DYNAMIC_STATE_VIEWPORT);
  if (desc.dynamic_cull) dynamic_states.insert(dynamic_states.end(), {VK_DYNAMIC_STATE_CULL_MODE_EXT, VK_DYNAMIC_STATE_FRONT_FACE_EXT});
  VkPipelineDynamicStateCreateInfo dyn{};
  dyn.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
  dyn.dynamicStateCount = static_cast<std::uint32_t>(dynamic_states.size());
  dyn.pDynamicStates = dynamic_states.data();
  VkPipelineRasterizationStateCreateInfo rs{};
  rs.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
  rs.polygonMode = VK_POLYGON_MODE_FILL;
  rs.cullMode = desc.cull_mode;  // none for open meshes and planes: visible from both sides
  rs.frontFace = desc.front_face;
  rs.lineWidth = 1.0f;
  if (desc.depth_bias) {
    // Against shadow acne, with the normal offset in mesh.frag: depth pushed back by a constant and
    // by the slope of the surface as the light sees it.
    rs.depthBiasEnable = VK_TRUE;
    rs.depthBiasConstantFactor = 1.25f;
    rs.depthBiasSlopeFactor = 1.75f;
  }
  VkPipelineMultisampleStateCreateInfo ms{};
  ms.sType = VK_STRUCTURE_TYPE_PIPELINE_MULTISAMPLE_STATE_CREATE_INFO;
  ms.rasterizationSamples = VK_SAMPLE_COUNT_1_BIT;
  VkPipelineDepthStencilStateCreateInfo ds{};
  ds.sType = VK_STRUCTURE_TYPE_PIPELINE_DEPTH_STENCIL_STATE_CREATE_INFO;
  ds.depthTestEnable = desc.depth_test || desc.only_where_empty ? VK_TRUE : VK_FALSE;
  ds.depthWriteEnable = desc.depth_test ? VK_TRUE : VK_FALSE;
  // LESS: ties keep the first-drawn surface, so draw order is stable.
  ds.depthCompareOp = desc.only_where_empty ? VK_COMPARE_OP_LESS_OR_EQUAL : VK_COMPARE_OP_LESS;
  std::array<VkPipelineColorBlendAttachmentState, k_plane_count> blend{};  // one per plane a pass may have
  for (auto& b : blend) {
    // Never blend: an id or depth is one surface's, not a mix. (The background writes all of them
    // too, with the clear values +inf and 0: per-attachment write masks would need independentBlend.)
    b.blendEnable = VK_FALSE;
    b.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                       VK_COLOR_COMPONENT_A_BIT;
  }
  VkPipelineColorBlendStateCreateInfo cb{};
  cb.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
  cb.attachmentCount = desc.color_attachments;
  cb.pAttachments = blend.data();
  VkGraphicsPipelineCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
  ci.stageCount = has_fragment ? 2 : 1;
  ci.pStages = stages.data();
  ci.pVertexInputState = &vin;
  ci.pInputAssemblyState = &ia;
  ci.pViewportState = &vp;
  ci.pRasterizationState = &rs;
  ci.pMultisampleState = &ms;
  ci.pDepthStencilState = desc.depth_state ? &ds : nullptr;
  ci.pColorBlendState = &cb;
  if (desc.dynamic_scissor) ci.pDynamicState = &dyn;  // (a dynamic viewport comes with a dynamic scissor)
  ci.layout = desc.layout;
  ci.renderPass = desc.render_pass;
  ci.subpass = 0;
  VkPipeline pipeline = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateGraphicsPipelines(ctx.device, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));
  return UniquePipeline(ctx.device, pipeline);
}

Result<PipelineSet> PipelineSet::create(const VulkanContext& ctx, const Desc& desc) {
  PipelineSet set;
  set.m_ctx = ctx;
  set.m_desc = desc;
  SL_TRY_ASSIGN(set.m_set_layout, make_set_layout(ctx, k_frame_set_bindings));
  SL_TRY_ASSIGN(set.m_layout, make_pipeline_layout(ctx, set.m_set_layout.get(), k_push_size,
                                                   VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT));
  if (auto p = set.mesh(0, Facing::both); !p) return p.error();
  // A full-screen triangle at the far depth, drawn after the meshes where none is: the background's
  // colour and the clear depth and id.
  namespace s = shaders;
  GraphicsPipelineDesc bg{
      .vertex = {s::k_spirv_background_vert_with_frame, s::k_spirv_background_vert_with_frame_words},
      .fragment = desc.surface   ? std::span<const std::uint32_t>(s::k_spirv_background_frag_with_surface,
                                                                  s::k_spirv_background_frag_with_surface_words)
                  : desc.flow    ? std::span<const std::uint32_t>(s::k_spirv_background_frag_with_flow,
                                                                  s::k_spirv_background_frag_with_flow_words)
                  : desc.normals ? std::span<const std::uint32_t>(s::k_spirv_background_frag_with_normals,
                                                                  s::k_spirv_background_frag_with_normals_words)
                                 : std::span<const std::uint32_t>(s::k_spirv_background_frag, s::k_spirv_background_frag_words),
      .vertices = GraphicsPipelineDesc::Vertices::none,
      .depth_test = false,
      .only_where_empty = true,
      .color_attachments = desc.color_attachments,
      .width = desc.width,
      .height = desc.height,
      .layout = set.m_layout.get(),
      .render_pass = desc.render_pass};
  SL_TRY_ASSIGN(set.m_background, make_graphics_pipeline(ctx, bg));
  return set;
}

Result<VkPipeline> PipelineSet::mesh(std::uint32_t features, Facing facing) {
  // With the culling set per draw, one pipeline serves every facing (under the key of Facing::both).
  const bool dynamic = m_ctx.dynamic_cull.available();
  UniquePipeline& p = m_mesh[features | static_cast<std::uint32_t>(dynamic ? Facing::both : facing) << 16];
  if (p.get() != VK_NULL_HANDLE) return p.get();
  // mesh.frag's (and mesh.vert's) constant_id 0..5: textures, point and spot lights (a count), environment light, shadows,
  // filmic tone map (VkBool32 each), directional lights (a count).
  const std::array<std::uint32_t, 6> constants{(features & k_feature_textures) ? VK_TRUE : VK_FALSE,
                                               feature_positional_lights(features),
                                               (features & k_feature_environment_light) ? VK_TRUE : VK_FALSE,
                                               (features & k_feature_shadows) ? VK_TRUE : VK_FALSE,
                                               (features & k_feature_filmic) ? VK_TRUE : VK_FALSE,
                                               feature_directional_lights(features)};
  const std::array<VkSpecializationMapEntry, 6> entries{{{0, 0, 4}, {1, 4, 4}, {2, 8, 4}, {3, 12, 4}, {4, 16, 4}, {5, 20, 4}}};
  const VkSpecializationInfo spec{static_cast<std::uint32_t>(entries.size()), entries.data(), sizeof(constants), constants.data()};
  namespace s = shaders;
  GraphicsPipelineDesc d{
      .vertex = m_desc.flow || m_desc.flow_vertex
                    ? std::span<const std::uint32_t>(s::k_spirv_mesh_vert_with_flow, s::k_spirv_mesh_vert_with_flow_words)
                            : std::span<const std::uint32_t>(s::k_spirv_mesh_vert, s::k_spirv_mesh_vert_words),
      .fragment = m_desc.surface ? std::span<const std::uint32_t>(s::k_spirv_mesh_frag_with_surface, s::k_spirv_mesh_frag_with_surface_words)
                  : m_desc.flow ? std::span<const std::uint32_t>(s::k_spirv_mesh_frag_with_flow, s::k_spirv_mesh_frag_with_flow_words)
                  : m_desc.normals
                      ? std::span<const std::uint32_t>(s::k_spirv_mesh_frag_with_normals, s::k_spirv_mesh_frag_with_normals_words)
                  : m_desc.flow_vertex
                      ? std::span<const std::uint32_t>(s::k_spirv_mesh_frag_with_instance, s::k_spirv_mesh_frag_with_instance_words)
                      : std::span<const std::uint32_t>(s::k_spirv_mesh_frag, s::k_spirv_mesh_frag_words),
      .fragment_constants = &spec,
      .vertex_constants = &spec,  // mesh.vert hands the lights in use to mesh.frag (flat_data.glsl)
      .color_attachments = m_desc.color_attachments,
      .width = m_desc.width,
      .height = m_desc.height,
      .layout = m_layout.get(),
      .render_pass = m_desc.render_pass};
  // Culling by the draw's facing (cull_mode, front_face). The shadow pass culls nothing: at a closed
  // mesh's outline as the light sees it, a face turned away can be nearer than the facing one once
  // both are pushed back by the slope-scaled bias, so culling it would move shadow edges.
  d.cull_mode = cull_mode(facing);
  d.front_face = front_face(facing);
  d.dynamic_cull = dynamic;
  SL_TRY_ASSIGN(p, make_graphics_pipeline(m_ctx, d));
  return p.get();
}

}  // namespace synthlabel::vk
