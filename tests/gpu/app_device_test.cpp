// SPDX-License-Identifier: MIT
// rearview on a Vulkan device the application created (GpuContext::adopt()).
#include "gpu/gpu_context_impl.hpp"
#include "gpu/vulkan.hpp"
#include "harness/lut3d_runner.hpp"
#include "support/gpu_fixture.hpp"
#include "support/gradient_image.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/gpu_interop.hpp>
#include <rearview/viewfinder.hpp>

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstring>
#include <thread>

using namespace rearview;

namespace {

std::atomic<int> appValidationMessages{0};

VKAPI_ATTR VkBool32 VKAPI_CALL countMessage(VkDebugUtilsMessageSeverityFlagBitsEXT, VkDebugUtilsMessageTypeFlagsEXT,
                                            const VkDebugUtilsMessengerCallbackDataEXT* data, void*) {
    UNSCOPED_INFO("app instance validation: " << (data->pMessage ? data->pMessage : ""));
    appValidationMessages.fetch_add(1);
    return VK_FALSE;
}

bool offered(const std::vector<VkExtensionProperties>& list, const char* name) {
    for (const auto& e : list)
        if (std::strcmp(e.extensionName, name) == 0)
            return true;
    return false;
}

/// What a camera app does before it meets rearview: its own instance (with the validation
/// layer) and device, created from vulkanRequirements(), with the app's own handles.
struct AppVulkan {
    VkInstance instance = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger = VK_NULL_HANDLE;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    VkDevice device = VK_NULL_HANDLE;
    uint32_t family = 0;
    std::vector<std::string> instanceExtensions, deviceExtensions;

    AppVulkan() {
        REQUIRE(volkInitialize() == VK_SUCCESS);
        const VulkanRequirements needs = vulkanRequirements();
        uint32_t n = 0;
        vkEnumerateInstanceExtensionProperties(nullptr, &n, nullptr);
        std::vector<VkExtensionProperties> instanceOffered(n);
        vkEnumerateInstanceExtensionProperties(nullptr, &n, instanceOffered.data());
        std::vector<const char*> iexts = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
        for (const char* e : {VK_KHR_SURFACE_EXTENSION_NAME, VK_EXT_HEADLESS_SURFACE_EXTENSION_NAME})
            if (offered(instanceOffered, e))
                iexts.push_back(e);
        const char* layer = "VK_LAYER_KHRONOS_validation";
        VkApplicationInfo appInfo{VK_STRUCTURE_TYPE_APPLICATION_INFO};
        appInfo.pApplicationName = "camera-app";
        appInfo.apiVersion = needs.apiVersion;
        VkInstanceCreateInfo ici{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
        ici.pApplicationInfo = &appInfo;
        ici.enabledLayerCount = 1;
        ici.ppEnabledLayerNames = &layer;
        ici.enabledExtensionCount = uint32_t(iexts.size());
        ici.ppEnabledExtensionNames = iexts.data();
        REQUIRE(vkCreateInstance(&ici, nullptr, &instance) == VK_SUCCESS);
        volkLoadInstanceOnly(instance); // the app's own loading of instance functions
        for (const char* e : iexts)
            instanceExtensions.emplace_back(e);
        auto createMessenger = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance, "vkCreateDebugUtilsMessengerEXT"));
        VkDebugUtilsMessengerCreateInfoEXT mci{VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
        mci.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
        mci.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT;
        mci.pfnUserCallback = &countMessage;
        REQUIRE(createMessenger(instance, &mci, nullptr, &messenger) == VK_SUCCESS);

        n = 0;
        vkEnumeratePhysicalDevices(instance, &n, nullptr);
        REQUIRE(n > 0);
        std::vector<VkPhysicalDevice> pds(n);
        vkEnumeratePhysicalDevices(instance, &n, pds.data());
        physical = pds[0];
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, nullptr);
        std::vector<VkQueueFamilyProperties> families(n);
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &n, families.data());
        while (family < n && !(families[family].queueFlags & VK_QUEUE_COMPUTE_BIT))
            ++family;
        REQUIRE(family < n);

        vkEnumerateDeviceExtensionProperties(physical, nullptr, &n, nullptr);
        std::vector<VkExtensionProperties> deviceOffered(n);
        vkEnumerateDeviceExtensionProperties(physical, nullptr, &n, deviceOffered.data());
        std::vector<const char*> dexts;
        for (const std::string& e : needs.deviceExtensions)
            dexts.push_back(e.c_str());
        for (const std::string& e : needs.optionalExtensions)
            if (offered(deviceOffered, e.c_str()))
                dexts.push_back(e.c_str());
        for (const char* e : dexts)
            deviceExtensions.emplace_back(e);
        // The features vulkanRequirements() names.
        CHECK(needs.features ==
              std::vector<std::string>{"timelineSemaphore", "storageBuffer8BitAccess", "synchronization2", "hostQueryReset"});
        VkPhysicalDeviceVulkan13Features f13{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_3_FEATURES};
        f13.synchronization2 = VK_TRUE;
        VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES, &f13};
        f12.timelineSemaphore = VK_TRUE;
        f12.storageBuffer8BitAccess = VK_TRUE;
        f12.hostQueryReset = VK_TRUE;
        VkPhysicalDeviceFeatures2 f2{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2, &f12};
        const float priority = 1.0f;
        VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
        qci.queueFamilyIndex = family;
        qci.queueCount = 1;
        qci.pQueuePriorities = &priority;
        VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO, &f2};
        dci.queueCreateInfoCount = 1;
        dci.pQueueCreateInfos = &qci;
        dci.enabledExtensionCount = uint32_t(dexts.size());
        dci.ppEnabledExtensionNames = dexts.data();
        REQUIRE(vkCreateDevice(physical, &dci, nullptr, &device) == VK_SUCCESS);
    }
    ~AppVulkan() {
        if (device)
            reinterpret_cast<PFN_vkDestroyDevice>(vkGetDeviceProcAddr(device, "vkDestroyDevice"))(device, nullptr);
        if (messenger)
            reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
                vkGetInstanceProcAddr(instance, "vkDestroyDebugUtilsMessengerEXT"))(instance, messenger, nullptr);
        vkDestroyInstance(instance, nullptr);
    }

    AppVulkanDevice handles() const {
        return {.instance = reinterpret_cast<uint64_t>(instance),
                .physicalDevice = reinterpret_cast<uint64_t>(physical),
                .device = reinterpret_cast<uint64_t>(device),
                .queueFamily = family,
                .queueIndex = 0,
                .instanceExtensions = instanceExtensions,
                .deviceExtensions = deviceExtensions,
                .lockQueue = {},
                .unlockQueue = {}};
    }
};

RgbaImage graded(gpu::Device& device) {
    CubeLut inverted = CubeLut::identity(17);
    for (float& v : inverted.rgb)
        v = 1.0f - v;
    auto runner = stages::Lut3dRunner::create(device);
    REQUIRE(runner);
    REQUIRE(runner->setLut(inverted));
    RgbaImage out;
    auto ran = runner->run(test::gradientImage(), {.strength = 1.0f}, out);
    if (!ran)
        FAIL(ran.error().describe());
    return out;
}

} // namespace

TEST_CASE("A GpuContext on the app's own Vulkan device runs stages and a viewfinder and leaves the device to the app",
          "[gpu]") {
    appValidationMessages = 0;
    AppVulkan app;
    std::atomic<int> locks{0}, unlocks{0};
    AppVulkanDevice handles = app.handles();
    handles.lockQueue = [&] { locks.fetch_add(1); };
    handles.unlockQueue = [&] { unlocks.fetch_add(1); };
    {
        auto context = GpuContext::adopt(handles, {.validation = true, .device = {}, .applicationName = "adopted"});
        if (!context)
            FAIL(context.error().describe());
        gpu::Device& device = deviceOf(*context);
        CHECK(device.device() == app.device);
        CHECK(context->info().whyChosen == "the application's device");

        // The same stage gives the same image on the app's device as on rearview's own.
        CHECK(graded(device).pixels == graded(test::device()).pixels);
        CHECK(locks.load() > 0);
        CHECK(locks.load() == unlocks.load());

        // A viewfinder on it: its companion devices come from rearview's own instances on the
        // same GPU.
        auto vf = Viewfinder::create(*context, test::syntheticHeadless({1280, 720}));
        if (!vf)
            FAIL(vf.error().describe());
        REQUIRE((*vf)->start());
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        (*vf)->stop();
        const ViewfinderStats s = (*vf)->stats();
        CHECK(s.framesProcessed > 0);
        CHECK(s.presented > 0);
        CHECK(s.frameErrors == 0);
        CHECK(context->validationMessages() == 0);
    }
    // The context is gone; the app's device is still the app's and still works.
    VkQueue queue = VK_NULL_HANDLE;
    reinterpret_cast<PFN_vkGetDeviceQueue>(vkGetDeviceProcAddr(app.device, "vkGetDeviceQueue"))(app.device, app.family,
                                                                                               0, &queue);
    CHECK(reinterpret_cast<PFN_vkQueueWaitIdle>(vkGetDeviceProcAddr(app.device, "vkQueueWaitIdle"))(queue) ==
          VK_SUCCESS);
    CHECK(appValidationMessages.load() == 0);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Adopting a device without what rearview needs fails naming it", "[gpu]") {
    AppVulkan app;
    AppVulkanDevice handles = app.handles();
    std::erase(handles.deviceExtensions, std::string(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME));
    auto missing = GpuContext::adopt(handles);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::Unsupported);
    CHECK(missing.error().message.find(VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME) != std::string::npos);

    handles = app.handles();
    handles.queueFamily = 99;
    auto badQueue = GpuContext::adopt(handles);
    REQUIRE_FALSE(badQueue);
    CHECK(badQueue.error().code == ErrorCode::InvalidArgument);
    CHECK(badQueue.error().message.find("family 99") != std::string::npos);

    handles = app.handles();
    handles.device = 0;
    auto none = GpuContext::adopt(handles);
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ErrorCode::InvalidArgument);
}
