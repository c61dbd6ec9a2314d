// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/deferred_destroyer.hpp"
#include "gpu/handles.hpp"
#include "gpu/vulkan.hpp"

#include <rearview/gpu.hpp>

#include <vk_mem_alloc.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace rearview::gpu {

/// Optional device extensions rearview uses when the driver has them.
struct DeviceExtensions {
    bool externalMemoryFd = false;     ///< VK_KHR_external_memory_fd
    bool externalMemoryDmaBuf = false; ///< VK_EXT_external_memory_dma_buf
    bool externalMemoryHost = false;   ///< VK_EXT_external_memory_host
};

/// Instance, physical and logical device, one compute queue, VMA, the device timeline and
/// deferred destruction. Not movable: the debug messenger points at it. One per process
/// (volk's function pointers are process-wide); create() fails while another exists.
class Device {
public:
    static Result<std::unique_ptr<Device>> create(const GpuOptions& options);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physical() const { return physical_; }
    VkDevice device() const { return device_; }
    VmaAllocator allocator() const { return allocator_; }
    VkQueue queue() const { return queue_; }
    uint32_t queueFamily() const { return queueFamily_; }
    const GpuInfo& info() const { return info_; }
    const DeviceExtensions& extensions() const { return extensions_; }
    const VkPhysicalDeviceLimits& limits() const { return limits_; }
    /// Nanoseconds per timestamp tick; 0 when the queue has no timestamps.
    double timestampPeriodNs() const { return timestampPeriodNs_; }
    uint64_t minImportedHostPointerAlignment() const { return hostPointerAlignment_; }

    /// Validation warnings and errors seen so far.
    uint64_t validationMessages() const { return validationMessages_.load(); }

    /// The device timeline: every submission signals the next value.
    VkSemaphore timeline() const { return timeline_.get(); }
    uint64_t nextTimelineValue() { return ++lastTimelineValue_; }
    /// The value of the latest submission: retiring an object at it is safe for any object
    /// used by work recorded so far.
    uint64_t lastTimelineValue() const { return lastTimelineValue_.load(); }
    uint64_t completedTimelineValue() const;
    Result<void> waitTimeline(uint64_t value, uint64_t timeoutNs = 10'000'000'000ull) const;

    /// Submissions go through here so the queue is used from one thread at a time.
    Result<void> submit(const VkSubmitInfo2& info);

    DeferredDestroyer& deferred() { return deferred_; }
    /// Frees retired objects whose last use has completed.
    void collectGarbage() { deferred_.collect(completedTimelineValue()); }

private:
    Device() = default;
    static VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                         VkDebugUtilsMessageTypeFlagsEXT types,
                                                         const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                         void* user);

    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    PFN_vkDestroyDebugUtilsMessengerEXT destroyMessenger_ = nullptr;
    bool ownsProcessSlot_ = false;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VmaAllocator allocator_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queueFamily_ = 0;
    GpuInfo info_;
    DeviceExtensions extensions_;
    VkPhysicalDeviceLimits limits_{};
    double timestampPeriodNs_ = 0;
    uint64_t hostPointerAlignment_ = 4096;
    std::atomic<uint64_t> validationMessages_{0};
    Owned<VkSemaphore> timeline_;
    std::atomic<uint64_t> lastTimelineValue_{0};
    std::mutex queueMutex_;
    DeferredDestroyer deferred_;
};

} // namespace rearview::gpu
