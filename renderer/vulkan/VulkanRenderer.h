// The Vulkan backend: headless, one offscreen render pass, readback to host memory.
// Attachments: RGBA8 sRGB colour, R32_SFLOAT linear depth, R32_UINT instance id, RGBA16F camera-frame
// normal when RendererOptions::normals (all single-sample, no blending), plus a depth buffer for the
// z-test.
// Frames in flight: a ring of slots, each with its own command buffer, fence, uniform buffer and
// host-cached readback buffer, so the device renders frame i+2 while the host reads frame i. The
// attachments are shared: submissions on the one queue run in order, and the render pass's external
// dependency orders each frame's writes after the previous frame's copies. Nothing is allocated per
// frame. Not thread-safe: one thread submits and collects.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "renderer/Renderer.h"
#include "renderer/vulkan/Bootstrap.h"
#include "renderer/vulkan/Handles.h"

namespace synthlabel::vk {

// An image's size for VulkanRenderer::make_target: 0 means the frame's; `array` gives a 2D-array view
// (what the samplers in the shaders take).
struct ImageShape {
  std::uint32_t width = 0, height = 0, layers = 1, mips = 1;
  bool array = false;
  bool mutable_format = false;  // other views may reinterpret the format (sRGB/UNORM)
};

class VulkanRenderer final : public Renderer {
 public:
  static Result<std::unique_ptr<VulkanRenderer>> create(const RendererOptions& options);
  ~VulkanRenderer() override;

  Status upload_meshes(std::span<const Mesh> meshes) override;
  Status upload_environments(std::span<const EnvironmentMap> maps) override;
  Status upload_textures(std::span<const Texture> textures) override;
  std::uint32_t slots() const override { return static_cast<std::uint32_t>(m_slots.size()); }
  Status submit(std::uint32_t slot, const Scene& scene) override;
  Status collect(std::uint32_t slot, FrameBuffers& out) override;
  Status render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                      std::vector<PixelBox>& boxes) override;
  const DeviceInfo& device() const override { return m_physical.info; }
  RenderTimings timings() const override { return m_timings; }
  const Instance& instance() const { return m_instance; }

 private:
  struct Buffer {  // member order: memory outlives the buffer bound to it
    UniqueMemory memory;
    UniqueBuffer buffer;
    void* mapped = nullptr;
    bool coherent = true;
    VkDeviceSize size = 0;
  };
  struct Target {
    UniqueMemory memory;
    UniqueImage image;
    UniqueImageView view;
    VkFormat format = VK_FORMAT_UNDEFINED;
  };
  struct Slot {
    VkCommandBuffer cmd = VK_NULL_HANDLE;  // freed with the pool
    UniqueFence fence;
    Buffer frame_ubo;
    Buffer readback;
    VkDescriptorSet set = VK_NULL_HANDLE;  // freed with the pool
    bool pending = false;  // submitted, not yet collected
  };
  struct MeshRange {
    std::uint32_t first_index = 0, index_count = 0;
    std::vector<MeshPart> parts;       // an asset's parts (first_index relative to the range)
    std::vector<Material> materials;   // and their materials (maps are texture layers)
    std::int32_t vertex_offset = 0;
    glm::vec3 lo{0.0f}, hi{0.0f};  // bounding box of the vertices (for shadow-map fitting)
  };
  enum class PipelineKind { mesh, background, shadow, resolve };

  VulkanRenderer() = default;
  Status init(const RendererOptions& options);
  // Allocates memory for `req` from a type with all `required` flags, preferring one that also has
  // `preferred`; `type` receives the chosen memory type index.
  Status allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred,
                  UniqueMemory& out, std::uint32_t& type) const;
  Status make_buffer(VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                     VkMemoryPropertyFlags preferred, bool map, Buffer& out) const;
  Status make_target(VkFormat format, VkImageUsageFlags usage, VkImageAspectFlags aspect, Target& out,
                     ImageShape shape = {}) const;
  Status make_render_pass();
  Status create_render_pass(std::span<const VkAttachmentDescription> attachments, const VkSubpassDescription& subpass,
                            std::span<const VkSubpassDependency> dependencies, UniqueRenderPass& out) const;
  Status create_framebuffer(VkRenderPass pass, std::span<const VkImageView> views, std::uint32_t width,
                            std::uint32_t height, UniqueFramebuffer& out) const;
  Status make_slot(Slot& slot, VkDescriptorPool pool);
  Status make_pipeline();
  // Uploads a sampled 2D-array image of `mips` levels: `data` holds level 0 of every layer, then
  // level 1 of every layer (each (w >> k) x (h >> k)), and so on, `texel` bytes a texel.
  Status upload_array(VkFormat format, std::uint32_t w, std::uint32_t h, std::uint32_t layers, std::uint32_t mips,
                      std::uint32_t texel, const void* data, VkDeviceSize bytes, Target& out, bool mutable_format = false);
  // Points every slot's set (or with `alone_only` render_alone's alone) at the current images.
  Status write_image_descriptors(bool alone_only = false);
  Status make_shadow_resources();
  Status make_resolve_resources();
  Status make_graphics_pipeline(PipelineKind kind, std::uint32_t features, UniquePipeline& out);
  // Fills the frame's shadow-map matrices (FrameUniforms::light_matrix) and records the shadow passes.
  void record_shadows(VkCommandBuffer cmd, const Scene& scene, std::span<const Light* const> lights, void* uniforms);
  // The mesh pipeline for a set of shader features (k_feature_* bits), built on first use.
  Result<VkPipeline> mesh_pipeline(std::uint32_t features);
  Status submit_and_wait(Slot& slot);
  // Bytes a pixel in a slot's readback buffer: colour, depth, id, and the normals when read.
  VkDeviceSize readback_bytes_per_pixel() const { return m_read_normals ? 20 : 12; }
  // Colour attachments of the main and resolve passes: colour, depth, id, and the normals when read.
  std::uint32_t color_attachments() const { return m_read_normals ? 4 : 3; }
  Status invalidate_readback(const Slot& slot) const;
  // Records a frame of `scene` into the slot's command buffer: the whole frame (colour, depth, ids and
  // normals read back); or, given `alone_boxes` (one per instance), each instance in a pass of its
  // own within its box (the frame pixels it can cover: only those are rendered, cleared and copied),
  // only the id planes read back, one after another.
  Status record(Slot& slot, const Scene& scene, std::span<const VkRect2D> alone_boxes = {});
  // The frame pixels whose centres `inst` can cover: its mesh's box projected, widened by a pixel;
  // the whole frame when part of the box is behind the near plane; empty when it misses the frame.
  VkRect2D pixel_box(const Camera& camera, const synthlabel::Instance& inst) const;
  Status check_messages() const;

  // Declaration order = lifetime order: the instance outlives the device, the device its children.
  Instance m_instance;
  PhysicalDevice m_physical;
  Device m_device;
  std::uint32_t m_width = 0, m_height = 0;  // the frame's size
  std::uint32_t m_ss = 1;                    // supersampling factor
  std::uint32_t m_iw = 0, m_ih = 0;          // rasterized size: m_ss x the frame's
  VkFormat m_zbuffer_format = VK_FORMAT_UNDEFINED;
  UniqueCommandPool m_command_pool;
  Target m_color, m_linear_depth, m_ids, m_normals, m_zbuffer;  // rasterized size
  bool m_read_normals = false;  // RendererOptions::normals: the normals are copied back
  // Supersampling: the frame-sized results of the resolve pass (else unused).
  Target m_out_color, m_out_depth, m_out_ids, m_out_normals;
  UniqueRenderPass m_resolve_pass;
  UniqueFramebuffer m_resolve_framebuffer;
  UniqueDescriptorSetLayout m_resolve_set_layout;
  UniqueDescriptorPool m_resolve_descriptor_pool;
  VkDescriptorSet m_resolve_set = VK_NULL_HANDLE;
  UniquePipelineLayout m_resolve_layout;
  UniquePipeline m_resolve_pipeline;
  UniqueSampler m_nearest_sampler;
  // Shadow maps: one layer per shadowed light, rendered each frame before the main pass.
  std::uint32_t m_shadow_size = 0;  // 0: no shadows
  Target m_shadow_map;
  std::array<UniqueImageView, 4> m_shadow_views;
  std::array<UniqueFramebuffer, 4> m_shadow_framebuffers;
  UniqueRenderPass m_shadow_pass;
  UniquePipelineLayout m_shadow_layout;
  UniquePipeline m_shadow_pipeline;
  UniqueSampler m_shadow_sampler;
  UniqueRenderPass m_render_pass;
  UniqueFramebuffer m_framebuffer;
  UniqueDescriptorSetLayout m_set_layout;
  UniqueDescriptorPool m_descriptor_pool;
  UniquePipelineLayout m_pipeline_layout;
  std::array<UniquePipeline, 16> m_pipelines;  // mesh pipeline per feature combination
  UniquePipeline m_background_pipeline;
  UniqueSampler m_sampler;          // environment: repeat in u, clamp in v
  UniqueSampler m_texture_sampler;  // textures: repeat
  Target m_environment;  // 2D array, one layer per map (a 1x1 black layer until maps are uploaded)
  std::uint32_t m_environment_layers = 0;
  std::vector<std::array<glm::vec3, 9>> m_environment_sh;  // per uploaded map
  Target m_textures;  // 2D array, one layer per texture (a 1x1 white layer until textures are uploaded)
  std::uint32_t m_texture_layers = 0;
  UniqueImageView m_texture_data_view;  // the same array as UNORM: linear data maps (metallic-roughness, normal, occlusion)
  std::vector<Slot> m_slots;
  UniqueDescriptorPool m_alone_pool;
  std::unique_ptr<Slot> m_alone;  // its own slot for render_alone (made on first use)
  Buffer m_vertices;
  Buffer m_indices;
  std::vector<MeshRange> m_meshes;
  RenderTimings m_timings;
  std::optional<std::uint64_t> m_fault_after;  // test hook, see submit()
  std::uint64_t m_submitted = 0;
};

}  // namespace synthlabel::vk
