#include "renderer/vulkan/Bootstrap.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "renderer/vulkan/Check.h"

namespace synthlabel::vk {
namespace {

constexpr const char* k_validation_layer = "VK_LAYER_KHRONOS_validation";

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                          VkDebugUtilsMessageTypeFlagsEXT types,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data, void* user) {
  auto* log = static_cast<MessageLog*>(user);
  // The loader's note that a driver was skipped because of VK_LOADER_DRIVERS_SELECT: what
  // load_only_lavapipe_without_gpu asks for, not a fault.
  if ((severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) == 0 && (types & VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT) &&
      data && data->pMessage && std::strstr(data->pMessage, "not selected by env var 'VK_LOADER_DRIVERS_SELECT'")) {
    return VK_FALSE;
  }
  const char* level = (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "error" : "warning";
  log->add(std::string("Vulkan validation ") + level + ": " + (data && data->pMessage ? data->pMessage : "(no text)"));
  return VK_FALSE;  // never abort the call; the error surfaces through MessageLog::check()
}

VkDebugUtilsMessengerCreateInfoEXT messenger_info(MessageLog* log) {
  VkDebugUtilsMessengerCreateInfoEXT ci{};
  ci.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
  ci.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
  ci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                   VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
  ci.pfnUserCallback = on_message;
  ci.pUserData = log;
  return ci;
}

const char* type_name(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
      return "cpu";
    default:
      return "other";
  }
}

int type_rank(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
      return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
      return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
      return 2;
    case VK_PHYSICAL_DEVICE_TYPE_OTHER:
      return 3;
    default:
      return 4;  // CPU (lavapipe) last
  }
}

}  // namespace

void MessageLog::add(std::string message) {
  std::lock_guard lock(m_mutex);
  m_messages.push_back(std::move(message));
}

Status MessageLog::check() const {
  std::lock_guard lock(m_mutex);
  if (m_messages.empty()) return ok_status();
  std::string text = m_messages.front();
  if (m_messages.size() > 1) text += " (and " + std::to_string(m_messages.size() - 1) + " more)";
  return make_error(ExitCode::device, text);
}

Instance::~Instance() { reset(); }
Instance::Instance(Instance&& o) noexcept
    : m_instance(std::exchange(o.m_instance, VK_NULL_HANDLE)),
      m_messenger(std::exchange(o.m_messenger, VK_NULL_HANDLE)),
      m_log(std::move(o.m_log)) {}
Instance& Instance::operator=(Instance&& o) noexcept {
  if (this != &o) {
    reset();
    m_instance = std::exchange(o.m_instance, VK_NULL_HANDLE);
    m_messenger = std::exchange(o.m_messenger, VK_NULL_HANDLE);
    m_log = std::move(o.m_log);
  }
  return *this;
}

void Instance::reset() {
  if (m_messenger != VK_NULL_HANDLE) {
    auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(m_instance, "vkDestroyDebugUtilsMessengerEXT"));
    if (destroy) destroy(m_instance, m_messenger, nullptr);
    m_messenger = VK_NULL_HANDLE;
  }
  if (m_instance != VK_NULL_HANDLE) vkDestroyInstance(m_instance, nullptr);
  m_instance = VK_NULL_HANDLE;
}

void Instance::inject_test_message(const char* text) const {
  if (m_messenger == VK_NULL_HANDLE) return;
  auto submit = reinterpret_cast<PFN_vkSubmitDebugUtilsMessageEXT>(
      vkGetInstanceProcAddr(m_instance, "vkSubmitDebugUtilsMessageEXT"));
  if (!submit) return;
  VkDebugUtilsMessengerCallbackDataEXT data{};
  data.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CALLBACK_DATA_EXT;
  data.pMessage = text;
  submit(m_instance, VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT, VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT,
         &data);
}

InstanceBuilder& InstanceBuilder::set_app_name(std::string name) {
  m_app_name = std::move(name);
  return *this;
}

InstanceBuilder& InstanceBuilder::request_validation(bool on) {
  m_validation = on;
  return *this;
}

Result<Instance> InstanceBuilder::build() const {
  Instance inst;
  std::vector<const char*> layers, extensions;
  if (m_validation) {
    std::uint32_t n = 0;
    SL_VK_TRY(vkEnumerateInstanceLayerProperties(&n, nullptr));
    std::vector<VkLayerProperties> props(n);
    SL_VK_TRY(vkEnumerateInstanceLayerProperties(&n, props.data()));
    const bool found = std::any_of(props.begin(), props.end(),
                                   [](const VkLayerProperties& p) { return std::strcmp(p.layerName, k_validation_layer) == 0; });
    if (!found) {
      return make_error(ExitCode::device, std::string("--validate: the layer ") + k_validation_layer +
                                              " is not installed (Debian/Ubuntu package vulkan-validationlayers)");
    }
    layers.push_back(k_validation_layer);
    extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
  }
  VkApplicationInfo app{};
  app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO;
  app.pApplicationName = m_app_name.c_str();
  app.pEngineName = "synthlabel";
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO;
  ci.pApplicationInfo = &app;
  ci.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
  ci.ppEnabledLayerNames = layers.data();
  ci.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
  ci.ppEnabledExtensionNames = extensions.data();
  // Chained messenger: also catches messages from vkCreateInstance/vkDestroyInstance themselves.
  VkDebugUtilsMessengerCreateInfoEXT mci = messenger_info(inst.m_log.get());
  if (m_validation) ci.pNext = &mci;
  SL_VK_TRY(vkCreateInstance(&ci, nullptr, &inst.m_instance));
  if (m_validation) {
    auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
        vkGetInstanceProcAddr(inst.m_instance, "vkCreateDebugUtilsMessengerEXT"));
    if (!create) return make_error(ExitCode::device, "--validate: VK_EXT_debug_utils is not available");
    SL_VK_TRY(create(inst.m_instance, &mci, nullptr, &inst.m_messenger));
  }
  return inst;
}

PhysicalDeviceSelector& PhysicalDeviceSelector::prefer(std::string name_or_index) {
  m_preference = std::move(name_or_index);
  return *this;
}

Result<std::vector<PhysicalDevice>> PhysicalDeviceSelector::enumerate() const {
  std::uint32_t n = 0;
  SL_VK_TRY(vkEnumeratePhysicalDevices(m_instance, &n, nullptr));
  std::vector<VkPhysicalDevice> handles(n);
  SL_VK_TRY(vkEnumeratePhysicalDevices(m_instance, &n, handles.data()));
  std::vector<PhysicalDevice> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(handles[i], &props);
    std::uint32_t qn = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(handles[i], &qn, nullptr);
    std::vector<VkQueueFamilyProperties> qprops(qn);
    vkGetPhysicalDeviceQueueFamilyProperties(handles[i], &qn, qprops.data());
    std::uint32_t family = qn;
    for (std::uint32_t q = 0; q < qn; ++q) {
      if ((qprops[q].queueFlags & VK_QUEUE_GRAPHICS_BIT) != 0 && qprops[q].queueCount > 0) {
        family = q;
        break;
      }
    }
    if (family == qn) continue;  // compute-only device: cannot rasterize
    PhysicalDevice pd;
    pd.handle = handles[i];
    pd.graphics_queue_family = family;
    pd.info.index = i;
    pd.info.name = props.deviceName;
    pd.info.type = type_name(props.deviceType);
    pd.info.api_version = std::to_string(VK_API_VERSION_MAJOR(props.apiVersion)) + "." +
                     std::to_string(VK_API_VERSION_MINOR(props.apiVersion)) + "." +
                     std::to_string(VK_API_VERSION_PATCH(props.apiVersion));
    vkGetPhysicalDeviceMemoryProperties(handles[i], &pd.memory);
    out.push_back(pd);
  }
  return out;
}

Result<PhysicalDevice> PhysicalDeviceSelector::select() const {
  auto all = enumerate();
  if (!all) return all.error();
  auto& devs = *all;
  if (devs.empty()) {
    return make_error(ExitCode::device,
                      "no Vulkan device can render here (install mesa-vulkan-drivers for the lavapipe CPU renderer)");
  }
  if (!m_preference.empty()) {
    std::vector<DeviceInfo> infos;
    for (const auto& d : devs) {
      if (device_matches(d.info, m_preference)) return d;
      infos.push_back(d.info);
    }
    return make_error(ExitCode::device,
                      "--device '" + m_preference + "' matches no device (available: " + device_listing(infos) + ")");
  }
  std::stable_sort(devs.begin(), devs.end(), [](const PhysicalDevice& a, const PhysicalDevice& b) {
    VkPhysicalDeviceProperties pa{}, pb{};
    vkGetPhysicalDeviceProperties(a.handle, &pa);
    vkGetPhysicalDeviceProperties(b.handle, &pb);
    return type_rank(pa.deviceType) < type_rank(pb.deviceType);
  });
  return devs.front();
}

void Device::Destroy::operator()(VkDevice device) const { vkDestroyDevice(device, nullptr); }

Result<Device> DeviceBuilder::build() const {
  const float priority = 1.0f;
  VkDeviceQueueCreateInfo qci{};
  qci.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO;
  qci.queueFamilyIndex = m_physical.graphics_queue_family;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkDeviceCreateInfo ci{};
  ci.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO;
  ci.queueCreateInfoCount = 1;
  ci.pQueueCreateInfos = &qci;
  // VK_EXT_extended_dynamic_state: listed by the device and its feature on (Vulkan 1.1's
  // vkGetPhysicalDeviceFeatures2 asks).
  bool dynamic = false;
  VkPhysicalDeviceExtendedDynamicStateFeaturesEXT eds{};
  eds.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTENDED_DYNAMIC_STATE_FEATURES_EXT;
  const char* extension = VK_EXT_EXTENDED_DYNAMIC_STATE_EXTENSION_NAME;
  if (m_dynamic_cull) {
    std::uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(m_physical.handle, nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> extensions(n);
    vkEnumerateDeviceExtensionProperties(m_physical.handle, nullptr, &n, extensions.data());
    const bool listed = std::any_of(extensions.begin(), extensions.begin() + n,
                                    [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, extension) == 0; });
    if (listed) {
      VkPhysicalDeviceFeatures2 features{};
      features.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2;
      features.pNext = &eds;
      vkGetPhysicalDeviceFeatures2(m_physical.handle, &features);
      dynamic = eds.extendedDynamicState == VK_TRUE;
    }
  }
  if (dynamic) {
    eds.pNext = nullptr;
    ci.pNext = &eds;
    ci.enabledExtensionCount = 1;
    ci.ppEnabledExtensionNames = &extension;
  }
  Device dev;
  VkDevice device = VK_NULL_HANDLE;
  SL_VK_TRY(vkCreateDevice(m_physical.handle, &ci, nullptr, &device));
  dev.m_device.reset(device);
  vkGetDeviceQueue(device, m_physical.graphics_queue_family, 0, &dev.m_queue);
  if (dynamic) {
    dev.m_dynamic_cull.set_cull_mode =
        reinterpret_cast<PFN_vkCmdSetCullModeEXT>(vkGetDeviceProcAddr(device, "vkCmdSetCullModeEXT"));
    dev.m_dynamic_cull.set_front_face =
        reinterpret_cast<PFN_vkCmdSetFrontFaceEXT>(vkGetDeviceProcAddr(device, "vkCmdSetFrontFaceEXT"));
  }
  return dev;
}

Result<OpenedDevice> open_device(const std::string& preference, bool validate, bool dynamic_cull) {
  OpenedDevice out;
  SL_TRY_ASSIGN(out.instance, InstanceBuilder{}.request_validation(validate).build());
  SL_TRY_ASSIGN(out.physical, PhysicalDeviceSelector{out.instance}.prefer(preference).select());
  SL_TRY_ASSIGN(out.device, DeviceBuilder{out.physical}.dynamic_cull(dynamic_cull).build());
  return out;
}

namespace {

bool lavapipe_alone_fits(const std::string& preference) {
  namespace fs = std::filesystem;
  std::string lower = preference;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!lower.empty() && lower.find("llvmpipe") == std::string::npos && lower.find("lavapipe") == std::string::npos) return false;
  for (const char* var : {"VK_ICD_FILENAMES", "VK_DRIVER_FILES", "VK_ADD_DRIVER_FILES", "VK_LOADER_DRIVERS_SELECT",
                          "VK_LOADER_DRIVERS_DISABLE"}) {
    if (std::getenv(var) != nullptr) return false;  // the user chose the drivers
  }
  std::error_code ec;
  if (fs::exists("/dev/dxg", ec)) return false;
  for (const auto& e : fs::directory_iterator("/dev/dri", ec)) {  // render nodes (a display-only card0 renders nothing)
    if (e.path().filename().string().starts_with("renderD")) return false;
  }
  ec.clear();
  for (const auto& e : fs::directory_iterator("/dev", ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("nvidia") || name.starts_with("kgsl") || name.starts_with("mali")) return false;
  }
  if (ec) return false;
  // The manifest where the loader looks for it (the loader's documentation, "Driver Discovery on Linux").
  std::vector<fs::path> dirs = {"/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d", "/usr/share/vulkan/icd.d"};
  if (const char* home = std::getenv("HOME")) dirs.emplace_back(fs::path(home) / ".local/share/vulkan/icd.d");
  if (const char* data = std::getenv("XDG_DATA_DIRS")) {
    for (std::string_view rest = data; !rest.empty();) {
      const auto colon = rest.find(':');
      if (const std::string_view dir = rest.substr(0, colon); !dir.empty()) dirs.emplace_back(fs::path(dir) / "vulkan/icd.d");
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  bool found = false;
  for (const fs::path& dir : dirs) {
    for (const auto& e : fs::directory_iterator(dir, ec)) found = found || e.path().filename().string().starts_with("lvp_icd");
  }
  return found;
}

}  // namespace

bool load_only_lavapipe_without_gpu(const std::string& preference) {
  try {
    return lavapipe_alone_fits(preference) && ::setenv("VK_LOADER_DRIVERS_SELECT", "*lvp_icd*", 0) == 0;
  } catch (const std::exception&) {  // a folder that failed mid-listing: leave the drivers as they are
    return false;
  }
}

DeviceOpening::DeviceOpening(std::string preference, bool validate, bool dynamic_cull, bool limit_drivers)
    : m_preference(std::move(preference)), m_validate(validate), m_dynamic_cull(dynamic_cull) {
  if (limit_drivers) load_only_lavapipe_without_gpu(m_preference);
  try {
    m_result = std::async(std::launch::async, [p = m_preference, validate, dynamic_cull] { return open_device(p, validate, dynamic_cull); });
  } catch (const std::system_error&) {
    // No thread to be had: take() then declines, and the renderer opens its device itself.
  }
}

DeviceOpening::~DeviceOpening() {
  if (m_result.valid()) m_result.wait();
}

std::optional<Result<OpenedDevice>> DeviceOpening::take(const std::string& preference, bool validate, bool dynamic_cull) {
  const std::lock_guard lock(m_mutex);
  if (m_taken || !m_result.valid() || preference != m_preference || validate != m_validate || dynamic_cull != m_dynamic_cull) return std::nullopt;
  m_taken = true;
  return m_result.get();
}

Result<std::vector<DeviceInfo>> list_physical_devices() {
  auto inst = InstanceBuilder{}.build();
  if (!inst) return inst.error();
  auto devs = PhysicalDeviceSelector{*inst}.enumerate();
  if (!devs) return devs.error();
  std::vector<DeviceInfo> out;
  for (const auto& d : *devs) out.push_back(d.info);
  return out;
}

}  // namespace synthlabel::vk
