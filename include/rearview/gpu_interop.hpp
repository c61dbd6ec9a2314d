// SPDX-License-Identifier: MIT
// Opt-in: rearview on the application's own Vulkan device (GpuContext::adopt()). Handles are
// passed as integers (reinterpret_cast<uint64_t>(VkDevice) ...), so this header, like every
// rearview header, includes no Vulkan header.
#pragma once

#include <rearview/export.hpp>
#include <rearview/gpu.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rearview {

/// The application's Vulkan objects rearview runs on. They stay the application's: rearview
/// never destroys them, and the GpuContext must be destroyed before them. The instance must
/// come from the process's Vulkan loader (libvulkan.so.1), the device must have been created
/// with everything vulkanRequirements() lists as required, and `deviceExtensions` must name
/// every extension it was created with (rearview uses the optional ones it finds there).
struct AppVulkanDevice {
    uint64_t instance = 0;       ///< VkInstance
    uint64_t physicalDevice = 0; ///< VkPhysicalDevice
    uint64_t device = 0;         ///< VkDevice
    uint32_t queueFamily = 0;    ///< a family with compute (and present, for a window presenter)
    uint32_t queueIndex = 0;     ///< the queue rearview submits to, within queueFamily
    std::vector<std::string> instanceExtensions; ///< the instance's enabled extensions
    std::vector<std::string> deviceExtensions;   ///< the device's enabled extensions
    /// Called around each of rearview's submissions and presents when the application submits
    /// to the same queue from its own threads (Vulkan requires one submitter at a time): lock
    /// and unlock the application's queue mutex. Empty: the queue is rearview's alone.
    std::function<void()> lockQueue, unlockQueue;
};

/// What an application's device needs for rearview (GpuContext::adopt()).
struct VulkanRequirements {
    uint32_t apiVersion = 0;                     ///< VK_API_VERSION_1_3
    std::vector<std::string> deviceExtensions;   ///< required
    std::vector<std::string> optionalExtensions; ///< used when enabled (zero-copy imports, timing, presenting)
    std::vector<std::string> features;           ///< e.g. "timelineSemaphore" (VkPhysicalDeviceVulkan12Features)
};

/// The Vulkan version, extensions and features to create an application device with.
REARVIEW_API VulkanRequirements vulkanRequirements();

} // namespace rearview
