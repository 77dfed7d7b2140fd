#include "renderer/vulkan/VulkanRenderer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>

#include <glm/ext/matrix_clip_space.hpp>
#include <glm/ext/matrix_transform.hpp>
#include <glm/geometric.hpp>
#include <glm/gtc/packing.hpp>
#include <glm/vector_relational.hpp>
#include <glm/gtc/type_ptr.hpp>

#include "embedded_shaders.h"
#include "renderer/vulkan/Check.h"

namespace synthlabel::vk {
namespace {

// std140 mirror of FrameData in the shaders.
struct FrameUniforms {
  glm::mat4 view;
  glm::mat4 proj;
  glm::vec4 light_to[4];         // xyz: towards a directional light; w: type (0 directional, 1 point, 2 spot)
  glm::vec4 light_color[4];      // rgb: linear colour x intensity
  glm::vec4 light_position[4];   // xyz: point/spot position; w: cos of the spot's outer half-angle
  glm::vec4 light_direction[4];  // xyz: spot axis; w: cos of the spot's inner half-angle
  glm::vec4 params;
  glm::vec4 camera_position;
  glm::vec4 intrinsics;   // fx, fy, cx, cy
  glm::vec4 environment;  // x: lighting intensity, y: rotation (radians), z: layer, w: background intensity
  glm::vec4 env_sh[9];
  glm::vec4 frame_size;  // rasterized width, height; exposure; filmic
  glm::mat4 light_matrix[4];  // world -> the light's shadow-map clip space
  glm::vec4 light_shadow[4];  // x: shadow-map layer (-1: none), y: 1 / map size, z: world size of a texel (directional) or per metre of distance (spot)
};

// Push constants of the shadow pass: object -> light clip space.
struct ShadowPush {
  glm::mat4 mvp;
};

// std430 mirror of ObjectData (push constants): 128 bytes, all that every device guarantees.
struct ObjectPush {
  glm::mat4 model;
  glm::vec4 color;  // rgb: linear base colour, a: roughness
  std::uint32_t instance_id;
  float metallic;
  std::int32_t texture;  // base-colour map: layer of the texture array, -1: none
  float normal_scale;
  glm::ivec4 maps;    // layers of the metallic-roughness, normal, occlusion and emissive maps (-1: none)
  glm::vec4 emissive;  // rgb: linear emitted radiance; a: occlusion strength
};
constexpr std::uint32_t k_push_size = 128;

constexpr std::uint32_t k_feature_textures = 1, k_feature_positional_lights = 2, k_feature_environment_light = 4,
                        k_feature_shadows = 8;
static_assert(offsetof(ObjectPush, instance_id) == 80 && offsetof(ObjectPush, metallic) == 84 &&
              offsetof(ObjectPush, texture) == 88 && offsetof(ObjectPush, maps) == 96 &&
              offsetof(ObjectPush, emissive) == 112 && sizeof(ObjectPush) == k_push_size);

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

constexpr VkFormat k_color_format = VK_FORMAT_R8G8B8A8_SRGB;
constexpr VkFormat k_supersampled_color_format = VK_FORMAT_R16G16B16A16_SFLOAT;  // linear, averaged by the resolve
constexpr VkFormat k_depth_format = VK_FORMAT_R32_SFLOAT;
constexpr VkFormat k_normal_format = VK_FORMAT_R16G16B16A16_SFLOAT;  // camera-frame normal, w unused
constexpr VkFormat k_id_format = VK_FORMAT_R32_UINT;

}  // namespace

Result<std::unique_ptr<VulkanRenderer>> VulkanRenderer::create(const RendererOptions& options) {
  std::unique_ptr<VulkanRenderer> r(new VulkanRenderer());
  if (auto s = r->init(options); !s) return s.error();
  return r;
}

VulkanRenderer::~VulkanRenderer() {
  if (m_device.get() != VK_NULL_HANDLE) vkDeviceWaitIdle(m_device.get());
}

Status VulkanRenderer::check_messages() const { return m_instance.messages().check(); }

Status VulkanRenderer::init(const RendererOptions& options) {
  if (options.width == 0 || options.height == 0) return make_error(ExitCode::usage, "render size must be positive");
  m_width = options.width;
  m_height = options.height;
  if (options.supersampling != 1 && options.supersampling != 3 && options.supersampling != 5) {
    return make_error(ExitCode::usage, "supersampling must be 1, 3 or 5 (odd, so that a sample sits at each pixel centre)");
  }
  m_ss = options.supersampling;
  m_read_normals = options.normals;
  m_iw = m_width * m_ss;
  m_ih = m_height * m_ss;
  m_shadow_size = options.shadow_map_size;
  if (const char* f = std::getenv("SYNTHLABEL_FAULT_DEVICE_LOST_AFTER")) m_fault_after = std::strtoull(f, nullptr, 10);
  {
    auto inst = InstanceBuilder{}.request_validation(options.validate).build();
    if (!inst) return inst.error();
    m_instance = std::move(inst).value();
  }
  {
    auto phys = PhysicalDeviceSelector{m_instance}.prefer(options.device).select();
    if (!phys) return phys.error();
    m_physical = *phys;
  }
  {
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(m_physical.handle, &props);
    if (m_iw > props.limits.maxFramebufferWidth || m_ih > props.limits.maxFramebufferHeight ||
        m_shadow_size > props.limits.maxFramebufferWidth) {
      return make_error(ExitCode::device, "resolution " + std::to_string(m_iw) + "x" + std::to_string(m_ih) +
                                              " (supersampled) or the shadow map size " + std::to_string(m_shadow_size) +
                                              " exceeds the device limit " +
                                              std::to_string(props.limits.maxFramebufferWidth) + "x" +
                                              std::to_string(props.limits.maxFramebufferHeight));
    }
  }
  {
    auto dev = DeviceBuilder{m_physical}.build();
    if (!dev) return dev.error();
    m_device = std::move(dev).value();
  }
  const VkDevice dev = m_device.get();

  for (VkFormat f : {VK_FORMAT_D32_SFLOAT, VK_FORMAT_D32_SFLOAT_S8_UINT, VK_FORMAT_X8_D24_UNORM_PACK32}) {
    VkFormatProperties fp{};
    vkGetPhysicalDeviceFormatProperties(m_physical.handle, f, &fp);
    if (fp.optimalTilingFeatures & VK_FORMAT_FEATURE_DEPTH_STENCIL_ATTACHMENT_BIT) {
      m_zbuffer_format = f;
      break;
    }
  }
  if (m_zbuffer_format == VK_FORMAT_UNDEFINED) return make_error(ExitCode::device, "device has no usable depth format");

  {
    VkCommandPoolCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO;
    ci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    ci.queueFamilyIndex = m_physical.graphics_queue_family;
    VkCommandPool pool = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateCommandPool(dev, &ci, nullptr, &pool));
    m_command_pool = UniqueCommandPool(dev, pool);
  }
  m_slots.resize(std::max<std::uint32_t>(1, options.frames_in_flight));

  // Without supersampling the pass writes the frame's buffers, read back by copies; with it, the
  // resolve pass samples them and writes frame-sized ones.
  const VkImageUsageFlags color_usage = VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
  const VkImageUsageFlags pass_usage = m_ss > 1 ? VK_IMAGE_USAGE_COLOR_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT : color_usage;
  SL_TRY_STATUS(make_target(m_ss > 1 ? k_supersampled_color_format : k_color_format, pass_usage, VK_IMAGE_ASPECT_COLOR_BIT,
                            m_color));
  SL_TRY_STATUS(make_target(k_depth_format, pass_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_linear_depth));
  SL_TRY_STATUS(make_target(k_id_format, pass_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_ids));
  if (m_read_normals) SL_TRY_STATUS(make_target(k_normal_format, pass_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_normals));
  SL_TRY_STATUS(make_target(m_zbuffer_format, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT, VK_IMAGE_ASPECT_DEPTH_BIT,
                            m_zbuffer));
  if (m_ss > 1) {
    const ImageShape frame{m_width, m_height};
    SL_TRY_STATUS(make_target(k_color_format, color_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_out_color, frame));
    SL_TRY_STATUS(make_target(k_depth_format, color_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_out_depth, frame));
    SL_TRY_STATUS(make_target(k_id_format, color_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_out_ids, frame));
    if (m_read_normals) SL_TRY_STATUS(make_target(k_normal_format, color_usage, VK_IMAGE_ASPECT_COLOR_BIT, m_out_normals, frame));
  }
  SL_TRY_STATUS(make_render_pass());
  SL_TRY_STATUS(make_pipeline());

  for (Slot& slot : m_slots) SL_TRY_STATUS(make_slot(slot, m_descriptor_pool.get()));
  SL_TRY_STATUS(make_shadow_resources());  // uses a slot's command buffer
  if (m_ss > 1) SL_TRY_STATUS(make_resolve_resources());
  // A black 1x1 environment and a white 1x1 texture, so the descriptor sets are complete.
  SL_TRY_STATUS(upload_environments({}));
  return upload_textures({});
}

Status VulkanRenderer::allocate(const VkMemoryRequirements& req, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred, UniqueMemory& out, std::uint32_t& type) const {
  const auto& mp = m_physical.memory;
  bool found = false;
  for (VkMemoryPropertyFlags want : {required | preferred, required}) {
    for (std::uint32_t i = 0; i < mp.memoryTypeCount && !found; ++i) {
      if ((req.memoryTypeBits & (1u << i)) && (mp.memoryTypes[i].propertyFlags & want) == want) {
        type = i;
        found = true;
      }
    }
    if (found) break;
  }
  if (!found) return make_error(ExitCode::device, "no suitable GPU memory type");
  VkMemoryAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO;
  ai.allocationSize = req.size;
  ai.memoryTypeIndex = type;
  VkDeviceMemory mem = VK_NULL_HANDLE;
  SL_VK_TRY(vkAllocateMemory(m_device.get(), &ai, nullptr, &mem));
  out = UniqueMemory(m_device.get(), mem);
  return ok_status();
}

Status VulkanRenderer::make_buffer(VkDeviceSize size, VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                                   VkMemoryPropertyFlags preferred, bool map, Buffer& out) const {
  const VkDevice dev = m_device.get();
  VkBufferCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO;
  ci.size = size;
  ci.usage = usage;
  ci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer buf = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateBuffer(dev, &ci, nullptr, &buf));
  UniqueBuffer owned(dev, buf);
  VkMemoryRequirements req{};
  vkGetBufferMemoryRequirements(dev, buf, &req);
  std::uint32_t type = 0;
  UniqueMemory owned_mem;
  SL_TRY_STATUS(allocate(req, required, preferred, owned_mem, type));
  const VkDeviceMemory mem = owned_mem.get();
  SL_VK_TRY(vkBindBufferMemory(dev, buf, mem, 0));
  void* mapped = nullptr;
  if (map) SL_VK_TRY(vkMapMemory(dev, mem, 0, VK_WHOLE_SIZE, 0, &mapped));
  out.buffer = std::move(owned);  // old buffer (if any) goes before its memory
  out.memory = std::move(owned_mem);
  out.mapped = mapped;
  out.size = size;
  out.coherent = (m_physical.memory.memoryTypes[type].propertyFlags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
  return ok_status();
}

Status VulkanRenderer::make_target(VkFormat format, VkImageUsageFlags usage, VkImageAspectFlags aspect, Target& out,
                                   ImageShape shape) const {
  const VkDevice dev = m_device.get();
  VkImageCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO;
  if (shape.mutable_format) ci.flags = VK_IMAGE_CREATE_MUTABLE_FORMAT_BIT;
  ci.imageType = VK_IMAGE_TYPE_2D;
  ci.format = format;
  ci.extent = {shape.width ? shape.width : m_iw, shape.height ? shape.height : m_ih, 1};
  ci.mipLevels = shape.mips;
  ci.arrayLayers = shape.layers;
  ci.samples = VK_SAMPLE_COUNT_1_BIT;  // labels: exactly one sample, at the pixel centre (supersampling: the middle one)
  ci.tiling = VK_IMAGE_TILING_OPTIMAL;
  ci.usage = usage;
  ci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  ci.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  VkImage img = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateImage(dev, &ci, nullptr, &img));
  UniqueImage owned(dev, img);
  VkMemoryRequirements req{};
  vkGetImageMemoryRequirements(dev, img, &req);
  std::uint32_t type = 0;
  UniqueMemory owned_mem;
  SL_TRY_STATUS(allocate(req, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, owned_mem, type));
  SL_VK_TRY(vkBindImageMemory(dev, img, owned_mem.get(), 0));
  VkImageViewCreateInfo vi{};
  vi.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
  vi.image = img;
  vi.viewType = shape.array ? VK_IMAGE_VIEW_TYPE_2D_ARRAY : VK_IMAGE_VIEW_TYPE_2D;
  vi.format = format;
  vi.subresourceRange = {aspect, 0, shape.mips, 0, shape.layers};
  VkImageView view = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateImageView(dev, &vi, nullptr, &view));
  out.view = UniqueImageView(dev, view);
  out.image = std::move(owned);
  out.memory = std::move(owned_mem);
  out.format = format;
  return ok_status();
}

Status VulkanRenderer::create_render_pass(std::span<const VkAttachmentDescription> attachments,
                                          const VkSubpassDescription& subpass,
                                          std::span<const VkSubpassDependency> dependencies, UniqueRenderPass& out) const {
  VkRenderPassCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_RENDER_PASS_CREATE_INFO;
  ci.attachmentCount = static_cast<std::uint32_t>(attachments.size());
  ci.pAttachments = attachments.data();
  ci.subpassCount = 1;
  ci.pSubpasses = &subpass;
  ci.dependencyCount = static_cast<std::uint32_t>(dependencies.size());
  ci.pDependencies = dependencies.data();
  VkRenderPass rp = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateRenderPass(m_device.get(), &ci, nullptr, &rp));
  out = UniqueRenderPass(m_device.get(), rp);
  return ok_status();
}

Status VulkanRenderer::create_framebuffer(VkRenderPass pass, std::span<const VkImageView> views, std::uint32_t width,
                                          std::uint32_t height, UniqueFramebuffer& out) const {
  VkFramebufferCreateInfo fi{};
  fi.sType = VK_STRUCTURE_TYPE_FRAMEBUFFER_CREATE_INFO;
  fi.renderPass = pass;
  fi.attachmentCount = static_cast<std::uint32_t>(views.size());
  fi.pAttachments = views.data();
  fi.width = width;
  fi.height = height;
  fi.layers = 1;
  VkFramebuffer fb = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateFramebuffer(m_device.get(), &fi, nullptr, &fb));
  out = UniqueFramebuffer(m_device.get(), fb);
  return ok_status();
}

// A frame slot: command buffer, fence, uniform buffer, host-cached readback buffer, and a descriptor
// set from `pool` whose binding 0 is the slot's uniforms (the image bindings are written later).
Status VulkanRenderer::make_slot(Slot& slot, VkDescriptorPool pool) {
  const VkDevice dev = m_device.get();
  VkCommandBufferAllocateInfo ai{};
  ai.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO;
  ai.commandPool = m_command_pool.get();
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  SL_VK_TRY(vkAllocateCommandBuffers(dev, &ai, &slot.cmd));
  VkFenceCreateInfo fi{};
  fi.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO;
  VkFence fence = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateFence(dev, &fi, nullptr, &fence));
  slot.fence = UniqueFence(dev, fence);
  SL_TRY_STATUS(make_buffer(sizeof(FrameUniforms), VK_BUFFER_USAGE_UNIFORM_BUFFER_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0, true,
                            slot.frame_ubo));
  // Readback: host-cached memory makes the CPU's reads of the frame fast (uncached reads are slow).
  SL_TRY_STATUS(make_buffer(VkDeviceSize{m_width} * m_height * readback_bytes_per_pixel(), VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_CACHED_BIT, true, slot.readback));
  const VkDescriptorSetLayout layout = m_set_layout.get();
  VkDescriptorSetAllocateInfo dai{};
  dai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
  dai.descriptorPool = pool;
  dai.descriptorSetCount = 1;
  dai.pSetLayouts = &layout;
  SL_VK_TRY(vkAllocateDescriptorSets(dev, &dai, &slot.set));
  const VkDescriptorBufferInfo bi{slot.frame_ubo.buffer.get(), 0, sizeof(FrameUniforms)};
  VkWriteDescriptorSet w{};
  w.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
  w.dstSet = slot.set;
  w.dstBinding = 0;
  w.descriptorCount = 1;
  w.descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
  w.pBufferInfo = &bi;
  vkUpdateDescriptorSets(dev, 1, &w, 0, nullptr);
  return ok_status();
}

Status VulkanRenderer::make_render_pass() {
  // Colour, depth, id, the normals when they are read back (the shaders' WITH_NORMALS variants write
  // them; else neither attachment nor write exists), then the z-buffer.
  const std::uint32_t colors = color_attachments();
  std::vector<VkAttachmentDescription> att(colors + 1);
  const VkFormat formats[5] = {m_color.format, k_depth_format, k_id_format, k_normal_format, m_zbuffer_format};
  for (std::size_t i = 0; i <= colors; ++i) {
    att[i].format = i == colors ? m_zbuffer_format : formats[i];
    att[i].samples = VK_SAMPLE_COUNT_1_BIT;
    att[i].loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    att[i].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    att[i].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att[i].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att[i].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;  // every frame overwrites everything
    // Ready for the copy to host memory, or for the resolve pass to sample.
    att[i].finalLayout = m_ss > 1 ? VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL : VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
  }
  att[colors].storeOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
  att[colors].finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL;
  std::vector<VkAttachmentReference> color_refs;
  for (std::uint32_t i = 0; i < colors; ++i) color_refs.push_back({i, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL});
  const VkAttachmentReference depth_ref{colors, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
  VkSubpassDescription sub{};
  sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
  sub.colorAttachmentCount = colors;
  sub.pColorAttachments = color_refs.data();
  sub.pDepthStencilAttachment = &depth_ref;
  std::array<VkSubpassDependency, 2> deps{};
  // Previous frame's copy (transfer read) or resolve (fragment shader read) and depth test must finish
  // before this frame writes.
  deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
  deps[0].dstSubpass = 0;
  deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT |
                         VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT;
  deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT | VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT;
  deps[0].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT |
                          VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
  // Colour writes must be visible to the copy (or the resolve) that follows the pass.
  deps[1].srcSubpass = 0;
  deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
  deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
  deps[1].dstStageMask = m_ss > 1 ? VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT : VK_PIPELINE_STAGE_TRANSFER_BIT;
  deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
  deps[1].dstAccessMask = m_ss > 1 ? VK_ACCESS_SHADER_READ_BIT : VK_ACCESS_TRANSFER_READ_BIT;
  SL_TRY_STATUS(create_render_pass(att, sub, deps, m_render_pass));
  std::vector<VkImageView> views{m_color.view.get(), m_linear_depth.view.get(), m_ids.view.get()};
  if (m_read_normals) views.push_back(m_normals.view.get());
  views.push_back(m_zbuffer.view.get());
  return create_framebuffer(m_render_pass.get(), views, m_iw, m_ih, m_framebuffer);
}

Status VulkanRenderer::make_pipeline() {
  const VkDevice dev = m_device.get();
  {
    std::array<VkDescriptorSetLayoutBinding, 5> b{};
    b[0].binding = 0;
    b[0].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER;
    b[0].descriptorCount = 1;
    b[0].stageFlags = VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT;
    b[1].binding = 1;
    b[1].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
    b[1].descriptorCount = 1;
    b[1].stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT;
    b[2] = b[1];
    b[2].binding = 2;  // textures
    b[3] = b[1];
    b[3].binding = 3;  // shadow maps
    b[4] = b[1];
    b[4].binding = 4;  // textures as linear data
    VkDescriptorSetLayoutCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    ci.bindingCount = static_cast<std::uint32_t>(b.size());
    ci.pBindings = b.data();
    VkDescriptorSetLayout layout = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateDescriptorSetLayout(dev, &ci, nullptr, &layout));
    m_set_layout = UniqueDescriptorSetLayout(dev, layout);
    const auto sets = static_cast<std::uint32_t>(m_slots.size());
    const std::array<VkDescriptorPoolSize, 2> sizes{
        {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, sets}, {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4 * sets}}};
    VkDescriptorPoolCreateInfo pci{};
    pci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pci.maxSets = sets;
    pci.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    pci.pPoolSizes = sizes.data();
    VkDescriptorPool pool = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateDescriptorPool(dev, &pci, nullptr, &pool));
    m_descriptor_pool = UniqueDescriptorPool(dev, pool);
  }
  {
    VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0, k_push_size};
    VkDescriptorSetLayout layout = m_set_layout.get();
    VkPipelineLayoutCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    ci.setLayoutCount = 1;
    ci.pSetLayouts = &layout;
    ci.pushConstantRangeCount = 1;
    ci.pPushConstantRanges = &range;
    VkPipelineLayout pl = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreatePipelineLayout(dev, &ci, nullptr, &pl));
    m_pipeline_layout = UniquePipelineLayout(dev, pl);
  }
  if (auto p = mesh_pipeline(0); !p) return p.error();
  return make_graphics_pipeline(PipelineKind::background, 0, m_background_pipeline);
}

// The shadow maps: a depth array with a layer per light, a render pass that clears and fills one
// layer (leaving it ready for the mesh shader's comparisons), its pipeline and compare sampler.
// Without shadows a 1x1 array keeps the descriptor set complete.
Status VulkanRenderer::make_shadow_resources() {
  const VkDevice dev = m_device.get();
  const std::uint32_t side = std::max(1u, m_shadow_size);
  SL_TRY_STATUS(make_target(m_zbuffer_format, VK_IMAGE_USAGE_DEPTH_STENCIL_ATTACHMENT_BIT | VK_IMAGE_USAGE_SAMPLED_BIT,
                            VK_IMAGE_ASPECT_DEPTH_BIT, m_shadow_map, ImageShape{side, side, 4, 1, true}));
  {
    VkAttachmentDescription att{};
    att.format = m_zbuffer_format;
    att.samples = VK_SAMPLE_COUNT_1_BIT;
    att.loadOp = VK_ATTACHMENT_LOAD_OP_CLEAR;
    att.storeOp = VK_ATTACHMENT_STORE_OP_STORE;
    att.stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
    att.stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
    att.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;  // cleared
    att.finalLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL;
    const VkAttachmentReference ref{0, VK_IMAGE_LAYOUT_DEPTH_STENCIL_ATTACHMENT_OPTIMAL};
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.pDepthStencilAttachment = &ref;
    std::array<VkSubpassDependency, 2> deps{};
    // The previous frame's mesh shader reads of the map finish before this frame overwrites it.
    deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;
    deps[0].dstSubpass = 0;
    deps[0].srcStageMask = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT;
    deps[0].dstStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
    deps[0].dstAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_READ_BIT | VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
    // Its depth writes are visible to this frame's mesh shader.
    deps[1].srcSubpass = 0;
    deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    deps[1].srcStageMask = VK_PIPELINE_STAGE_EARLY_FRAGMENT_TESTS_BIT | VK_PIPELINE_STAGE_LATE_FRAGMENT_TESTS_BIT;
    deps[1].dstStageMask = VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT;
    deps[1].srcAccessMask = VK_ACCESS_DEPTH_STENCIL_ATTACHMENT_WRITE_BIT;
    deps[1].dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
    SL_TRY_STATUS(create_render_pass(std::span(&att, 1), sub, deps, m_shadow_pass));
  }
  for (std::uint32_t layer = 0; layer < 4; ++layer) {
    VkImageViewCreateInfo vi{};
    vi.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
    vi.image = m_shadow_map.image.get();
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
    vi.format = m_zbuffer_format;
    vi.subresourceRange = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, layer, 1};
    VkImageView view = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateImageView(dev, &vi, nullptr, &view));
    m_shadow_views[layer] = UniqueImageView(dev, view);
    SL_TRY_STATUS(create_framebuffer(m_shadow_pass.get(), std::span(&view, 1), side, side, m_shadow_framebuffers[layer]));
  }
  {
    VkPushConstantRange range{VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(ShadowPush)};
    VkPipelineLayoutCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    ci.pushConstantRangeCount = 1;
    ci.pPushConstantRanges = &range;
    VkPipelineLayout pl = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreatePipelineLayout(dev, &ci, nullptr, &pl));
    m_shadow_layout = UniquePipelineLayout(dev, pl);
  }
  SL_TRY_STATUS(make_graphics_pipeline(PipelineKind::shadow, 0, m_shadow_pipeline));
  {
    // mesh.frag compares the texels it fetches itself (bilinear percentage-closer filtering): the
    // sampler only has to allow texelFetch.
    VkSamplerCreateInfo si{};
    si.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    si.magFilter = si.minFilter = VK_FILTER_NEAREST;
    si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
    si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    VkSampler sampler = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateSampler(dev, &si, nullptr, &sampler));
    m_shadow_sampler = UniqueSampler(dev, sampler);
  }
  // Every layer starts in the layout the mesh shader samples it in (a frame reads only the layers it
  // rendered, but the descriptor covers them all).
  Slot& slot = m_slots.front();
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  SL_VK_TRY(vkBeginCommandBuffer(slot.cmd, &begin));
  VkImageMemoryBarrier b{};
  b.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
  b.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  b.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  b.newLayout = VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL;
  b.srcQueueFamilyIndex = b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  b.image = m_shadow_map.image.get();
  b.subresourceRange = {VK_IMAGE_ASPECT_DEPTH_BIT, 0, 1, 0, 4};
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr,
                       0, nullptr, 1, &b);
  SL_VK_TRY(vkEndCommandBuffer(slot.cmd));
  return submit_and_wait(slot);
}

// Supersampling: a pass over the frame-sized buffers that averages each pixel's s x s colour samples
// and copies the depth and id of its middle sample (resolve.frag).
Status VulkanRenderer::make_resolve_resources() {
  const VkDevice dev = m_device.get();
  {
    const std::uint32_t colors = color_attachments();
    std::vector<VkAttachmentDescription> att(colors);
    const VkFormat formats[4] = {k_color_format, k_depth_format, k_id_format, k_normal_format};
    for (std::size_t i = 0; i < colors; ++i) {
      att[i].format = formats[i];
      att[i].samples = VK_SAMPLE_COUNT_1_BIT;
      att[i].loadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;  // every pixel is written
      att[i].storeOp = VK_ATTACHMENT_STORE_OP_STORE;
      att[i].stencilLoadOp = VK_ATTACHMENT_LOAD_OP_DONT_CARE;
      att[i].stencilStoreOp = VK_ATTACHMENT_STORE_OP_DONT_CARE;
      att[i].initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
      att[i].finalLayout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
    }
    std::vector<VkAttachmentReference> refs;
    for (std::uint32_t i = 0; i < colors; ++i) refs.push_back({i, VK_IMAGE_LAYOUT_COLOR_ATTACHMENT_OPTIMAL});
    VkSubpassDescription sub{};
    sub.pipelineBindPoint = VK_PIPELINE_BIND_POINT_GRAPHICS;
    sub.colorAttachmentCount = colors;
    sub.pColorAttachments = refs.data();
    std::array<VkSubpassDependency, 2> deps{};
    deps[0].srcSubpass = VK_SUBPASS_EXTERNAL;  // the previous frame's copies of these buffers
    deps[0].dstSubpass = 0;
    deps[0].srcStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[0].dstStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[0].dstAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].srcSubpass = 0;  // this frame's copies
    deps[1].dstSubpass = VK_SUBPASS_EXTERNAL;
    deps[1].srcStageMask = VK_PIPELINE_STAGE_COLOR_ATTACHMENT_OUTPUT_BIT;
    deps[1].dstStageMask = VK_PIPELINE_STAGE_TRANSFER_BIT;
    deps[1].srcAccessMask = VK_ACCESS_COLOR_ATTACHMENT_WRITE_BIT;
    deps[1].dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT;
    SL_TRY_STATUS(create_render_pass(att, sub, deps, m_resolve_pass));
    std::vector<VkImageView> views{m_out_color.view.get(), m_out_depth.view.get(), m_out_ids.view.get()};
    if (m_read_normals) views.push_back(m_out_normals.view.get());
    SL_TRY_STATUS(create_framebuffer(m_resolve_pass.get(), views, m_width, m_height, m_resolve_framebuffer));
  }
  {
    std::array<VkDescriptorSetLayoutBinding, 4> b{};
    for (std::uint32_t i = 0; i < 4; ++i) {
      b[i].binding = i;
      b[i].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
      b[i].descriptorCount = 1;
      b[i].stageFlags = VK_SHADER_STAGE_FRAGMENT_BIT;
    }
    VkDescriptorSetLayoutCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO;
    ci.bindingCount = static_cast<std::uint32_t>(b.size());
    ci.pBindings = b.data();
    VkDescriptorSetLayout layout = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateDescriptorSetLayout(dev, &ci, nullptr, &layout));
    m_resolve_set_layout = UniqueDescriptorSetLayout(dev, layout);
    const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4};
    VkDescriptorPoolCreateInfo pci{};
    pci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pci.maxSets = 1;
    pci.poolSizeCount = 1;
    pci.pPoolSizes = &size;
    VkDescriptorPool pool = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateDescriptorPool(dev, &pci, nullptr, &pool));
    m_resolve_descriptor_pool = UniqueDescriptorPool(dev, pool);
    VkDescriptorSetAllocateInfo dai{};
    dai.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO;
    dai.descriptorPool = pool;
    dai.descriptorSetCount = 1;
    dai.pSetLayouts = &layout;
    SL_VK_TRY(vkAllocateDescriptorSets(dev, &dai, &m_resolve_set));
    VkPipelineLayoutCreateInfo lci{};
    lci.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO;
    lci.setLayoutCount = 1;
    lci.pSetLayouts = &layout;
    VkPipelineLayout pl = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreatePipelineLayout(dev, &lci, nullptr, &pl));
    m_resolve_layout = UniquePipelineLayout(dev, pl);
  }
  {
    VkSamplerCreateInfo si{};  // texelFetch ignores filtering; integer formats need nearest anyway
    si.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    si.magFilter = si.minFilter = VK_FILTER_NEAREST;
    si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
    si.addressModeU = si.addressModeV = si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    VkSampler sampler = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateSampler(dev, &si, nullptr, &sampler));
    m_nearest_sampler = UniqueSampler(dev, sampler);
    std::array<VkDescriptorImageInfo, 4> infos{};
    std::array<VkWriteDescriptorSet, 4> wr{};
    // Without normals resolve.frag does not use binding 3; it gets the depth so the set is complete.
    const Target* src[4] = {&m_color, &m_linear_depth, &m_ids, m_read_normals ? &m_normals : &m_linear_depth};
    for (std::uint32_t i = 0; i < 4; ++i) {
      infos[i] = {sampler, src[i]->view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
      wr[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      wr[i].dstSet = m_resolve_set;
      wr[i].dstBinding = i;
      wr[i].descriptorCount = 1;
      wr[i].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
      wr[i].pImageInfo = &infos[i];
    }
    vkUpdateDescriptorSets(dev, static_cast<std::uint32_t>(wr.size()), wr.data(), 0, nullptr);
  }
  return make_graphics_pipeline(PipelineKind::resolve, 0, m_resolve_pipeline);
}

Result<VkPipeline> VulkanRenderer::mesh_pipeline(std::uint32_t features) {
  UniquePipeline& p = m_pipelines.at(features);
  if (p.get() == VK_NULL_HANDLE) {
    SL_TRY_STATUS(make_graphics_pipeline(PipelineKind::mesh, features, p));
  }
  return p.get();
}

// The pipelines:
// - mesh: vertex input, z-test, all three attachments written;
// - background: a full-screen triangle, no z-test, writing the background's colour and the clear
//   depth and id;
// - shadow: positions only, depth only, with depth bias, into a shadow-map layer;
// - resolve: a full-screen triangle over the frame-sized buffers (supersampling).
Status VulkanRenderer::make_graphics_pipeline(PipelineKind kind, std::uint32_t features, UniquePipeline& out) {
  const VkDevice dev = m_device.get();
  auto module = [&](const std::uint32_t* words, std::size_t count, UniqueShaderModule& m_out) -> Status {
    VkShaderModuleCreateInfo ci{};
    ci.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO;
    ci.codeSize = count * sizeof(std::uint32_t);
    ci.pCode = words;
    VkShaderModule m = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateShaderModule(dev, &ci, nullptr, &m));
    m_out = UniqueShaderModule(dev, m);
    return ok_status();
  };
  const bool mesh = kind == PipelineKind::mesh, shadow = kind == PipelineKind::shadow;
  const bool fullscreen = kind == PipelineKind::background || kind == PipelineKind::resolve;
  UniqueShaderModule vert, frag;  // only needed while the pipeline is created
  switch (kind) {
    case PipelineKind::mesh:
      SL_TRY_STATUS(module(shaders::k_spirv_mesh_vert, shaders::k_spirv_mesh_vert_words, vert));
      SL_TRY_STATUS(m_read_normals ? module(shaders::k_spirv_mesh_frag_with_normals, shaders::k_spirv_mesh_frag_with_normals_words, frag)
                                   : module(shaders::k_spirv_mesh_frag, shaders::k_spirv_mesh_frag_words, frag));
      break;
    case PipelineKind::background:
      SL_TRY_STATUS(module(shaders::k_spirv_background_vert, shaders::k_spirv_background_vert_words, vert));
      SL_TRY_STATUS(m_read_normals ? module(shaders::k_spirv_background_frag_with_normals,
                                            shaders::k_spirv_background_frag_with_normals_words, frag)
                                   : module(shaders::k_spirv_background_frag, shaders::k_spirv_background_frag_words, frag));
      break;
    case PipelineKind::shadow:
      SL_TRY_STATUS(module(shaders::k_spirv_shadow_vert, shaders::k_spirv_shadow_vert_words, vert));
      break;
    case PipelineKind::resolve:
      SL_TRY_STATUS(module(shaders::k_spirv_background_vert, shaders::k_spirv_background_vert_words, vert));
      SL_TRY_STATUS(m_read_normals ? module(shaders::k_spirv_resolve_frag_with_normals,
                                            shaders::k_spirv_resolve_frag_with_normals_words, frag)
                                   : module(shaders::k_spirv_resolve_frag, shaders::k_spirv_resolve_frag_words, frag));
      break;
  }
  std::array<VkPipelineShaderStageCreateInfo, 2> stages{};
  stages[0].sType = stages[1].sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
  stages[0].stage = VK_SHADER_STAGE_VERTEX_BIT;
  stages[0].module = vert.get();
  stages[0].pName = "main";
  stages[1].stage = VK_SHADER_STAGE_FRAGMENT_BIT;
  stages[1].module = frag.get();
  stages[1].pName = "main";
  // mesh.frag's constant_id 0..3: textures, positional lights, environment light, shadows (VkBool32
  // each); resolve.frag's constant_id 0: the supersampling factor.
  const std::array<std::uint32_t, 4> flags{(features & k_feature_textures) ? VK_TRUE : VK_FALSE,
                                           (features & k_feature_positional_lights) ? VK_TRUE : VK_FALSE,
                                           (features & k_feature_environment_light) ? VK_TRUE : VK_FALSE,
                                           (features & k_feature_shadows) ? VK_TRUE : VK_FALSE};
  const std::array<VkSpecializationMapEntry, 4> entries{{{0, 0, 4}, {1, 4, 4}, {2, 8, 4}, {3, 12, 4}}};
  VkSpecializationInfo spec{};
  spec.mapEntryCount = static_cast<std::uint32_t>(entries.size());
  spec.pMapEntries = entries.data();
  spec.dataSize = sizeof(flags);
  spec.pData = flags.data();
  const std::int32_t factor = static_cast<std::int32_t>(m_ss);
  VkSpecializationInfo resolve_spec{1, entries.data(), sizeof(factor), &factor};
  if (mesh) stages[1].pSpecializationInfo = &spec;
  if (kind == PipelineKind::resolve) stages[1].pSpecializationInfo = &resolve_spec;

  VkVertexInputBindingDescription binding{0, sizeof(Vertex), VK_VERTEX_INPUT_RATE_VERTEX};
  std::array<VkVertexInputAttributeDescription, 4> attrs{{{0, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, position)},
                                                          {1, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, normal)},
                                                          {2, 0, VK_FORMAT_R32G32_SFLOAT, offsetof(Vertex, uv)},
                                                          {3, 0, VK_FORMAT_R32G32B32_SFLOAT, offsetof(Vertex, color)}}};
  VkPipelineVertexInputStateCreateInfo vin{};
  vin.sType = VK_STRUCTURE_TYPE_PIPELINE_VERTEX_INPUT_STATE_CREATE_INFO;
  if (!fullscreen) {
    vin.vertexBindingDescriptionCount = 1;
    vin.pVertexBindingDescriptions = &binding;
    vin.vertexAttributeDescriptionCount = shadow ? 1 : static_cast<std::uint32_t>(attrs.size());
    vin.pVertexAttributeDescriptions = attrs.data();
  }
  VkPipelineInputAssemblyStateCreateInfo ia{};
  ia.sType = VK_STRUCTURE_TYPE_PIPELINE_INPUT_ASSEMBLY_STATE_CREATE_INFO;
  ia.topology = VK_PRIMITIVE_TOPOLOGY_TRIANGLE_LIST;
  std::uint32_t vw = m_iw, vh = m_ih;
  if (shadow) vw = vh = std::max(1u, m_shadow_size);
  if (kind == PipelineKind::resolve) vw = m_width, vh = m_height;
  const VkViewport viewport{0.0f, 0.0f, static_cast<float>(vw), static_cast<float>(vh), 0.0f, 1.0f};
  const VkRect2D scissor{{0, 0}, {vw, vh}};
  VkPipelineViewportStateCreateInfo vp{};
  vp.sType = VK_STRUCTURE_TYPE_PIPELINE_VIEWPORT_STATE_CREATE_INFO;
  vp.viewportCount = 1;
  vp.pViewports = &viewport;
  vp.scissorCount = 1;
  vp.pScissors = &scissor;
  // The frame's passes set the scissor per pass (the whole frame, or an instance's box in render_alone).
  const VkDynamicState dynamic_scissor = VK_DYNAMIC_STATE_SCISSOR;
  VkPipelineDynamicStateCreateInfo dyn{};
  dyn.sType = VK_STRUCTURE_TYPE_PIPELINE_DYNAMIC_STATE_CREATE_INFO;
  dyn.dynamicStateCount = 1;
  dyn.pDynamicStates = &dynamic_scissor;
  VkPipelineRasterizationStateCreateInfo rs{};
  rs.sType = VK_STRUCTURE_TYPE_PIPELINE_RASTERIZATION_STATE_CREATE_INFO;
  rs.polygonMode = VK_POLYGON_MODE_FILL;
  rs.cullMode = VK_CULL_MODE_NONE;  // open meshes and planes are visible from both sides
  rs.frontFace = VK_FRONT_FACE_COUNTER_CLOCKWISE;  // unused: no culling, shading orients normals itself
  rs.lineWidth = 1.0f;
  if (shadow) {
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
  ds.depthTestEnable = fullscreen ? VK_FALSE : VK_TRUE;
  ds.depthWriteEnable = fullscreen ? VK_FALSE : VK_TRUE;
  ds.depthCompareOp = VK_COMPARE_OP_LESS;  // ties keep the first-drawn surface, so draw order is stable
  std::array<VkPipelineColorBlendAttachmentState, 4> blend{};
  for (auto& b : blend) {
    // Never blend: an id or depth is one surface's, not a mix. (The background writes all three too,
    // with the clear values +inf and 0: per-attachment write masks would need independentBlend.)
    b.blendEnable = VK_FALSE;
    b.colorWriteMask = VK_COLOR_COMPONENT_R_BIT | VK_COLOR_COMPONENT_G_BIT | VK_COLOR_COMPONENT_B_BIT |
                       VK_COLOR_COMPONENT_A_BIT;
  }
  VkPipelineColorBlendStateCreateInfo cb{};
  cb.sType = VK_STRUCTURE_TYPE_PIPELINE_COLOR_BLEND_STATE_CREATE_INFO;
  cb.attachmentCount = shadow ? 0 : color_attachments();
  cb.pAttachments = blend.data();
  VkGraphicsPipelineCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_GRAPHICS_PIPELINE_CREATE_INFO;
  ci.stageCount = shadow ? 1 : static_cast<std::uint32_t>(stages.size());
  ci.pStages = stages.data();
  ci.pVertexInputState = &vin;
  ci.pInputAssemblyState = &ia;
  ci.pViewportState = &vp;
  ci.pRasterizationState = &rs;
  ci.pMultisampleState = &ms;
  ci.pDepthStencilState = kind == PipelineKind::resolve ? nullptr : &ds;
  ci.pColorBlendState = &cb;
  if (!shadow) ci.pDynamicState = &dyn;
  switch (kind) {
    case PipelineKind::mesh:
    case PipelineKind::background:
      ci.layout = m_pipeline_layout.get();
      ci.renderPass = m_render_pass.get();
      break;
    case PipelineKind::shadow:
      ci.layout = m_shadow_layout.get();
      ci.renderPass = m_shadow_pass.get();
      break;
    case PipelineKind::resolve:
      ci.layout = m_resolve_layout.get();
      ci.renderPass = m_resolve_pass.get();
      break;
  }
  ci.subpass = 0;
  VkPipeline pipeline = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateGraphicsPipelines(dev, VK_NULL_HANDLE, 1, &ci, nullptr, &pipeline));
  out = UniquePipeline(dev, pipeline);
  return ok_status();
}

// Makes the device's writes to the slot's readback buffer visible to the host (after its fence).
Status VulkanRenderer::invalidate_readback(const Slot& slot) const {
  if (slot.readback.coherent) return ok_status();
  VkMappedMemoryRange range{};
  range.sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE;
  range.memory = slot.readback.memory.get();
  range.size = VK_WHOLE_SIZE;
  SL_VK_TRY(vkInvalidateMappedMemoryRanges(m_device.get(), 1, &range));
  return ok_status();
}

Status VulkanRenderer::submit_and_wait(Slot& slot) {
  const VkDevice dev = m_device.get();
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  const VkFence fence = slot.fence.get();
  SL_VK_TRY(vkResetFences(dev, 1, &fence));
  SL_VK_TRY(vkQueueSubmit(m_device.queue(), 1, &si, fence));
  SL_VK_TRY(vkWaitForFences(dev, 1, &fence, VK_TRUE, std::numeric_limits<std::uint64_t>::max()));
  return ok_status();
}

Status VulkanRenderer::upload_meshes(std::span<const Mesh> meshes) {
  std::vector<Vertex> vertices;
  std::vector<std::uint32_t> indices;
  m_meshes.clear();
  for (const Mesh& m : meshes) {
    MeshRange r;
    r.first_index = static_cast<std::uint32_t>(indices.size());
    r.index_count = static_cast<std::uint32_t>(m.indices.size());
    r.vertex_offset = static_cast<std::int32_t>(vertices.size());
    vertices.insert(vertices.end(), m.vertices.begin(), m.vertices.end());
    indices.insert(indices.end(), m.indices.begin(), m.indices.end());
    r.parts = m.parts;
    r.materials = m.materials;
    if (!m.vertices.empty()) r.lo = r.hi = m.vertices.front().position;
    for (const Vertex& v : m.vertices) {
      r.lo = glm::min(r.lo, v.position);
      r.hi = glm::max(r.hi, v.position);
    }
    m_meshes.push_back(r);
  }
  if (indices.empty()) return make_error(ExitCode::usage, "no triangles to render");
  const VkDeviceSize vbytes = vertices.size() * sizeof(Vertex), ibytes = indices.size() * sizeof(std::uint32_t);
  Buffer staging;
  SL_TRY_STATUS(make_buffer(vbytes + ibytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0, true,
                            staging));
  std::memcpy(staging.mapped, vertices.data(), vbytes);
  std::memcpy(static_cast<char*>(staging.mapped) + vbytes, indices.data(), ibytes);
  SL_TRY_STATUS(make_buffer(vbytes, VK_BUFFER_USAGE_VERTEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, false, m_vertices));
  SL_TRY_STATUS(make_buffer(ibytes, VK_BUFFER_USAGE_INDEX_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                            VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0, false, m_indices));
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  Slot& slot = m_slots.front();
  if (slot.pending) return make_error(ExitCode::internal, "upload_meshes while a frame is in flight");
  SL_VK_TRY(vkBeginCommandBuffer(slot.cmd, &begin));
  const VkBufferCopy vc{0, 0, vbytes}, ic{vbytes, 0, ibytes};
  vkCmdCopyBuffer(slot.cmd, staging.buffer.get(), m_vertices.buffer.get(), 1, &vc);
  vkCmdCopyBuffer(slot.cmd, staging.buffer.get(), m_indices.buffer.get(), 1, &ic);
  SL_VK_TRY(vkEndCommandBuffer(slot.cmd));
  SL_TRY_STATUS(submit_and_wait(slot));  // later vertex reads are ordered by this full wait + new submission
  return check_messages();
}

// Creates `out` as a sampled 2D array image (w x h x layers of `format`) holding `data`, and waits
// until it is ready for the fragment shader.
Status VulkanRenderer::upload_array(VkFormat format, std::uint32_t w, std::uint32_t h, std::uint32_t layers,
                                    std::uint32_t mips, std::uint32_t texel, const void* data, VkDeviceSize bytes,
                                    Target& out, bool mutable_format) {
  Slot& slot = m_slots.front();
  for (const Slot& s : m_slots) {
    if (s.pending) return make_error(ExitCode::internal, "image upload while a frame is in flight");
  }
  VkPhysicalDeviceProperties props{};
  vkGetPhysicalDeviceProperties(m_physical.handle, &props);
  if (layers > props.limits.maxImageArrayLayers) {
    return make_error(ExitCode::device, std::to_string(layers) + " images, more than the device's " +
                                            std::to_string(props.limits.maxImageArrayLayers) + " image layers");
  }
  Buffer staging;
  SL_TRY_STATUS(make_buffer(bytes, VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                            VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0, true,
                            staging));
  std::memcpy(staging.mapped, data, bytes);
  Target t;
  SL_TRY_STATUS(make_target(format, VK_IMAGE_USAGE_SAMPLED_BIT | VK_IMAGE_USAGE_TRANSFER_DST_BIT,
                            VK_IMAGE_ASPECT_COLOR_BIT, t, ImageShape{w, h, layers, mips, true, mutable_format}));

  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  SL_VK_TRY(vkBeginCommandBuffer(slot.cmd, &begin));
  VkImageMemoryBarrier to_dst{};
  to_dst.sType = VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER;
  to_dst.srcAccessMask = 0;
  to_dst.dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_dst.oldLayout = VK_IMAGE_LAYOUT_UNDEFINED;
  to_dst.newLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  to_dst.srcQueueFamilyIndex = to_dst.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  to_dst.image = t.image.get();
  to_dst.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, mips, 0, layers};
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 0, nullptr, 0,
                       nullptr, 1, &to_dst);
  std::vector<VkBufferImageCopy> regions(mips);
  VkDeviceSize offset = 0;
  for (std::uint32_t k = 0; k < mips; ++k) {
    const std::uint32_t lw = std::max(1u, w >> k), lh = std::max(1u, h >> k);
    regions[k].bufferOffset = offset;
    regions[k].imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, k, 0, layers};
    regions[k].imageExtent = {lw, lh, 1};
    offset += VkDeviceSize{lw} * lh * layers * texel;
  }
  if (offset != bytes) return make_error(ExitCode::internal, "image upload: data size does not match its levels");
  vkCmdCopyBufferToImage(slot.cmd, staging.buffer.get(), t.image.get(), VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, mips,
                         regions.data());
  VkImageMemoryBarrier to_read = to_dst;
  to_read.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  to_read.dstAccessMask = VK_ACCESS_SHADER_READ_BIT;
  to_read.oldLayout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
  to_read.newLayout = VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL;
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_FRAGMENT_SHADER_BIT, 0, 0, nullptr, 0,
                       nullptr, 1, &to_read);
  SL_VK_TRY(vkEndCommandBuffer(slot.cmd));
  SL_TRY_STATUS(submit_and_wait(slot));
  out = std::move(t);  // the old image is unused: no frame is in flight
  return ok_status();
}

Status VulkanRenderer::write_image_descriptors(bool alone_only) {
  const VkDevice dev = m_device.get();
  if (m_sampler.get() == VK_NULL_HANDLE) {
    VkSamplerCreateInfo si{};
    si.sType = VK_STRUCTURE_TYPE_SAMPLER_CREATE_INFO;
    si.magFilter = si.minFilter = VK_FILTER_LINEAR;
    si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_NEAREST;
    si.addressModeU = VK_SAMPLER_ADDRESS_MODE_REPEAT;  // longitude wraps around; textures tile
    si.addressModeV = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;  // the poles of an environment map
    si.addressModeW = VK_SAMPLER_ADDRESS_MODE_CLAMP_TO_EDGE;
    si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;  // between the environment's roughness levels
    si.maxLod = static_cast<float>(k_environment_specular_levels);
    VkSampler sampler = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateSampler(dev, &si, nullptr, &sampler));
    m_sampler = UniqueSampler(dev, sampler);
    si.mipmapMode = VK_SAMPLER_MIPMAP_MODE_LINEAR;  // textures: trilinear over their mip levels
    si.maxLod = VK_LOD_CLAMP_NONE;
    si.addressModeV = VK_SAMPLER_ADDRESS_MODE_REPEAT;
    SL_VK_TRY(vkCreateSampler(dev, &si, nullptr, &sampler));
    m_texture_sampler = UniqueSampler(dev, sampler);
  }
  if (m_environment.view.get() == VK_NULL_HANDLE || m_textures.view.get() == VK_NULL_HANDLE) return ok_status();
  std::vector<VkDescriptorSet> sets;
  if (!alone_only) {
    for (const Slot& s : m_slots) sets.push_back(s.set);
  }
  if (m_alone) sets.push_back(m_alone->set);  // render_alone's, once made
  for (const VkDescriptorSet set : sets) {
    const VkDescriptorImageInfo env{m_sampler.get(), m_environment.view.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    const VkDescriptorImageInfo tex{m_texture_sampler.get(), m_textures.view.get(),
                                    VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    const VkDescriptorImageInfo shadow{m_shadow_sampler.get(), m_shadow_map.view.get(),
                                       VK_IMAGE_LAYOUT_DEPTH_STENCIL_READ_ONLY_OPTIMAL};
    const VkDescriptorImageInfo data{m_texture_sampler.get(), m_texture_data_view.get(),
                                     VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    const VkDescriptorImageInfo* infos[4] = {&env, &tex, &shadow, &data};
    std::array<VkWriteDescriptorSet, 4> wr{};
    for (std::size_t i = 0; i < 4; ++i) {
      wr[i].sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET;
      wr[i].dstSet = set;
      wr[i].dstBinding = static_cast<std::uint32_t>(1 + i);
      wr[i].descriptorCount = 1;
      wr[i].descriptorType = VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER;
      wr[i].pImageInfo = infos[i];
    }
    vkUpdateDescriptorSets(dev, static_cast<std::uint32_t>(wr.size()), wr.data(), 0, nullptr);
  }
  return check_messages();
}

Status VulkanRenderer::upload_environments(std::span<const EnvironmentMap> maps) {
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
  SL_TRY_STATUS(upload_array(VK_FORMAT_R16G16B16A16_SFLOAT, w, h, layers, mips, 8, half.data(), half.size() * 2,
                             m_environment));
  m_environment_layers = maps.empty() ? 0 : layers;
  m_environment_sh.clear();
  for (const auto& m : maps) m_environment_sh.push_back(m.irradiance_sh);
  return write_image_descriptors();
}

Status VulkanRenderer::upload_textures(std::span<const Texture> textures) {
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
  // sRGB texels, decoded to linear by the sampler.
  SL_TRY_STATUS(upload_array(VK_FORMAT_R8G8B8A8_SRGB, side, side, layers, mips, 4, texels.data(), texels.size(), m_textures,
                             true));
  {
    // The same texels read as UNORM, for maps that hold data rather than colour.
    VkImageViewCreateInfo vi{};
    vi.sType = VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO;
    vi.image = m_textures.image.get();
    vi.viewType = VK_IMAGE_VIEW_TYPE_2D_ARRAY;
    vi.format = VK_FORMAT_R8G8B8A8_UNORM;
    vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, mips, 0, layers};
    VkImageView view = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateImageView(m_device.get(), &vi, nullptr, &view));
    m_texture_data_view = UniqueImageView(m_device.get(), view);
  }
  m_texture_layers = textures.empty() ? 0 : layers;
  return write_image_descriptors();
}

Status VulkanRenderer::submit(std::uint32_t slot_index, const Scene& scene) {
  if (slot_index >= m_slots.size()) return make_error(ExitCode::internal, "no such frame slot");
  Slot& slot = m_slots[slot_index];
  if (slot.pending) return make_error(ExitCode::internal, "frame slot submitted twice without collect");
  // Fault injection for tests (SYNTHLABEL_FAULT_DEVICE_LOST_AFTER=N): the (N+1)-th submit fails as a lost
  // device would, through the same error path.
  if (m_fault_after && m_submitted++ >= *m_fault_after) SL_VK_TRY(VK_ERROR_DEVICE_LOST);
  const auto t0 = Clock::now();
  SL_TRY_STATUS(record(slot, scene));
  VkSubmitInfo si{};
  si.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO;
  si.commandBufferCount = 1;
  si.pCommandBuffers = &slot.cmd;
  const VkFence fence = slot.fence.get();
  SL_VK_TRY(vkResetFences(m_device.get(), 1, &fence));
  SL_VK_TRY(vkQueueSubmit(m_device.queue(), 1, &si, fence));
  slot.pending = true;
  m_timings.submit += since(t0);
  return check_messages();
}

VkRect2D VulkanRenderer::pixel_box(const Camera& cam, const synthlabel::Instance& inst) const {
  const VkRect2D frame{{0, 0}, {m_width, m_height}};
  if (inst.mesh_index >= m_meshes.size()) return frame;
  const MeshRange& r = m_meshes[inst.mesh_index];
  const glm::dmat4 to_camera = glm::dmat4(cam.view) * glm::dmat4(inst.model);
  double u0 = 1e300, v0 = 1e300, u1 = -1e300, v1 = -1e300;
  for (int k = 0; k < 8; ++k) {
    const glm::dvec3 corner((k & 1) ? r.hi.x : r.lo.x, (k & 2) ? r.hi.y : r.lo.y, (k & 4) ? r.hi.z : r.lo.z);
    const glm::dvec4 c = to_camera * glm::dvec4(corner, 1.0);  // OpenGL camera: looks down -z, +y up
    if (-c.z < double(cam.near_m)) return frame;  // clipped by the near plane: no simple bound
    const double u = cam.cx + cam.fx * c.x / -c.z, v = cam.cy - cam.fy * c.y / -c.z;
    u0 = std::min(u0, u), v0 = std::min(v0, v), u1 = std::max(u1, u), v1 = std::max(v1, v);
  }
  // A covered pixel's centre lies inside the projected box: pixels floor(u0) - 1 .. ceil(u1), with a
  // pixel to spare for the device's float arithmetic.
  const double x0 = std::clamp(std::floor(u0) - 1.0, 0.0, double(m_width)), x1 = std::clamp(std::ceil(u1) + 1.0, 0.0, double(m_width));
  const double y0 = std::clamp(std::floor(v0) - 1.0, 0.0, double(m_height)), y1 = std::clamp(std::ceil(v1) + 1.0, 0.0, double(m_height));
  if (!(x1 > x0 && y1 > y0)) return VkRect2D{{0, 0}, {0, 0}};
  return VkRect2D{{static_cast<std::int32_t>(x0), static_cast<std::int32_t>(y0)},
                  {static_cast<std::uint32_t>(x1 - x0), static_cast<std::uint32_t>(y1 - y0)}};
}

Status VulkanRenderer::render_alone(const Scene& scene, std::span<const std::size_t> indices, std::vector<std::uint32_t>& ids,
                                    std::vector<PixelBox>& boxes) {
  for (std::size_t index : indices) {
    if (index >= scene.instances.size()) return make_error(ExitCode::internal, "render_alone: no such instance");
  }
  const VkDevice dev = m_device.get();
  const std::size_t pixels = std::size_t{m_width} * m_height;
  // Instances per submission: up to 16, within 64 MiB of id planes.
  const std::size_t batch = std::clamp<std::size_t>((std::size_t{64} << 20) / (pixels * 4), 1, 16);
  if (!m_alone) {  // a slot like the ring's, with its own command buffer, fence, uniforms and readback
    // Its descriptor set comes from a pool of its own (the ring's sets are all allocated).
    const std::array<VkDescriptorPoolSize, 2> sizes{
        {{VK_DESCRIPTOR_TYPE_UNIFORM_BUFFER, 1}, {VK_DESCRIPTOR_TYPE_COMBINED_IMAGE_SAMPLER, 4}}};
    VkDescriptorPoolCreateInfo pci{};
    pci.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO;
    pci.maxSets = 1;
    pci.poolSizeCount = static_cast<std::uint32_t>(sizes.size());
    pci.pPoolSizes = sizes.data();
    VkDescriptorPool pool = VK_NULL_HANDLE;
    SL_VK_TRY(vkCreateDescriptorPool(dev, &pci, nullptr, &pool));
    m_alone_pool = UniqueDescriptorPool(dev, pool);
    auto s = std::make_unique<Slot>();
    SL_TRY_STATUS(make_slot(*s, pool));
    // Its readback holds `batch` id planes.
    s->readback = Buffer{};
    SL_TRY_STATUS(make_buffer(VkDeviceSize{pixels} * 4 * batch, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                              VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, VK_MEMORY_PROPERTY_HOST_CACHED_BIT, true, s->readback));
    m_alone = std::move(s);
    // The same images as every slot's set, rewritten with them whenever maps or textures are uploaded
    // (only its own set here: the ring's may be in use by frames in flight).
    SL_TRY_STATUS(write_image_descriptors(true));
  }
  // The instances, each drawn alone: no light, no environment, no background image (the colour is
  // not read), plain material (no texture to sample).
  Scene alone;
  alone.frame = scene.frame;
  alone.camera = scene.camera;
  alone.ambient = 0.0f;
  ids.resize(pixels * indices.size());
  boxes.clear();
  Slot& slot = *m_alone;
  for (std::size_t first = 0; first < indices.size(); first += batch) {
    const std::size_t count = std::min(batch, indices.size() - first);
    alone.instances.clear();
    std::vector<VkRect2D> areas(count);
    for (std::size_t j = 0; j < count; ++j) {
      alone.instances.push_back(scene.instances[indices[first + j]]);
      alone.instances.back().asset_materials = false;
      alone.instances.back().texture = -1;
      areas[j] = pixel_box(scene.camera, alone.instances.back());
      boxes.push_back({static_cast<std::uint32_t>(areas[j].offset.x), static_cast<std::uint32_t>(areas[j].offset.y),
                       areas[j].extent.width, areas[j].extent.height});
    }
    SL_TRY_STATUS(record(slot, alone, areas));
    SL_TRY_STATUS(submit_and_wait(slot));
    SL_TRY_STATUS(invalidate_readback(slot));
    std::memcpy(ids.data() + first * pixels, slot.readback.mapped, count * pixels * 4);
  }
  return check_messages();
}

Status VulkanRenderer::collect(std::uint32_t slot_index, FrameBuffers& out) {
  if (slot_index >= m_slots.size() || !m_slots[slot_index].pending) {
    return make_error(ExitCode::internal, "collect on a frame slot with nothing submitted");
  }
  Slot& slot = m_slots[slot_index];
  const VkDevice dev = m_device.get();
  const VkFence fence = slot.fence.get();
  auto t0 = Clock::now();
  SL_VK_TRY(vkWaitForFences(dev, 1, &fence, VK_TRUE, std::numeric_limits<std::uint64_t>::max()));
  slot.pending = false;
  m_timings.wait += since(t0);
  t0 = Clock::now();
  SL_TRY_STATUS(invalidate_readback(slot));
  const std::size_t pixels = std::size_t{m_width} * m_height;
  const std::size_t plane = pixels * 4;
  out.width = m_width;
  out.height = m_height;
  out.rgba.resize(pixels * 4);
  out.depth.resize(pixels);
  out.instance_id.resize(pixels);
  const auto* base = static_cast<const std::uint8_t*>(slot.readback.mapped);
  std::memcpy(out.rgba.data(), base, plane);
  std::memcpy(out.depth.data(), base + plane, plane);
  std::memcpy(out.instance_id.data(), base + 2 * plane, plane);
  if (m_read_normals) {
    out.normals.resize(pixels * 3);
    const auto* half = reinterpret_cast<const std::uint16_t*>(base + 3 * plane);
    for (std::size_t p = 0; p < pixels; ++p) {
      for (std::size_t c = 0; c < 3; ++c) out.normals[3 * p + c] = glm::unpackHalf1x16(half[4 * p + c]);
    }
  } else {
    out.normals.clear();
  }
  m_timings.copy += since(t0);
  return check_messages();
}

// Clip space from pinhole intrinsics, so the image is exactly the K recorded with it: a camera-space
// point (OpenGL axes) lands at u = cx + fx X/(-Z), v = cy - fy Y/(-Z) in pixels (v down, pixel (0,0)
// spanning [0,1)^2), i.e. Vulkan NDC x = 2u/W - 1, y = 2v/H - 1; depth is reversed-free [0,1]
// (near to far) as glm::perspectiveRH_ZO makes it.
namespace {
glm::mat4 projection_from_intrinsics(const Camera& c) {
  const double w = c.width, h = c.height, n = c.near_m, f = c.far_m;
  glm::dmat4 p(0.0);
  p[0][0] = 2.0 * c.fx / w;
  p[2][0] = 1.0 - 2.0 * c.cx / w;
  p[1][1] = -2.0 * c.fy / h;
  p[2][1] = 1.0 - 2.0 * c.cy / h;
  p[2][2] = f / (n - f);
  p[3][2] = f * n / (n - f);
  p[2][3] = -1.0;
  return glm::mat4(p);
}
}  // namespace

// Shadow maps (docs/conventions.md): a directional light's is an orthographic view along the light
// that holds the bounding sphere of every instance's box; a spot's a perspective view from the light
// through its cone, out to the farthest box corner. Every instance casts, labeled or not.
void VulkanRenderer::record_shadows(VkCommandBuffer cmd, const Scene& scene, std::span<const Light* const> lights,
                                    void* uniforms) {
  auto& u = *static_cast<FrameUniforms*>(uniforms);
  if (m_shadow_size == 0 || scene.instances.empty()) return;
  std::vector<glm::vec3> corners;
  corners.reserve(scene.instances.size() * 8);
  glm::vec3 lo(std::numeric_limits<float>::max()), hi(-std::numeric_limits<float>::max());
  for (const synthlabel::Instance& inst : scene.instances) {
    if (inst.mesh_index >= m_meshes.size()) return;  // record() reports it
    const MeshRange& m = m_meshes[inst.mesh_index];
    for (int c = 0; c < 8; ++c) {
      const glm::vec3 local((c & 1) ? m.hi.x : m.lo.x, (c & 2) ? m.hi.y : m.lo.y, (c & 4) ? m.hi.z : m.lo.z);
      const glm::vec3 w = glm::vec3(inst.model * glm::vec4(local, 1.0f));
      corners.push_back(w);
      lo = glm::min(lo, w);
      hi = glm::max(hi, w);
    }
  }
  const glm::vec3 centre = 0.5f * (lo + hi);
  const float radius = std::max(0.5f * glm::length(hi - lo), 1e-3f);
  const float size = static_cast<float>(m_shadow_size);
  std::uint32_t layer = 0;
  for (std::size_t i = 0; i < lights.size(); ++i) {
    const Light& l = *lights[i];
    if (!l.shadows || l.type == LightType::point) continue;
    const glm::vec3 axis = l.type == LightType::directional ? -l.to_light : l.direction;  // the way light travels
    const glm::vec3 up = std::abs(axis.y) < 0.99f ? glm::vec3(0, 1, 0) : glm::vec3(1, 0, 0);
    glm::mat4 matrix(1.0f);
    if (l.type == LightType::directional) {
      const glm::vec3 eye = centre - axis * (2.0f * radius);
      matrix = glm::orthoRH_ZO(-radius, radius, -radius, radius, radius * 0.99f, radius * 3.01f) *
               glm::lookAtRH(eye, centre, up);
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / size, 2.0f * radius / size, 0.0f);
    } else {
      float far = 0.0f;
      for (const glm::vec3& c : corners) far = std::max(far, glm::length(c - l.position));
      far = std::max(far * 1.01f, 0.2f);
      const float half = std::min(std::acos(std::clamp(l.cos_outer, -1.0f, 1.0f)) + 0.02f, glm::radians(85.0f));
      matrix = glm::perspectiveRH_ZO(2.0f * half, 1.0f, std::max(0.05f, far * 1e-3f), far) *
               glm::lookAtRH(l.position, l.position + axis, up);
      u.light_shadow[i] = glm::vec4(static_cast<float>(layer), 1.0f / size, 2.0f * std::tan(half) / size, 0.0f);
    }
    u.light_matrix[i] = matrix;
    VkClearValue clear{};
    clear.depthStencil = {1.0f, 0};
    VkRenderPassBeginInfo rp{};
    rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    rp.renderPass = m_shadow_pass.get();
    rp.framebuffer = m_shadow_framebuffers[layer].get();
    rp.renderArea = {{0, 0}, {m_shadow_size, m_shadow_size}};
    rp.clearValueCount = 1;
    rp.pClearValues = &clear;
    vkCmdBeginRenderPass(cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_shadow_pipeline.get());
    const VkDeviceSize zero = 0;
    const VkBuffer vb = m_vertices.buffer.get();
    vkCmdBindVertexBuffers(cmd, 0, 1, &vb, &zero);
    vkCmdBindIndexBuffer(cmd, m_indices.buffer.get(), 0, VK_INDEX_TYPE_UINT32);
    for (const synthlabel::Instance& inst : scene.instances) {
      const ShadowPush push{matrix * inst.model};
      vkCmdPushConstants(cmd, m_shadow_layout.get(), VK_SHADER_STAGE_VERTEX_BIT, 0, sizeof(push), &push);
      const MeshRange& r = m_meshes[inst.mesh_index];
      vkCmdDrawIndexed(cmd, r.index_count, 1, r.first_index, r.vertex_offset, 0);
    }
    vkCmdEndRenderPass(cmd);
    ++layer;
  }
}

Status VulkanRenderer::record(Slot& slot, const Scene& scene, std::span<const VkRect2D> alone_boxes) {
  if (!alone_boxes.empty() && alone_boxes.size() != scene.instances.size()) {
    return make_error(ExitCode::internal, "record: one box per instance drawn alone");
  }
  if (scene.camera.width != m_width || scene.camera.height != m_height) {
    return make_error(ExitCode::internal, "scene size differs from the renderer's");
  }
  if (scene.lights.size() > 4) return make_error(ExitCode::internal, "more than 4 lights");
  // Per-frame uniforms. Safe to overwrite: this slot's previous frame was collected (fence waited on).
  FrameUniforms u{};
  u.view = scene.camera.view;
  u.proj = projection_from_intrinsics(scene.camera);
  // Directional lights first, then point and spot lights (mesh.frag loops over each group apart).
  std::array<const Light*, 4> ordered{};
  std::size_t directional = 0, n = 0;
  for (const Light& l : scene.lights) {
    if (l.type == LightType::directional) ordered[n++] = &l;
  }
  directional = n;
  for (const Light& l : scene.lights) {
    if (l.type != LightType::directional) ordered[n++] = &l;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const Light& l = *ordered[i];
    u.light_to[i] = glm::vec4(l.to_light, static_cast<float>(l.type));
    u.light_color[i] = glm::vec4(l.color, 0.0f);
    // A point light is a spot whose cone takes in every direction (cosines below -1).
    const bool spot = l.type == LightType::spot;
    u.light_position[i] = glm::vec4(l.position, spot ? l.cos_outer : -3.0f);
    u.light_direction[i] = glm::vec4(l.direction, spot ? l.cos_inner : -2.0f);
  }
  u.params = glm::vec4(scene.ambient, static_cast<float>(scene.lights.size()), -1.0f, static_cast<float>(directional));
  // In rasterized pixels: supersampling scales K by its factor (the projection matrix is the same).
  const auto ss = static_cast<float>(m_ss);
  u.frame_size = glm::vec4(static_cast<float>(m_iw), static_cast<float>(m_ih),
                           static_cast<float>(std::exp2(scene.camera.exposure_ev)), scene.camera.filmic ? 1.0f : 0.0f);
  u.camera_position = glm::vec4(scene.camera.position, 1.0f);
  u.intrinsics = glm::vec4(static_cast<float>(scene.camera.fx), static_cast<float>(scene.camera.fy),
                           static_cast<float>(scene.camera.cx), static_cast<float>(scene.camera.cy)) * ss;
  const EnvironmentState& env = scene.environment;
  bool background = false;
  if (scene.background_image >= 0) {
    if (scene.background_image >= static_cast<std::int32_t>(m_texture_layers)) {
      return make_error(ExitCode::internal, "scene uses a background image that was not uploaded");
    }
    background = true;
    u.params.z = static_cast<float>(scene.background_image);
  }
  if (env.map >= 0) {
    if (static_cast<std::uint32_t>(env.map) >= m_environment_layers) {
      return make_error(ExitCode::internal, "scene uses an environment map that was not uploaded");
    }
    const bool env_seen = env.background && env.intensity > 0;
    background = background || env_seen;
    u.environment = glm::vec4(env.lighting ? static_cast<float>(env.intensity) : 0.0f,
                              static_cast<float>(glm::radians(env.rotation_deg)), static_cast<float>(env.map),
                              env_seen ? static_cast<float>(env.intensity) : 0.0f);
    for (std::size_t i = 0; i < 9; ++i) u.env_sh[i] = glm::vec4(m_environment_sh[static_cast<std::size_t>(env.map)][i], 0.0f);
  }
  for (std::size_t i = 0; i < 4; ++i) u.light_shadow[i] = glm::vec4(-1.0f, 0.0f, 0.0f, 0.0f);
  VkCommandBufferBeginInfo begin{};
  begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO;
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  SL_VK_TRY(vkBeginCommandBuffer(slot.cmd, &begin));
  record_shadows(slot.cmd, scene, std::span<const Light* const>(ordered.data(), n), &u);
  std::memcpy(slot.frame_ubo.mapped, &u, sizeof(u));
  std::uint32_t features = 0;
  for (const auto& inst : scene.instances) {
    if (inst.texture >= 0) features |= k_feature_textures;
    if (inst.asset_materials && inst.mesh_index < m_meshes.size()) {
      for (const Material& m : m_meshes[inst.mesh_index].materials) {
        if (m.base_color_map >= 0 || m.metallic_roughness_map >= 0 || m.normal_map >= 0 || m.occlusion_map >= 0 ||
            m.emissive_map >= 0) {
          features |= k_feature_textures;
        }
      }
    }
  }
  for (const auto& l : scene.lights) {
    if (l.type != LightType::directional) features |= k_feature_positional_lights;
  }
  if (u.environment.x > 0.0f) features |= k_feature_environment_light;
  for (const auto& sh : u.light_shadow) {
    if (sh.x >= 0.0f) features |= k_feature_shadows;
  }
  auto pipeline_r = mesh_pipeline(features);
  if (!pipeline_r) {
    (void)vkEndCommandBuffer(slot.cmd);
    return pipeline_r.error();
  }
  const VkPipeline pipeline = *pipeline_r;

  std::array<VkClearValue, 5> clears{};
  clears[0].color.float32[0] = scene.background.r;  // linear; the sRGB attachment encodes it
  clears[0].color.float32[1] = scene.background.g;
  clears[0].color.float32[2] = scene.background.b;
  clears[0].color.float32[3] = 1.0f;
  clears[1].color.float32[0] = std::numeric_limits<float>::infinity();  // depth where no surface
  clears[2].color.uint32[0] = 0;                                        // background id
  clears[3].color.float32[0] = clears[3].color.float32[1] = clears[3].color.float32[2] = 0.0f;  // no normal
  clears[4].depthStencil = {1.0f, 0};
  if (!m_read_normals) clears[3] = clears[4];  // the z-buffer follows the ids
  const VkDeviceSize plane = VkDeviceSize{m_width} * m_height * 4;
  // One main pass (and resolve) drawing `instances`: the whole frame, or one instance alone.
  // `area` in frame pixels: the render area and scissor (rasterized pixels are m_ss times these).
  auto record_pass = [&](std::span<const synthlabel::Instance> instances, bool draw_background, VkRect2D area) -> Status {
    VkRenderPassBeginInfo rp{};
    rp.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
    rp.renderPass = m_render_pass.get();
    rp.framebuffer = m_framebuffer.get();
    rp.renderArea = {{area.offset.x * static_cast<std::int32_t>(m_ss), area.offset.y * static_cast<std::int32_t>(m_ss)},
                     {area.extent.width * m_ss, area.extent.height * m_ss}};
    rp.clearValueCount = color_attachments() + 1;
    rp.pClearValues = clears.data();
    vkCmdBeginRenderPass(slot.cmd, &rp, VK_SUBPASS_CONTENTS_INLINE);
    vkCmdSetScissor(slot.cmd, 0, 1, &rp.renderArea);
    if (draw_background) {
      vkCmdBindPipeline(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_background_pipeline.get());
      vkCmdBindDescriptorSets(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_pipeline_layout.get(), 0, 1, &slot.set, 0, nullptr);
      vkCmdDraw(slot.cmd, 3, 1, 0, 0);
    }
    if (!instances.empty()) {
      vkCmdBindPipeline(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, pipeline);
      vkCmdBindDescriptorSets(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_pipeline_layout.get(), 0, 1, &slot.set, 0, nullptr);
      const VkDeviceSize zero = 0;
      const VkBuffer vb = m_vertices.buffer.get();
      vkCmdBindVertexBuffers(slot.cmd, 0, 1, &vb, &zero);
      vkCmdBindIndexBuffer(slot.cmd, m_indices.buffer.get(), 0, VK_INDEX_TYPE_UINT32);
    }
    for (const synthlabel::Instance& inst : instances) {
      if (inst.mesh_index >= m_meshes.size()) {
        vkCmdEndRenderPass(slot.cmd);
        (void)vkEndCommandBuffer(slot.cmd);
        return make_error(ExitCode::internal, "instance refers to a mesh that was not uploaded");
      }
      ObjectPush push{};
      push.model = inst.model;
      push.color = glm::vec4(inst.color, inst.roughness);
      push.instance_id = inst.instance_id;
      push.metallic = inst.metallic;
      push.texture = inst.texture;
      push.normal_scale = 1.0f;
      push.maps = glm::ivec4(-1);
      push.emissive = glm::vec4(0.0f, 0.0f, 0.0f, 1.0f);
      const MeshRange& r = m_meshes[inst.mesh_index];
      const auto layers = static_cast<std::int32_t>(m_texture_layers);
      auto draw = [&](std::uint32_t first, std::uint32_t count) {
        if (push.texture >= layers || glm::any(glm::greaterThanEqual(push.maps, glm::ivec4(layers)))) return false;
        vkCmdPushConstants(slot.cmd, m_pipeline_layout.get(), VK_SHADER_STAGE_VERTEX_BIT | VK_SHADER_STAGE_FRAGMENT_BIT, 0,
                           k_push_size, &push);
        vkCmdDrawIndexed(slot.cmd, count, 1, r.first_index + first, r.vertex_offset, 0);
        return true;
      };
      bool drawn = true;
      if (inst.asset_materials && !r.parts.empty()) {
        for (const MeshPart& part : r.parts) {  // each part with its own material
          const Material& m = r.materials[part.material];
          push.color = glm::vec4(m.base_color, m.roughness);
          push.metallic = m.metallic;
          push.texture = m.base_color_map;
          push.normal_scale = m.normal_scale;
          push.maps = glm::ivec4(m.metallic_roughness_map, m.normal_map, m.occlusion_map, m.emissive_map);
          push.emissive = glm::vec4(m.emissive, m.occlusion_strength);
          drawn = drawn && draw(part.first_index, part.index_count);
        }
      } else {
        drawn = draw(0, r.index_count);
      }
      if (!drawn) {
        vkCmdEndRenderPass(slot.cmd);
        (void)vkEndCommandBuffer(slot.cmd);
        return make_error(ExitCode::internal, "instance refers to a texture that was not uploaded");
      }
    }
    vkCmdEndRenderPass(slot.cmd);
    if (m_ss > 1) {
      VkRenderPassBeginInfo rb{};
      rb.sType = VK_STRUCTURE_TYPE_RENDER_PASS_BEGIN_INFO;
      rb.renderPass = m_resolve_pass.get();
      rb.framebuffer = m_resolve_framebuffer.get();
      rb.renderArea = area;
      vkCmdBeginRenderPass(slot.cmd, &rb, VK_SUBPASS_CONTENTS_INLINE);
      vkCmdSetScissor(slot.cmd, 0, 1, &area);
      vkCmdBindPipeline(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_resolve_pipeline.get());
      vkCmdBindDescriptorSets(slot.cmd, VK_PIPELINE_BIND_POINT_GRAPHICS, m_resolve_layout.get(), 0, 1, &m_resolve_set, 0,
                              nullptr);
      vkCmdDraw(slot.cmd, 3, 1, 0, 0);
      vkCmdEndRenderPass(slot.cmd);
    }
    return ok_status();
  };
  // Copies target `i` (0 colour, 1 depth, 2 ids, 3 normals) to the slot's readback at `offset`.
  const Target* targets[4] = {&m_color, &m_linear_depth, &m_ids, &m_normals};
  if (m_ss > 1) targets[0] = &m_out_color, targets[1] = &m_out_depth, targets[2] = &m_out_ids, targets[3] = &m_out_normals;
  const VkRect2D frame{{0, 0}, {m_width, m_height}};
  auto copy = [&](std::size_t i, VkDeviceSize offset, VkRect2D area) {
    // The area's pixels land where they are in a whole plane (rows of m_width) starting at `offset`.
    VkBufferImageCopy region{};
    region.bufferOffset = offset + (VkDeviceSize{static_cast<std::uint32_t>(area.offset.y)} * m_width +
                                    static_cast<std::uint32_t>(area.offset.x)) * (i == 3 ? 8 : 4);
    region.bufferRowLength = m_width;
    region.bufferImageHeight = m_height;
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageOffset = {area.offset.x, area.offset.y, 0};
    region.imageExtent = {area.extent.width, area.extent.height, 1};
    vkCmdCopyImageToBuffer(slot.cmd, targets[i]->image.get(), VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL,
                           slot.readback.buffer.get(), 1, &region);
  };
  if (alone_boxes.empty()) {
    SL_TRY_STATUS(record_pass(scene.instances, background, frame));
    // Readback layout: colour, depth, ids (4 bytes a pixel each), then the normals (8) when read.
    for (std::size_t i = 0; i < (m_read_normals ? 4u : 3u); ++i) copy(i, plane * i, frame);
  } else {
    // Instances alone, one pass each, in one submission: their id planes one after another, each
    // rendered, cleared and copied within its box only (the rest of its plane is left as it was).
    // The render pass's external dependency orders each pass's writes after the previous copy.
    for (std::size_t j = 0; j < scene.instances.size(); ++j) {
      const VkRect2D area = alone_boxes[j];
      if (area.extent.width == 0 || area.extent.height == 0) continue;
      SL_TRY_STATUS(record_pass(std::span<const synthlabel::Instance>(&scene.instances[j], 1), false, area));
      copy(2, plane * j, area);
    }
  }
  // Make the copies visible to the host's reads after the fence.
  VkBufferMemoryBarrier barrier{};
  barrier.sType = VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER;
  barrier.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
  barrier.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
  barrier.srcQueueFamilyIndex = barrier.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
  barrier.buffer = slot.readback.buffer.get();
  barrier.size = VK_WHOLE_SIZE;
  vkCmdPipelineBarrier(slot.cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0, 0, nullptr, 1, &barrier,
                       0, nullptr);
  SL_VK_TRY(vkEndCommandBuffer(slot.cmd));
  return ok_status();
}

}  // namespace synthlabel::vk
