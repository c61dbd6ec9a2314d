// SPDX-License-Identifier: MIT
#include "gpu/device.hpp"

#include "core/log.hpp"
#include "core/test_hooks.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <format>
#include <mutex>

namespace rearview::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

// volk's instance-level pointers are loaded once per process, from the first instance: they
// are the Vulkan loader's trampolines, which dispatch on the handle they are given and so serve
// every instance of the process. Device-level functions go through each Device's own table.
std::once_flag instanceFunctionsLoaded;

std::string lower(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return out;
}

std::string_view typeName(VkPhysicalDeviceType t) {
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
    }
}

int typeRank(VkPhysicalDeviceType t) {
    switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
    }
}

bool hasLayer(const char* name) {
    uint32_t n = 0;
    vkEnumerateInstanceLayerProperties(&n, nullptr);
    std::vector<VkLayerProperties> layers(n);
    vkEnumerateInstanceLayerProperties(&n, layers.data());
    return std::ranges::any_of(layers, [&](auto& l) { return std::strcmp(l.layerName, name) == 0; });
}

std::vector<std::string> instanceExtensionNames() {
    uint32_t n = 0;
    vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> props(n);
    vkEnumerateInstanceExtensionProperties(nullptr, &n, props.data());
    std::vector<std::string> names;
    for (auto& p : props)
        names.emplace_back(p.extensionName);
    return names;
}

std::vector<std::string> deviceExtensions(VkPhysicalDevice pd) {
    uint32_t n = 0;
    vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> props(n);
    vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, props.data());
    std::vector<std::string> names;
    for (auto& p : props)
        names.emplace_back(p.extensionName);
    return names;
}

/// Whether `pd` samples its timestamps together with CLOCK_MONOTONIC (the clock frames are
/// stamped with), through the KHR or EXT query, whichever the loader resolved.
bool hasMonotonicTimeDomain(VkPhysicalDevice pd) {
    auto query = vkGetPhysicalDeviceCalibrateableTimeDomainsKHR ? vkGetPhysicalDeviceCalibrateableTimeDomainsKHR
                                                                : vkGetPhysicalDeviceCalibrateableTimeDomainsEXT;
    if (!query)
        return false;
    uint32_t n = 0;
    if (query(pd, &n, nullptr) != VK_SUCCESS)
        return false;
    std::vector<VkTimeDomainKHR> domains(n);
    if (query(pd, &n, domains.data()) != VK_SUCCESS)
        return false;
    return std::ranges::find(domains, VK_TIME_DOMAIN_DEVICE_KHR) != domains.end() &&
           std::ranges::find(domains, VK_TIME_DOMAIN_CLOCK_MONOTONIC_KHR) != domains.end();
}

struct Candidate {
    VkPhysicalDevice pd;
    VkPhysicalDeviceProperties2 props;
    VkPhysicalDeviceDriverProperties driver;
    uint32_t index;
};

std::string versionString(uint32_t v) {
    return std::format("{}.{}.{}", VK_API_VERSION_MAJOR(v), VK_API_VERSION_MINOR(v), VK_API_VERSION_PATCH(v));
}

Candidate candidate(VkPhysicalDevice pd, uint32_t index) {
    Candidate c{pd, {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2}, {VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES},
                index};
    c.props.pNext = &c.driver;
    vkGetPhysicalDeviceProperties2(pd, &c.props);
    c.props.pNext = nullptr;
    return c;
}

GpuInfo describe(const Candidate& c, std::string whyChosen) {
    return {.name = c.props.properties.deviceName,
            .type = std::string(typeName(c.props.properties.deviceType)),
            .driverName = c.driver.driverName,
            .driverInfo = c.driver.driverInfo,
            .apiVersion = versionString(c.props.properties.apiVersion),
            .index = c.index,
            .whyChosen = std::move(whyChosen)};
}

uint64_t hostPointerAlignment(VkPhysicalDevice pd) {
    VkPhysicalDeviceExternalMemoryHostPropertiesEXT hp{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_EXTERNAL_MEMORY_HOST_PROPERTIES_EXT};
    VkPhysicalDeviceProperties2 p2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, &hp};
    vkGetPhysicalDeviceProperties2(pd, &p2);
    return hp.minImportedHostPointerAlignment;
}

/// Calls use(name, flag) for each surface extension presenters use, in order, each only when
/// what it builds on is in use: `use` sets the flag (rearview's instance: enabled when offered;
/// the app's: whether the app enabled it).
template <typename Use>
void forSurfaceExtensions(InstanceExtensions& ie, Use&& use) {
    use(VK_KHR_SURFACE_EXTENSION_NAME, ie.surface);
    if (!ie.surface)
        return;
    use(VK_EXT_HEADLESS_SURFACE_EXTENSION_NAME, ie.headlessSurface);
    use("VK_KHR_xlib_surface", ie.xlibSurface);
    use("VK_KHR_xcb_surface", ie.xcbSurface);
    use("VK_KHR_wayland_surface", ie.waylandSurface);
    use(VK_KHR_DISPLAY_EXTENSION_NAME, ie.display);
    use(VK_KHR_GET_SURFACE_CAPABILITIES_2_EXTENSION_NAME, ie.surfaceCapabilities2);
    if (ie.surfaceCapabilities2)
        use(VK_EXT_SURFACE_MAINTENANCE_1_EXTENSION_NAME, ie.surfaceMaintenance1);
}

std::string listDevices(const std::vector<Candidate>& cs) {
    std::string s;
    for (auto& c : cs)
        s += std::format("{}  [{}] {} ({})", s.empty() ? "" : ",", c.index, c.props.properties.deviceName,
                         typeName(c.props.properties.deviceType));
    return s;
}

Result<const Candidate*> choose(const std::vector<Candidate>& cs, const std::string& selector,
                                std::string& why) {
    if (!selector.empty()) {
        uint32_t index = 0;
        auto [ptr, ec] = std::from_chars(selector.data(), selector.data() + selector.size(), index);
        if (ec == std::errc() && ptr == selector.data() + selector.size()) {
            if (index >= cs.size())
                return fail(ErrorCode::NotFound, std::format("GPU index {} does not exist; devices:{}", index,
                                                             listDevices(cs)));
            why = std::format("selected by index {}", index);
            return &cs[index];
        }
        for (auto& c : cs)
            if (lower(c.props.properties.deviceName).find(lower(selector)) != std::string::npos) {
                why = std::format("selected by name '{}'", selector);
                return &c;
            }
        return fail(ErrorCode::NotFound,
                    std::format("no GPU name contains '{}'; devices:{}", selector, listDevices(cs)));
    }
    auto best = std::ranges::min_element(
        cs, {}, [](const Candidate& c) { return typeRank(c.props.properties.deviceType); });
    why = std::format("best type ({})", typeName(best->props.properties.deviceType));
    return &*best;
}

// The enumerated device that `info` describes (a companion's instance enumerates the same
// devices in the same order as its primary's).
Result<const Candidate*> sameAs(const std::vector<Candidate>& cs, const GpuInfo& info, std::string& why) {
    for (const Candidate& c : cs)
        if (c.index == info.index && info.name == c.props.properties.deviceName) {
            why = std::format("companion of device {}", info.index);
            return &c;
        }
    return fail(ErrorCode::NotFound,
                std::format("GPU '{}' (index {}) is not among this instance's devices:{}", info.name, info.index,
                            listDevices(cs)));
}

// The features rearview's shaders and synchronisation use (vulkanRequirements() lists them).
constexpr const char* kRequiredFeatures[] = {"timelineSemaphore", "storageBuffer8BitAccess", "synchronization2",
                                             "hostQueryReset"};

Result<void> checkRequiredFeatures(const std::string& gpu, const VkPhysicalDeviceVulkan12Features& f12,
                                   const VkPhysicalDeviceVulkan13Features& f13) {
    const bool has[] = {bool(f12.timelineSemaphore), bool(f12.storageBuffer8BitAccess), bool(f13.synchronization2),
                        bool(f12.hostQueryReset)};
    for (size_t i = 0; i < std::size(has); ++i)
        if (!has[i])
            return fail(ErrorCode::Unsupported, std::format("GPU '{}' lacks the Vulkan feature {}, which rearview needs",
                                                            gpu, kRequiredFeatures[i]));
    return {};
}

} // namespace

VKAPI_ATTR VkBool32 VKAPI_CALL Device::onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                      VkDebugUtilsMessageTypeFlagsEXT types,
                                                      const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                      void* user) {
    auto* self = static_cast<Device*>(user);
    // The loader enables an instance extension (VK_KHR_display) when any installed driver
    // has it and says so when the chosen driver does not export one of its functions; the
    // call then reports nothing (no displays), which the display presenter turns into its
    // own error. That is information about the driver, not misuse, so it is not counted.
    if (!(types & VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT) && data->pMessage &&
        std::strstr(data->pMessage, "does not export")) {
        log::debug("vulkan loader: {}", data->pMessage);
        return VK_FALSE;
    }
    self->validationMessages_.fetch_add(1);
    bool isError = severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    log::at(isError ? LogLevel::Error : LogLevel::Warning, "vulkan validation: {}",
            data->pMessage ? data->pMessage : "(no message)");
    return VK_FALSE;
}

// The primary's queue presents the panel (QueuePriority::Panel) when a viewfinder runs on it.
Result<std::unique_ptr<Device>> Device::create(const GpuOptions& options) {
    return build(options, nullptr, QueuePriority::Panel);
}

Result<std::unique_ptr<Device>> Device::createCompanion(Device& primary, QueuePriority priority) {
    return build(primary.options_, &primary, priority);
}

Result<std::unique_ptr<Device>> Device::build(const GpuOptions& options, Device* primary, QueuePriority queuePriority) {
    if (VkResult r = volkInitialize(); r != VK_SUCCESS)
        return fail(ErrorCode::Unsupported,
                    "no Vulkan loader (libvulkan.so.1) found; install the Vulkan loader and a driver "
                    "(Debian: libvulkan1 and mesa-vulkan-drivers for the CPU driver lavapipe)");
    if (volkGetInstanceVersion() < VK_API_VERSION_1_3)
        return fail(ErrorCode::Unsupported,
                    std::format("the Vulkan loader supports API {}, rearview needs 1.3",
                                versionString(volkGetInstanceVersion())));

    std::unique_ptr<Device> d(new Device());
    d->options_ = options;

    std::vector<const char*> layers;
    std::vector<const char*> instanceExts;
    if (options.validation) {
        if (!hasLayer(kValidationLayer))
            return fail(ErrorCode::Unsupported,
                        "validation was requested but VK_LAYER_KHRONOS_validation is not installed "
                        "(Debian: vulkan-validationlayers)");
        layers.push_back(kValidationLayer);
        instanceExts.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }
    // Surface extensions are enabled whenever offered: the instance is created before anyone
    // knows which presenter (window, display, headless) will be wanted.
    {
        auto offered = instanceExtensionNames();
        auto enable = [&](const char* name, bool& flag) {
            if (std::ranges::find(offered, name) != offered.end()) {
                instanceExts.push_back(name);
                flag = true;
            }
        };
        forSurfaceExtensions(d->instanceExtensions_, enable);
    }

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = options.applicationName.c_str();
    app.pEngineName = "rearview";
    app.apiVersion = VK_API_VERSION_1_3;

    VkDebugUtilsMessengerCreateInfoEXT messengerInfo{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messengerInfo.messageSeverity =
        VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messengerInfo.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messengerInfo.pfnUserCallback = &Device::onDebugMessage;
    // Counted where the app looks: on the device it created, also for a companion of a companion.
    d->messageCounter_ = primary ? primary->messageCounter_ : d.get();
    messengerInfo.pUserData = d->messageCounter_;

    VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    ici.pApplicationInfo = &app;
    ici.enabledLayerCount = uint32_t(layers.size());
    ici.ppEnabledLayerNames = layers.data();
    ici.enabledExtensionCount = uint32_t(instanceExts.size());
    ici.ppEnabledExtensionNames = instanceExts.data();
    if (options.validation)
        ici.pNext = &messengerInfo;
    RV_VK_TRY(vkCreateInstance(&ici, nullptr, &d->instance_));
    std::call_once(instanceFunctionsLoaded, [&] { volkLoadInstanceOnly(d->instance_); });
    if (options.validation) {
        d->destroyMessenger_ = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(d->instance_, "vkDestroyDebugUtilsMessengerEXT"));
        RV_VK_TRY(vkCreateDebugUtilsMessengerEXT(d->instance_, &messengerInfo, nullptr, &d->messenger_));
    }

    uint32_t count = 0;
    vkEnumeratePhysicalDevices(d->instance_, &count, nullptr);
    std::vector<VkPhysicalDevice> pds(count);
    vkEnumeratePhysicalDevices(d->instance_, &count, pds.data());
    std::vector<Candidate> candidates;
    for (uint32_t i = 0; i < count; ++i) {
        const Candidate c = candidate(pds[i], i);
        if (c.props.properties.apiVersion >= VK_API_VERSION_1_3)
            candidates.push_back(c);
        else
            log::info("skipping GPU '{}': Vulkan {} < 1.3", c.props.properties.deviceName,
                      versionString(c.props.properties.apiVersion));
    }
    if (candidates.empty())
        return fail(ErrorCode::NotFound,
                    "no Vulkan 1.3 device found; install a driver (Debian: mesa-vulkan-drivers provides "
                    "lavapipe, a CPU implementation)");

    std::string selector = options.device;
    std::string why;
    if (selector.empty())
        if (const char* env = std::getenv("REARVIEW_GPU"); env && *env) {
            selector = env;
            why = "REARVIEW_GPU: ";
        }
    std::string chooseWhy;
    auto chosen = primary ? sameAs(candidates, primary->info_, chooseWhy) : choose(candidates, selector, chooseWhy);
    if (!chosen)
        return std::unexpected(chosen.error());
    const Candidate& c = **chosen;
    d->physical_ = c.pd;
    d->limits_ = c.props.properties.limits;
    d->info_ = describe(c, why + chooseWhy);

    // Queue: the first family with compute (graphics families include compute on most GPUs).
    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(c.pd, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(c.pd, &familyCount, families.data());
    auto family = std::ranges::find_if(families, [](auto& f) { return f.queueFlags & VK_QUEUE_COMPUTE_BIT; });
    if (family == families.end())
        return fail(ErrorCode::Unsupported, std::format("GPU '{}' has no compute queue", d->info_.name));
    d->queueFamily_ = uint32_t(family - families.begin());
    if (family->timestampValidBits > 0 && !test_hooks::gpuTimestampsDisabled())
        d->timestampPeriodNs_ = c.props.properties.limits.timestampPeriod;

    // Features.
    VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    f2.pNext = &f11;
    f11.pNext = &f12;
    f12.pNext = &f13;
    vkGetPhysicalDeviceFeatures2(c.pd, &f2);
    RV_TRY(checkRequiredFeatures(d->info_.name, f12, f13));

    VkPhysicalDeviceVulkan13Features e13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    VkPhysicalDeviceVulkan12Features e12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features e11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceFeatures2 e2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    e2.pNext = &e11;
    e11.pNext = &e12;
    e12.pNext = &e13;
    e12.timelineSemaphore = VK_TRUE;
    e12.storageBuffer8BitAccess = VK_TRUE;
    e12.uniformAndStorageBuffer8BitAccess = f12.uniformAndStorageBuffer8BitAccess;
    e12.shaderInt8 = f12.shaderInt8;
    e12.hostQueryReset = VK_TRUE;
    e12.bufferDeviceAddress = VK_FALSE;
    e11.storageBuffer16BitAccess = f11.storageBuffer16BitAccess;
    e13.synchronization2 = VK_TRUE;
    e13.maintenance4 = f13.maintenance4;
    e2.features.shaderInt16 = f2.features.shaderInt16;
    e2.features.shaderInt64 = f2.features.shaderInt64;
    // Presenters write swapchain images (often B8G8R8A8) with imageStore, which has no
    // SPIR-V format for BGRA; without this feature they use their copy path.
    e2.features.shaderStorageImageWriteWithoutFormat = f2.features.shaderStorageImageWriteWithoutFormat;

    // Extensions.
    auto available = deviceExtensions(c.pd);
    auto has = [&](const char* name) { return std::ranges::find(available, name) != available.end(); };
    std::vector<const char*> exts;
    if (!has(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME))
        return fail(ErrorCode::Unsupported, std::format("GPU '{}' lacks {}", d->info_.name,
                                                        VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME));
    exts.push_back(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME);
    auto optional = [&](const char* name, bool& flag) {
        if (has(name)) {
            exts.push_back(name);
            flag = true;
        }
    };
    optional(VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME, d->extensions_.externalMemoryFd);
    if (d->extensions_.externalMemoryFd)
        optional(VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME, d->extensions_.externalMemoryDmaBuf);
    optional(VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME, d->extensions_.externalMemoryHost);
    if (d->extensions_.externalMemoryHost)
        d->hostPointerAlignment_ = hostPointerAlignment(c.pd);

    // Presentation: the swapchain, and present id/wait or display timing to time presents.
    VkPhysicalDevicePresentIdFeaturesKHR presentIdFeatures{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_ID_FEATURES_KHR};
    VkPhysicalDevicePresentWaitFeaturesKHR presentWaitFeatures{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_WAIT_FEATURES_KHR};
    if (d->instanceExtensions_.surface) {
        optional(VK_KHR_SWAPCHAIN_EXTENSION_NAME, d->extensions_.swapchain);
    }
    if (d->extensions_.swapchain) {
        if (has(VK_KHR_PRESENT_ID_EXTENSION_NAME) && has(VK_KHR_PRESENT_WAIT_EXTENSION_NAME)) {
            VkPhysicalDevicePresentIdFeaturesKHR qId{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_ID_FEATURES_KHR};
            VkPhysicalDevicePresentWaitFeaturesKHR qWait{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PRESENT_WAIT_FEATURES_KHR};
            qId.pNext = &qWait;
            VkPhysicalDeviceFeatures2 q2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &qId};
            vkGetPhysicalDeviceFeatures2(c.pd, &q2);
            if (qId.presentId && qWait.presentWait) {
                exts.push_back(VK_KHR_PRESENT_ID_EXTENSION_NAME);
                exts.push_back(VK_KHR_PRESENT_WAIT_EXTENSION_NAME);
                presentIdFeatures.presentId = VK_TRUE;
                presentWaitFeatures.presentWait = VK_TRUE;
                presentIdFeatures.pNext = &presentWaitFeatures;
                presentWaitFeatures.pNext = e2.pNext;
                e2.pNext = &presentIdFeatures;
                d->extensions_.presentId = true;
                d->extensions_.presentWait = true;
            }
        }
        optional(VK_GOOGLE_DISPLAY_TIMING_EXTENSION_NAME, d->extensions_.displayTiming);
    }
    // GPU spans on the CPU's timeline (gpu/gpu_clock.hpp): the device's timestamps and
    // CLOCK_MONOTONIC sampled together.
    if (d->timestampPeriodNs_ > 0) {
        const char* calibratedExt = has(VK_KHR_CALIBRATED_TIMESTAMPS_EXTENSION_NAME)
                                        ? VK_KHR_CALIBRATED_TIMESTAMPS_EXTENSION_NAME
                                    : has(VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME)
                                        ? VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME
                                        : nullptr;
        if (calibratedExt && hasMonotonicTimeDomain(c.pd)) {
            exts.push_back(calibratedExt);
            d->extensions_.calibratedTimestamps = true;
        }
    }

    const float priority = queuePriority == QueuePriority::Panel        ? 1.0f
                           : queuePriority == QueuePriority::Processing ? 0.5f
                                                                        : 0.0f;
    VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qci.queueFamilyIndex = d->queueFamily_;
    qci.queueCount = 1;
    qci.pQueuePriorities = &priority;
    // The panel's queue asks for a high system-wide priority where the driver offers one; a
    // driver may refuse it to an unprivileged process (VK_ERROR_NOT_PERMITTED), and the queue
    // priority alone is used then.
    VkDeviceQueueGlobalPriorityCreateInfoKHR global{VK_STRUCTURE_TYPE_DEVICE_QUEUE_GLOBAL_PRIORITY_CREATE_INFO_KHR};
    global.globalPriority = VK_QUEUE_GLOBAL_PRIORITY_HIGH_KHR;
    const char* globalExt = has(VK_KHR_GLOBAL_PRIORITY_EXTENSION_NAME)   ? VK_KHR_GLOBAL_PRIORITY_EXTENSION_NAME
                            : has(VK_EXT_GLOBAL_PRIORITY_EXTENSION_NAME) ? VK_EXT_GLOBAL_PRIORITY_EXTENSION_NAME
                                                                         : nullptr;
    const bool askGlobal = queuePriority == QueuePriority::Panel && globalExt;
    VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dci.pNext = &e2;
    dci.queueCreateInfoCount = 1;
    dci.pQueueCreateInfos = &qci;
    if (askGlobal) {
        std::vector<const char*> withGlobal = exts;
        withGlobal.push_back(globalExt);
        qci.pNext = &global;
        dci.enabledExtensionCount = uint32_t(withGlobal.size());
        dci.ppEnabledExtensionNames = withGlobal.data();
        const VkResult r = vkCreateDevice(c.pd, &dci, nullptr, &d->device_);
        d->extensions_.globalPriority = r == VK_SUCCESS;
        if (r != VK_SUCCESS)
            log::info("GPU '{}' refused a high global queue priority ({}); using queue priorities only",
                      d->info_.name, toString(r));
        qci.pNext = nullptr;
    }
    if (!d->extensions_.globalPriority) {
        dci.enabledExtensionCount = uint32_t(exts.size());
        dci.ppEnabledExtensionNames = exts.data();
        RV_VK_TRY(vkCreateDevice(c.pd, &dci, nullptr, &d->device_));
    }
    RV_TRY(d->useDevice(0));

    log::at(primary ? LogLevel::Debug : LogLevel::Info, "GPU{}: {} [{}], driver {} {}, Vulkan {} ({}{})",
              primary ? " (companion device)" : "", d->info_.name, d->info_.type, d->info_.driverName,
              d->info_.driverInfo, d->info_.apiVersion, d->info_.whyChosen,
              options.validation ? ", validation on" : "");
    return d;
}

Result<void> Device::useDevice(uint32_t queueIndex) {
    volkLoadDeviceTable(&vk_, device_);
    vk_.vkGetDeviceQueue(device_, queueFamily_, queueIndex, &queue_);

    VmaVulkanFunctions fns{};
    fns.vkGetInstanceProcAddr = vkGetInstanceProcAddr;
    fns.vkGetDeviceProcAddr = vkGetDeviceProcAddr;
    VmaAllocatorCreateInfo aci{};
    aci.vulkanApiVersion = VK_API_VERSION_1_3;
    aci.physicalDevice = physical_;
    aci.device = device_;
    aci.instance = instance_;
    aci.pVulkanFunctions = &fns;
    RV_VK_TRY(vmaCreateAllocator(&aci, &allocator_));

    VkSemaphoreTypeCreateInfo sti{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
    sti.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
    sti.initialValue = 0;
    VkSemaphoreCreateInfo sci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &sti};
    VkSemaphore timeline = VK_NULL_HANDLE;
    RV_VK_TRY(vk_.vkCreateSemaphore(device_, &sci, nullptr, &timeline));
    timeline_ = own(timeline);
    clock_ = GpuClock::create(*this);
    return {};
}

Device::~Device() {
    if (device_) {
        // Teardown only. An application's device may be busy with the application's own work
        // (and its queues in use by its threads): only rearview's submissions are waited for.
        if (!adopted_)
            vk_.vkDeviceWaitIdle(device_);
        else if (timeline_)
            (void)waitTimeline(lastTimelineValue(), UINT64_MAX);
        deferred_.collect(UINT64_MAX);
        timeline_.reset();
        if (allocator_)
            vmaDestroyAllocator(allocator_);
        if (!adopted_)
            vk_.vkDestroyDevice(device_, nullptr);
    }
    if (messenger_)
        destroyMessenger_(instance_, messenger_, nullptr);
    if (instance_ && !adopted_)
        vkDestroyInstance(instance_, nullptr);
}

Result<std::unique_ptr<Device>> Device::adopt(const AppHandles& app, const GpuOptions& options) {
    if (VkResult r = volkInitialize(); r != VK_SUCCESS)
        return fail(ErrorCode::Unsupported, "no Vulkan loader (libvulkan.so.1) found in this process");
    if (!app.instance || !app.physical || !app.device)
        return fail(ErrorCode::InvalidArgument,
                    "AppVulkanDevice needs the instance, physical device and device (as integers), none of them 0");
    std::call_once(instanceFunctionsLoaded, [&] { volkLoadInstanceOnly(app.instance); });
    std::unique_ptr<Device> d(new Device());
    d->adopted_ = true;
    d->options_ = options;
    d->instance_ = app.instance;
    d->physical_ = app.physical;
    d->device_ = app.device;
    d->queueFamily_ = app.queueFamily;
    d->lockQueue_ = app.lockQueue;
    d->unlockQueue_ = app.unlockQueue;

    // The physical device as an enumerated candidate: its index is what companions find it by.
    uint32_t count = 0;
    vkEnumeratePhysicalDevices(app.instance, &count, nullptr);
    std::vector<VkPhysicalDevice> pds(count);
    vkEnumeratePhysicalDevices(app.instance, &count, pds.data());
    const auto at = std::ranges::find(pds, app.physical);
    if (at == pds.end())
        return fail(ErrorCode::InvalidArgument, "AppVulkanDevice: the physical device is not one of the instance's");
    const Candidate c = candidate(app.physical, uint32_t(at - pds.begin()));
    const VkPhysicalDeviceProperties& props = c.props.properties;
    d->limits_ = props.limits;
    d->info_ = describe(c, "the application's device");
    if (props.apiVersion < VK_API_VERSION_1_3)
        return fail(ErrorCode::Unsupported, std::format("the application's GPU '{}' has Vulkan {}, rearview needs 1.3",
                                                        d->info_.name, d->info_.apiVersion));

    uint32_t familyCount = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(app.physical, &familyCount, nullptr);
    std::vector<VkQueueFamilyProperties> families(familyCount);
    vkGetPhysicalDeviceQueueFamilyProperties(app.physical, &familyCount, families.data());
    if (app.queueFamily >= familyCount || !(families[app.queueFamily].queueFlags & VK_QUEUE_COMPUTE_BIT) ||
        app.queueIndex >= families[app.queueFamily].queueCount)
        return fail(ErrorCode::InvalidArgument,
                    std::format("AppVulkanDevice: queue {} of family {} is not a compute queue of GPU '{}'",
                                app.queueIndex, app.queueFamily, d->info_.name));
    if (families[app.queueFamily].timestampValidBits > 0 && !test_hooks::gpuTimestampsDisabled())
        d->timestampPeriodNs_ = props.limits.timestampPeriod;

    VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, &f13};
    VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &f12};
    vkGetPhysicalDeviceFeatures2(app.physical, &f2);
    RV_TRY(checkRequiredFeatures(d->info_.name, f12, f13));

    const auto enabled = [&](const std::vector<std::string>& list, std::string_view name) {
        return std::ranges::find(list, name) != list.end();
    };
    if (!enabled(app.deviceExtensions, VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME))
        return fail(ErrorCode::Unsupported,
                    std::format("the application's device was not created with {}, which rearview needs "
                                "(vulkanRequirements() lists what it needs)",
                                VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME));
    DeviceExtensions& e = d->extensions_;
    e.externalMemoryFd = enabled(app.deviceExtensions, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME);
    e.externalMemoryDmaBuf = e.externalMemoryFd && enabled(app.deviceExtensions, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME);
    e.externalMemoryHost = enabled(app.deviceExtensions, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME);
    e.swapchain = enabled(app.deviceExtensions, VK_KHR_SWAPCHAIN_EXTENSION_NAME);
    e.displayTiming = e.swapchain && enabled(app.deviceExtensions, VK_GOOGLE_DISPLAY_TIMING_EXTENSION_NAME);
    e.calibratedTimestamps = d->timestampPeriodNs_ > 0 &&
                             (enabled(app.deviceExtensions, VK_KHR_CALIBRATED_TIMESTAMPS_EXTENSION_NAME) ||
                              enabled(app.deviceExtensions, VK_EXT_CALIBRATED_TIMESTAMPS_EXTENSION_NAME)) &&
                             hasMonotonicTimeDomain(app.physical);
    if (e.externalMemoryHost)
        d->hostPointerAlignment_ = hostPointerAlignment(app.physical);
    forSurfaceExtensions(d->instanceExtensions_, [&](const char* name, bool& flag) {
        flag = enabled(app.instanceExtensions, name);
    });

    RV_TRY(d->useDevice(app.queueIndex));
    log::info("GPU: the application's {} [{}], driver {} {}, Vulkan {} (queue {} of family {})", d->info_.name,
              d->info_.type, d->info_.driverName, d->info_.driverInfo, d->info_.apiVersion, app.queueIndex,
              app.queueFamily);
    return d;
}

std::vector<std::string> Device::requiredFeatures() { return {std::begin(kRequiredFeatures), std::end(kRequiredFeatures)}; }

uint64_t Device::completedTimelineValue() const {
    uint64_t value = 0;
    vk_.vkGetSemaphoreCounterValue(device_, timeline_.get(), &value);
    return value;
}

Result<void> Device::waitTimeline(uint64_t value, uint64_t timeoutNs) const {
    VkSemaphore sem = timeline_.get();
    VkSemaphoreWaitInfo wi{VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO};
    wi.semaphoreCount = 1;
    wi.pSemaphores = &sem;
    wi.pValues = &value;
    VkResult r = vk_.vkWaitSemaphores(device_, &wi, timeoutNs);
    if (r == VK_TIMEOUT)
        return fail(ErrorCode::DeviceLost, std::format("GPU work {} did not finish within {} ms", value,
                                                       timeoutNs / 1'000'000));
    RV_VK_TRY(r);
    return {};
}

Result<void> Device::submit(const VkSubmitInfo2& info) {
    uint64_t signal = 0;
    for (uint32_t i = 0; i < info.signalSemaphoreInfoCount; ++i)
        if (info.pSignalSemaphoreInfos[i].semaphore == timeline_.get())
            signal = std::max(signal, info.pSignalSemaphoreInfos[i].value);
    std::unique_lock lock(queueMutex_);
    if (signal > 0) {
        // Another thread took the value below ours and is about to submit; a timeline must
        // be signalled in increasing order on the queue.
        bool inTurn = queueTurn_.wait_for(lock, std::chrono::seconds(2),
                                          [&] { return submittedTimelineValue_ + 1 >= signal; });
        if (!inTurn)
            log::warn("timeline value {} submitted before {} (a value was taken and never submitted)", signal,
                      submittedTimelineValue_ + 1);
    }
    VkResult r = withAppQueueLock([&] { return vk_.vkQueueSubmit2(queue_, 1, &info, VK_NULL_HANDLE); });
    if (signal > 0) {
        // Advanced even on failure so later submissions are not held back.
        submittedTimelineValue_ = std::max(submittedTimelineValue_, signal);
        queueTurn_.notify_all();
    }
    RV_VK_TRY(r);
    return {};
}

Result<VkResult> Device::present(const VkPresentInfoKHR& info) {
    VkResult r;
    {
        std::lock_guard lock(queueMutex_);
        r = withAppQueueLock([&] { return vk_.vkQueuePresentKHR(queue_, &info); });
    }
    if (r == VK_SUCCESS || r == VK_SUBOPTIMAL_KHR || r == VK_ERROR_OUT_OF_DATE_KHR || r == VK_ERROR_SURFACE_LOST_KHR)
        return r;
    return std::unexpected(vkError(r, "vkQueuePresentKHR"));
}

void Device::waitQueueIdle() {
    std::lock_guard lock(queueMutex_);
    withAppQueueLock([&] { return vk_.vkQueueWaitIdle(queue_); });
}

Result<void> Device::checkPresentSupport(VkSurfaceKHR surface) const {
    if (!extensions_.swapchain)
        return fail(ErrorCode::Unsupported,
                    std::format("GPU '{}' does not offer VK_KHR_swapchain, so it cannot present", info_.name));
    VkBool32 supported = VK_FALSE;
    RV_VK_TRY(vkGetPhysicalDeviceSurfaceSupportKHR(physical_, queueFamily_, surface, &supported));
    if (!supported)
        return fail(ErrorCode::Unsupported,
                    std::format("GPU '{}' cannot present to this surface from queue family {} (the family "
                                "rearview submits to); choose another GPU with REARVIEW_GPU",
                                info_.name, queueFamily_));
    return {};
}

} // namespace rearview::gpu
