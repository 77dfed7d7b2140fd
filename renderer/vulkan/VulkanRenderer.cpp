#include "renderer/vulkan/VulkanRenderer.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "renderer/vulkan/Check.h"
#include "scenes/CameraModel.h"

namespace synthlabel::vk {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Result<VkFormat> zbuffer_format(VkPhysicalDevice physical) {
  for (VkFormat f : {VK_FORMAT_D32_SFLOAT, VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_X8_D24_UNORM_PACK32}) {
    VkFormatProperties fp{};
    vkGetPhysicalDeviceFormatProperties(physical, f, &fp);
    if (fp.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT) return f;
  }
  return make_error(ExitCode::device, "device has no usable depth format");
}

}  // namespace

Status check_device_limits(const VkPhysicalDeviceLimits& limits, std::uint32_t width, std::uint32_t height,
                           std::uint32_t shadow_map_size) {
  if (width > limits.maxFramebufferWidth || height > limits.maxFramebufferHeight || shadow_map_size > limits.maxFramebufferWidth) {
    return make_error(ExitCode::device, "resolution " + std::to_string(width) + "x" + std::to_string(height) +
                                            " (supersampled) or the shadow map size " + std::to_string(shadow_map_size) +
                                            " exceeds the device limit " + std::to_string(limits.maxFramebufferWidth) + "x" +
                                            std::to_string(limits.maxFramebufferHeight));
  }
  const std::uint32_t passed = std::min(limits.maxVertexOutputComponents, limits.maxFragmentInputComponents);
  if (passed < k_mesh_varying_components) {
    return make_error(ExitCode::device, "the device passes at most " + std::to_string(passed) +
                                            " components from the vertex to the fragment shader (maxVertexOutputComponents " +
                                            std::to_string(limits.maxVertexOutputComponents) + ", maxFragmentInputComponents " +
                                            std::to_string(limits.maxFragmentInputComponents) + "); the renderer needs " +
                                            std::to_string(k_mesh_varying_components) + ": choose another --device");
  }
  return ok_status();
}

Result<std::unique_ptr<VulkanRenderer>> VulkanRenderer::create(const RendererOptions& options) {
  std::unique_ptr<VulkanRenderer> r(new VulkanRenderer());
  if (auto s = r->init(options); !s) return s.error();
  return r;
}

VulkanRenderer::~VulkanRenderer() {
  if (m_device.get() != VK_NULL_HANDLE) vkDeviceWaitIdle(m_device.get());
}

Status VulkanRenderer::init(const RendererOptions& options) {
  if (options.width == 0 || options.height == 0) return make_error(ExitCode::usage, "render size must be positive");
  if (options.supersampling != 1 && options.supersampling != 3 && options.supersampling != 5) {
    return make_error(ExitCode::usage, "supersampling must be 1, 3 or 5 (odd, so that a sample sits at each pixel centre)");
  }
  m_options = options;
  m_options.frames_in_flight = std::max<std::uint32_t>(1, options.frames_in_flight);
  m_fault_after = options.fault_device_lost_after;
  std::optional<Result<OpenedDevice>> opened;
  if (options.opening) opened = options.opening->take(options.device, options.validate, options.dynamic_cull);
  if (!opened) opened = open_device(options.device, options.validate, options.dynamic_cull);
  if (!*opened) return opened->error();
  m_instance = std::move((*opened)->instance);
  m_physical = (*opened)->physical;
  m_device = std::move((*opened)->device);
  VkPhysicalDeviceProperties props{};
  vkGetPhysicalDeviceProperties(m_physical.handle, &props);
  SL_TRY_STATUS(check_device_limits(props.limits, options.width * options.supersampling,
                                    options.height * options.supersampling, options.shadow_map_size));
  m_ctx = VulkanContext{.device = m_device.get(),
                        .physical = m_physical.handle,
                        .queue = m_device.queue(),
                        .queue_family = m_physical.graphics_queue_family,
                        .limits = props.limits,
                        .memory = m_physical.memory,
                        .log = &m_instance.messages(),
                        .dynamic_cull = m_device.dynamic_cull()};
  VkFormat depth = VK_FORMAT_UNDEFINED;
  SL_TRY_ASSIGN(depth, zbuffer_format(m_physical.handle));
  m_zbuffer_format = depth;
  SL_TRY_ASSIGN(m_one_shot, OneShotCommands::create(m_ctx));
  SL_TRY_ASSIGN(m_main, MainPass::create(m_ctx, {options.width, options.height, options.supersampling, options.normals,
                                                  options.flow, depth, options.surface}));
  SL_TRY_ASSIGN(m_pipelines, PipelineSet::create(m_ctx, {m_main->render_pass(), m_main->planes(), m_main->raster_width(),
                                                         m_main->raster_height(), options.normals, options.flow, false,
                                                         options.surface}));
  SL_TRY_ASSIGN(m_shadow, ShadowPass::create(m_ctx, options.shadow_map_size));
  if (options.supersampling > 1) {
    SL_TRY_ASSIGN(m_resolve, ResolvePass::create(m_ctx, *m_main, options.width, options.height, options.supersampling,
                                                 options.normals, options.flow, options.surface));
  }
  SL_TRY_ASSIGN(m_resources, SceneResources::create(m_ctx, *m_one_shot));
  m_readback = Readback(options.width, options.height, options.normals, options.flow, options.surface);
  SL_TRY_ASSIGN(m_ring, FrameRing::create(m_ctx, {.slots = m_options.frames_in_flight,
                                                  .uniform_bytes = sizeof(FrameUniforms),
                                                  .readback_bytes = m_readback.frame_bytes(),
                                                  .set_layout = m_pipelines->set_layout(),
                                                  .set_bindings = k_frame_set_bindings}));
  return write_image_bindings(false);
}

FrameInputs VulkanRenderer::frame_inputs() const {
  return {.width = m_options.width,
          .height = m_options.height,
          .supersampling = m_options.supersampling,
          .shadow_map_size = m_options.shadow_map_size,
          .meshes = m_resources->meshes(),
          .texture_layers = m_resources->texture_layers(),
          .environment_sh = m_resources->environment_sh()};
}

Status VulkanRenderer::write_image_bindings(bool alone_only) {
  const auto images = m_resources->image_infos();
  const std::array<VkBufferView, k_max_lights> texels = m_shadow->texel_views();
  auto write = [&](VkDescriptorSet set) {
    write_images(m_ctx, set, 1, std::span(images).first(2));
    write_texel_buffers(m_ctx, set, 3, texels);
    write_images(m_ctx, set, 4, std::span(images).subspan(2));
  };
  if (!alone_only) {
    for (const FrameSlot& s : m_ring->slots()) write(s.set);
  }
  if (m_alone) write((*m_alone)[0].set);  // render_alone's, once made
  return m_ctx.check_messages();
}

Status VulkanRenderer::uploads_allowed() const {
  if (m_ring->any_pending() || (m_alone && m_alone->any_pending())) {
    return make_error(ExitCode::internal, "upload while a frame is in flight");
  }
  return ok_status();
}

Status VulkanRenderer::upload_meshes(std::span<const Mesh> meshes) {
  SL_TRY_STATUS(uploads_allowed());
  return m_resources->upload_meshes(meshes);
}

Status VulkanRenderer::upload_environments(std::span<const EnvironmentMap> maps) {
  SL_TRY_STATUS(uploads_allowed());
  SL_TRY_STATUS(m_resources->upload_environments(maps));
  return write_image_bindings(false);
}

Status VulkanRenderer::upload_textures(std::span<const Texture> textures) {
  SL_TRY_STATUS(uploads_allowed());
  SL_TRY_STATUS(m_resources->upload_textures(textures));
  return write_image_bindings(false);
}

const Image& VulkanRenderer::readback_image(Plane plane, bool alone) const {
  if (alone) return m_alone_resolve ? m_alone_resolve->plane(plane) : m_alone_main->plane(plane);
  return m_resolve ? m_resolve->plane(plane) : m_main->plane(plane);
}

Status VulkanRenderer::submit(std::uint32_t slot_index, const Scene& scene) {
  if (slot_index >= m_ring->size()) return make_error(ExitCode::internal, "no such frame slot");
  FrameSlot& slot = (*m_ring)[slot_index];
  if (slot.pending) return make_error(ExitCode::internal, "frame slot submitted twice without collect");
  // Fault injection for tests (RendererOptions::fault_device_lost_after = N): the (N+1)-th submit
  // fails as a lost device would, through the same error path.
  if (m_fault_after && m_submitted++ >= *m_fault_after) SL_VK_TRY(VK_ERROR_DEVICE_LOST);
  const auto t0 = Clock::now();
  SL_TRY_STATUS(record(slot, *m_ring, scene));
  SL_TRY_STATUS(m_ring->submit(slot));
  slot.pending = true;
  m_timings.submit += since(t0);
  return m_ctx.check_messages();
}

Status VulkanRenderer::collect(std::uint32_t slot_index, FrameBuffers& out) {
  if (slot_index >= m_ring->size() || !(*m_ring)[slot_index].pending) {
    return make_error(ExitCode::internal, "collect on a frame slot with nothing submitted");
  }
  FrameSlot& slot = (*m_ring)[slot_index];
  auto t0 = Clock::now();
  SL_TRY_STATUS(m_ring->wait(slot));
  slot.pending = false;
  m_timings.wait += since(t0);
  t0 = Clock::now();
  SL_TRY_STATUS(invalidate(m_ctx, slot.readback));
  m_readback.unpack(slot.readback, out);
  m_timings.copy += since(t0);
  return m_ctx.check_messages();
}

std::size_t VulkanRenderer::alone_batch() const {
  // Instances per submission: up to 16, within 64 MiB of id planes.
  const std::size_t pixels = std::size_t{m_options.width} * m_options.height;
  return std::clamp<std::size_t>((std::size_t{64} << 20) / (pixels * 4), 1, 16);
}

Status VulkanRenderer::ensure_alone_ring() {
  if (m_alone) return ok_status();
  const auto& o = m_options;
  SL_TRY_ASSIGN(m_alone_main, MainPass::create(m_ctx, {o.width, o.height, o.supersampling, false, false, m_zbuffer_format}));
  SL_TRY_ASSIGN(m_alone_pipelines, PipelineSet::create(m_ctx, {.render_pass = m_alone_main->render_pass(),
                                                               .color_attachments = m_alone_main->planes(),
                                                               .width = m_alone_main->raster_width(),
                                                               .height = m_alone_main->raster_height(),
                                                               .normals = false,
                                                               .flow = false,
                                                               .flow_vertex = o.flow}));
  if (o.supersampling > 1) {
    SL_TRY_ASSIGN(m_alone_resolve, ResolvePass::create(m_ctx, *m_alone_main, o.width, o.height, o.supersampling, false, false));
  }
  // A ring of one slot, like the frame ring's, whose readback holds `batch` id planes (or a colour plane).
  SL_TRY_ASSIGN(m_alone, FrameRing::create(m_ctx, {.slots = 1,
                                                   .uniform_bytes = sizeof(FrameUniforms),
                                                   .readback_bytes = m_readback.plane_bytes() * alone_batch(),
                                                   .set_layout = m_pipelines->set_layout(),
                                                   .set_bindings = k_frame_set_bindings}));
  // The same images as every slot's set, rewritten with them whenever maps or textures are uploaded
  // (only its own set here: the ring's may be in use by frames in flight).
  return write_image_bindings(true);
}

Status VulkanRenderer::render_color(const Scene& scene, std::vector<std::uint8_t>& rgba) {
  SL_TRY_STATUS(ensure_alone_ring());
  FrameSlot& slot = (*m_alone)[0];
  SL_TRY_STATUS(record(slot, *m_alone, scene, {}, true));
  SL_TRY_STATUS(m_alone->submit(slot));
  SL_TRY_STATUS(m_alone->wait(slot));
  SL_TRY_STATUS(invalidate(m_ctx, slot.readback));
  rgba.resize(m_readback.plane_bytes());  // RGBA8: 4 bytes a pixel, as an id plane
  std::memcpy(rgba.data(), slot.readback.mapped, rgba.size());
  return m_ctx.check_messages();
}

Status VulkanRenderer::render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                                    std::vector<PixelBox>& boxes) {
  for (std::size_t index : indices) {
    if (index >= scene.instances.size()) return make_error(ExitCode::internal, "render_alone: no such instance");
  }
  const std::size_t pixels = std::size_t{m_options.width} * m_options.height;
  const std::size_t batch = alone_batch();
  SL_TRY_STATUS(ensure_alone_ring());
  // The instances, each drawn alone: no light, no environment, no background image (the colour is
  // not read), plain material (no texture to sample).
  Scene alone;
  alone.frame = scene.frame;
  alone.camera = scene.camera;
  alone.ambient = 0.0f;
  ids.resize(pixels * indices.size());
  boxes.clear();
  FrameSlot& slot = (*m_alone)[0];
  const auto meshes = m_resources->meshes();
  for (std::size_t first = 0; first < indices.size(); first += batch) {
    const std::size_t count = std::min(batch, indices.size() - first);
    alone.instances.clear();
    std::vector<VkRect2D> areas(count);
    for (std::size_t j = 0; j < count; ++j) {
      alone.instances.push_back(scene.instances[indices[first + j]]);
      synthlabel::Instance& inst = alone.instances.back();
      inst.asset_materials = false;
      inst.texture = -1;
      PixelBox box{0, 0, m_options.width, m_options.height};
      if (inst.mesh_index < meshes.size()) {
        box = pixel_box(scene.camera, inst.model, meshes[inst.mesh_index].lo, meshes[inst.mesh_index].hi);
      }
      areas[j] = {{static_cast<std::int32_t>(box.x), static_cast<std::int32_t>(box.y)}, {box.w, box.h}};
      boxes.push_back(box);
    }
    SL_TRY_STATUS(record(slot, *m_alone, alone, areas));
    SL_TRY_STATUS(m_alone->submit(slot));
    SL_TRY_STATUS(m_alone->wait(slot));
    SL_TRY_STATUS(invalidate(m_ctx, slot.readback));
    std::memcpy(ids.data() + first * pixels, slot.readback.mapped, count * pixels * 4);
  }
  return m_ctx.check_messages();
}

Status VulkanRenderer::record(FrameSlot& slot, const FrameRing& ring, const Scene& scene,
                              std::span<const VkRect2D> alone_boxes, bool color_only) {
  if (!alone_boxes.empty() && alone_boxes.size() != scene.instances.size()) {
    return make_error(ExitCode::internal, "record: one box per instance drawn alone");
  }
  // Everything that can fail before the command buffer is begun.
  const FrameInputs inputs = frame_inputs();
  FrameSetup setup;
  SL_TRY_ASSIGN(setup, make_frame_setup(scene, inputs));
  std::vector<Draw> draws;
  SL_TRY_ASSIGN(draws, make_draws(scene.instances, inputs));
  const std::vector<DepthRange> depths = view_depths(scene.instances, inputs.meshes, scene.camera.view);
  if (m_options.cull_hidden_faces) cull_hidden_faces(draws, scene.instances, inputs.meshes, depths, scene.camera.near_m);
  // Not when drawn alone: there draw j is instance j's.
  if (alone_boxes.empty() && m_options.front_to_back) order_front_to_back(draws, depths);
  // Instances alone and colour-only frames draw in the alone pass (ensure_alone_ring made it).
  const bool alone = !alone_boxes.empty() || color_only;
  if (alone && !m_alone_main) return make_error(ExitCode::internal, "record: no alone pass");
  PipelineSet& pipelines = alone ? *m_alone_pipelines : *m_pipelines;
  const MainPass& main = alone ? *m_alone_main : *m_main;
  const ResolvePass* resolve = alone ? (m_alone_resolve ? &*m_alone_resolve : nullptr) : (m_resolve ? &*m_resolve : nullptr);
  PassView view{.set = slot.set,
                .layout = pipelines.layout(),
                .cull = m_ctx.dynamic_cull,
                .background = setup.background ? pipelines.background() : VK_NULL_HANDLE,
                .clear_color = scene.background,
                .area = {{0, 0}, {m_options.width, m_options.height}}};
  for (const Draw& d : draws) {
    VkPipeline& p = view.mesh[PassView::mesh_slot(d.textured, d.facing)];
    if (p == VK_NULL_HANDLE) SL_TRY_ASSIGN(p, pipelines.mesh(d.textured ? setup.features : setup.features & ~k_feature_textures, d.facing));
  }
  // Safe to overwrite: this slot's previous frame was collected (fence waited on).
  std::memcpy(slot.uniforms.mapped, &setup.uniforms, sizeof(setup.uniforms));

  SL_TRY_STATUS(ring.begin(slot));
  const Geometry geometry = m_resources->geometry();
  m_shadow->record(slot.cmd, setup.shadows, scene.instances, inputs.meshes, geometry);
  auto pass = [&](std::span<const Draw> d) {
    main.record(slot.cmd, view, geometry, d);
    if (resolve != nullptr) resolve->record(slot.cmd, view.area);
  };
  if (alone_boxes.empty()) {
    pass(draws);
    if (color_only) {
      m_readback.copy(slot.cmd, readback_image(Plane::color, true), Plane::color, slot.readback.buffer.get(), 0, view.area);
    } else {
      m_readback.copy_frame(slot.cmd, [&](Plane p) -> const Image& { return readback_image(p); }, slot.readback.buffer.get());
    }
  } else {
    // Instances alone, one pass each, in one submission: their id planes one after another, each
    // rendered, cleared and copied within its box only (the rest of its plane is left as it was).
    // The render pass's external dependency orders each pass's writes after the previous copy.
    // (Drawn alone, an instance has no asset materials: one draw each.)
    view.background = VK_NULL_HANDLE;
    for (std::size_t j = 0; j < scene.instances.size(); ++j) {
      view.area = alone_boxes[j];
      if (view.area.extent.width == 0 || view.area.extent.height == 0) continue;
      pass(std::span<const Draw>(&draws[j], 1));
      m_readback.copy(slot.cmd, readback_image(Plane::ids, true), Plane::ids, slot.readback.buffer.get(),
                      m_readback.plane_bytes() * j, view.area);
    }
  }
  Readback::host_barrier(slot.cmd, slot.readback.buffer.get());
  return ok_status();
}

}  // namespace synthlabel::vk
