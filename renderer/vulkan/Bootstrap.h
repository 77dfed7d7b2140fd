// A small headless Vulkan bootstrap in the spirit of vk-bootstrap: builders with defaults, results as
// Result<T> carrying the VkResult name and a human reason, no window-system code at all. Unlike
// vk-bootstrap, the built objects own their handles (RAII).
//
//   auto inst = InstanceBuilder{}.request_validation(true).build();          // Result<Instance>
//   auto phys = PhysicalDeviceSelector{*inst}.prefer("llvmpipe").select();   // Result<PhysicalDevice>
//   auto dev  = DeviceBuilder{*phys}.build();                                // Result<Device>
#pragma once

#include <vulkan/vulkan.h>

#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/Error.h"
#include "renderer/Renderer.h"

namespace synthlabel::vk {

// Messages reported by the validation layer (and driver warnings/errors) through VK_EXT_debug_utils.
// Thread-safe: the callback may fire on any thread.
class MessageLog {
 public:
  void add(std::string message);
  // Ok while no message arrived; otherwise Error(ExitCode::device) quoting the first and counting the rest.
  Status check() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<std::string> m_messages;
};

class Instance {
 public:
  Instance() = default;
  ~Instance();
  Instance(Instance&&) noexcept;
  Instance& operator=(Instance&&) noexcept;
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance get() const { return m_instance; }
  bool validation_enabled() const { return m_messenger != VK_NULL_HANDLE; }
  const MessageLog& messages() const { return *m_log; }
  // Sends a message through the debug-utils messenger, as a layer would: lets tests prove that
  // messages really turn into errors. No-op without validation.
  void inject_test_message(const char* text) const;

 private:
  friend class InstanceBuilder;
  void reset();
  VkInstance m_instance = VK_NULL_HANDLE;
  VkDebugUtilsMessengerEXT m_messenger = VK_NULL_HANDLE;
  std::unique_ptr<MessageLog> m_log = std::make_unique<MessageLog>();
};

class InstanceBuilder {
 public:
  // Default "synthlabel".
  InstanceBuilder& set_app_name(std::string name);
  // Default off. On: enables VK_LAYER_KHRONOS_validation + debug utils; build() fails if the layer is
  // not installed (package vulkan-validationlayers).
  InstanceBuilder& request_validation(bool on);
  Result<Instance> build() const;

 private:
  std::string m_app_name = "synthlabel";
  bool m_validation = false;
};

struct PhysicalDevice {
  VkPhysicalDevice handle = VK_NULL_HANDLE;
  DeviceInfo info;
  std::uint32_t graphics_queue_family = 0;
  VkPhysicalDeviceMemoryProperties memory{};
};

class PhysicalDeviceSelector {
 public:
  explicit PhysicalDeviceSelector(const Instance& instance) : m_instance(instance.get()) {}
  // Default "" (automatic: discrete GPU, else integrated, else virtual, else any GPU, else CPU).
  // A number selects by enumeration index; text selects the first device whose name contains it
  // (case-insensitive). select() fails, listing the devices, when nothing matches.
  PhysicalDeviceSelector& prefer(std::string name_or_index);
  Result<PhysicalDevice> select() const;
  // Every device that can render (has a graphics queue), in enumeration order.
  Result<std::vector<PhysicalDevice>> enumerate() const;

 private:
  VkInstance m_instance;
  std::string m_preference;
};

// The logical device and its one queue; move-only, destroys the device.
// The cull mode and front face set per draw (VK_EXT_extended_dynamic_state), where the device has
// it: one mesh pipeline then serves every Facing (FrameSetup.h) instead of one each, fewer pipelines
// to build and, on lavapipe, fewer shader variants to compile or load at the first frame.
struct DynamicCull {
  PFN_vkCmdSetCullModeEXT set_cull_mode = nullptr;
  PFN_vkCmdSetFrontFaceEXT set_front_face = nullptr;
  bool available() const { return set_cull_mode != nullptr && set_front_face != nullptr; }
};

class Device {
 public:
  VkDevice get() const { return m_device.get(); }
  VkQueue queue() const { return m_queue; }
  const DynamicCull& dynamic_cull() const { return m_dynamic_cull; }

 private:
  friend class DeviceBuilder;
  struct Destroy {
    void operator()(VkDevice device) const;
  };
  std::unique_ptr<VkDevice_T, Destroy> m_device;
  VkQueue m_queue = VK_NULL_HANDLE;
  DynamicCull m_dynamic_cull;
};

class DeviceBuilder {
 public:
  explicit DeviceBuilder(const PhysicalDevice& physical) : m_physical(physical) {}
  // Whether to enable VK_EXT_extended_dynamic_state where the device has it (Device::dynamic_cull).
  DeviceBuilder& dynamic_cull(bool on) {
    m_dynamic_cull = on;
    return *this;
  }
  // One graphics queue; VK_EXT_extended_dynamic_state when asked and available; no other extension
  // or optional feature.
  Result<Device> build() const;

 private:
  const PhysicalDevice& m_physical;
  bool m_dynamic_cull = true;
};

// An instance, the device chosen in it and its logical device: what every renderer starts from.
// Members in this order, so the device goes before the instance.
struct OpenedDevice {
  Instance instance;
  PhysicalDevice physical;
  Device device;
};

// InstanceBuilder, PhysicalDeviceSelector and DeviceBuilder in turn, as VulkanRenderer::init runs them.
Result<OpenedDevice> open_device(const std::string& preference, bool validate, bool dynamic_cull);

// On a machine with no GPU device node (/dev/dri/renderD*, /dev/nvidia*, /dev/dxg, /dev/kgsl*, /dev/mali*), no
// GPU driver can offer a device, yet the Vulkan loader loads every installed one (on Debian: Intel,
// Intel Haswell, AMD, ~10 ms on the CI machine). There, for the automatic choice or --device
// llvmpipe, with lavapipe's manifest installed and none of the loader's driver variables set, sets
// VK_LOADER_DRIVERS_SELECT=*lvp_icd* for this process so the loader loads lavapipe alone. True when
// it did. Call before any other thread may read the environment (DeviceOpening's constructor does).
bool load_only_lavapipe_without_gpu(const std::string& preference);

// open_device run on a thread of its own from construction: the Vulkan loader reads its manifests and
// loads the drivers (lavapipe with LLVM: ~30-50 ms on the 2-core CI machine) while the caller reads
// its config and assets (docs/performance.md, session 17). The destructor waits for the thread.
class DeviceOpening {
 public:
  // `limit_drivers`: first load_only_lavapipe_without_gpu (it sets an environment variable: only
  // where no other thread may be reading the environment, as in the command line's generate).
  DeviceOpening(std::string preference, bool validate, bool dynamic_cull, bool limit_drivers);
  DeviceOpening(const DeviceOpening&) = delete;
  DeviceOpening& operator=(const DeviceOpening&) = delete;
  ~DeviceOpening();
  // The opened device (or why it could not be opened), to the first caller whose arguments are the
  // ones it was opened with; nullopt to any other caller, who opens a device of its own.
  std::optional<Result<OpenedDevice>> take(const std::string& preference, bool validate, bool dynamic_cull);

 private:
  const std::string m_preference;
  const bool m_validate, m_dynamic_cull;
  std::mutex m_mutex;
  bool m_taken = false;
  std::future<Result<OpenedDevice>> m_result;
};

// Used by `synthlabel devices`.
Result<std::vector<DeviceInfo>> list_physical_devices();

}  // namespace synthlabel::vk
