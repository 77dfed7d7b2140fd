// The Vulkan backend: headless, offscreen, readback to host memory. VulkanRenderer composes parts
// that each own their state (docs/architecture.md):
//   VulkanContext   device, queue, limits (read once)
//   FrameRing       frames in flight: per slot a command buffer, fence, uniforms, readback, set
//   PipelineSet     the main pass's set layout, pipeline layout, background and mesh pipelines
//   MainPass        the per-pixel planes (colour, depth, ids, normals) and the z-buffer
//   ShadowPass      shadow-map array, pass and pipeline
//   ResolvePass     supersampling's average of colour, middle sample of the labels
//   SceneResources  meshes, environment maps, textures and their samplers
//   Readback        plane layout in the readback buffer, copies, unpacking
// and FrameSetup, pure CPU: Scene -> uniforms, shadow views, feature bits, draws.
// The planes are shared by the slots: submissions on the one queue run in order, and the render
// pass's external dependency orders each frame's writes after the previous frame's copies. Nothing
// is allocated per frame. Not thread-safe: one thread submits and collects.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "renderer/Renderer.h"
#include "renderer/vulkan/Bootstrap.h"
#include "renderer/vulkan/MainPass.h"
#include "renderer/vulkan/Readback.h"
#include "renderer/vulkan/ResolvePass.h"
#include "renderer/vulkan/SceneResources.h"
#include "renderer/vulkan/ShadowPass.h"
#include "renderer/vulkan/VulkanCommands.h"
#include "renderer/vulkan/VulkanContext.h"
#include "renderer/vulkan/VulkanPipelines.h"

namespace synthlabel::vk {

// What the renderer needs of a device's limits: framebuffers of `width` x `height` (supersampled) and
// of the shadow map's side, and k_mesh_varying_components between the mesh shaders. An error
// (ExitCode::device) names the limit and both values.
Status check_device_limits(const VkPhysicalDeviceLimits& limits, std::uint32_t width, std::uint32_t height,
                           std::uint32_t shadow_map_size);

class VulkanRenderer final : public Renderer {
 public:
  static Result<std::unique_ptr<VulkanRenderer>> create(const RendererOptions& options);
  ~VulkanRenderer() override;

  Status upload_meshes(std::span<const Mesh> meshes) override;
  Status upload_environments(std::span<const EnvironmentMap> maps) override;
  Status upload_textures(std::span<const Texture> textures) override;
  std::uint32_t slots() const override { return m_ring->size(); }
  Status submit(std::uint32_t slot, const Scene& scene) override;
  Status collect(std::uint32_t slot, FrameBuffers& out) override;
  Status render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                      std::vector<PixelBox>& boxes) override;
  Status render_color(const Scene& scene, std::vector<std::uint8_t>& rgba) override;
  const DeviceInfo& device() const override { return m_physical.info; }
  RenderTimings timings() const override { return m_timings; }
  const Instance& instance() const { return m_instance; }
  // Whether the mesh pipelines take their culling per draw (RendererOptions::dynamic_cull and the device).
  bool culls_per_draw() const { return m_ctx.dynamic_cull.available(); }

 private:
  VulkanRenderer() = default;
  Status init(const RendererOptions& options);
  FrameInputs frame_inputs() const;
  // Points the image bindings of every ring slot's set (or with `alone_only` render_alone's) at the
  // current images.
  Status write_image_bindings(bool alone_only);
  Status uploads_allowed() const;
  // Records a frame of `scene` into the slot's command buffer: the whole frame (every plane read
  // back); or, given `alone_boxes` (one per instance), each instance in a pass of its own within its
  // box (the frame pixels it can cover: only those are rendered, cleared and copied), only the id
  // planes read back, one after another.
  // With `color_only` the whole frame is drawn and only its colour plane read back.
  Status record(FrameSlot& slot, const FrameRing& ring, const Scene& scene, std::span<const VkRect2D> alone_boxes = {},
                bool color_only = false);
  // render_alone's and render_color's ring of one slot (made on first use), whose readback holds
  // `alone_batch()` id planes.
  Status ensure_alone_ring();
  std::size_t alone_batch() const;
  // The image a plane is read back from: the main pass's, or the resolve pass's when supersampled (of
  // the alone pass with `alone`).
  const Image& readback_image(Plane plane, bool alone = false) const;

  // Declaration order = lifetime order: the instance outlives the device, the device its children.
  Instance m_instance;
  PhysicalDevice m_physical;
  Device m_device;
  VulkanContext m_ctx;
  RendererOptions m_options;
  std::optional<OneShotCommands> m_one_shot;  // uploads and layout transitions
  std::optional<MainPass> m_main;
  std::optional<PipelineSet> m_pipelines;
  std::optional<ShadowPass> m_shadow;
  std::optional<ResolvePass> m_resolve;  // supersampling only
  std::optional<SceneResources> m_resources;
  Readback m_readback;
  std::optional<FrameRing> m_ring;
  std::optional<FrameRing> m_alone;  // render_alone's own slot (made on first use)
  // render_alone's and render_color's pass, of the first three planes only (made with m_alone): a pass
  // of more planes drawn per instance box made lavapipe slow and its memory grow (11 MB a frame with
  // amodal + normals); the same shaders and size, so the same pixels as the frame's pass.
  std::optional<MainPass> m_alone_main;
  std::optional<PipelineSet> m_alone_pipelines;
  std::optional<ResolvePass> m_alone_resolve;
  VkFormat m_zbuffer_format = VK_FORMAT_UNDEFINED;
  RenderTimings m_timings;
  std::optional<std::uint64_t> m_fault_after;  // test hook, see submit()
  std::uint64_t m_submitted = 0;
};

}  // namespace synthlabel::vk
