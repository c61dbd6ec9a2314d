// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/deferred_destroyer.hpp"
#include "gpu/gpu_clock.hpp"
#include "gpu/handles.hpp"
#include "gpu/vulkan.hpp"

#include <rearview/gpu.hpp>

#include <vk_mem_alloc.h>

#include <atomic>
#include <condition_variable>
#include <functional>
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
    bool swapchain = false;            ///< VK_KHR_swapchain
    bool presentId = false;            ///< VK_KHR_present_id (feature presentId enabled)
    bool presentWait = false;          ///< VK_KHR_present_wait (feature presentWait enabled)
    bool displayTiming = false;        ///< VK_GOOGLE_display_timing
    /// VK_KHR_global_priority / VK_EXT_global_priority: the queue's system-wide priority was
    /// asked for (QueuePriority::Panel asks for high) and granted.
    bool globalPriority = false;
    /// VK_KHR_calibrated_timestamps or VK_EXT_calibrated_timestamps, with the device and
    /// CLOCK_MONOTONIC time domains (gpu/gpu_clock.hpp)
    bool calibratedTimestamps = false;
};

/// How a device's one queue is scheduled against other queues on the same GPU.
enum class QueuePriority : uint8_t {
    Panel,      ///< the panel's refresh: queue priority 1 and, where offered, global priority high
    Processing, ///< the viewfinder's frames: queue priority 0.5
    Background, ///< work that must never hold up the others (a recording): queue priority 0
};

/// Instance extensions for presentation, enabled whenever the loader offers them so any
/// presenter can be created later on the same instance.
struct InstanceExtensions {
    bool surface = false;                   ///< VK_KHR_surface
    bool headlessSurface = false;           ///< VK_EXT_headless_surface
    bool xlibSurface = false;               ///< VK_KHR_xlib_surface
    bool xcbSurface = false;                ///< VK_KHR_xcb_surface
    bool waylandSurface = false;            ///< VK_KHR_wayland_surface
    bool display = false;                   ///< VK_KHR_display
    bool surfaceCapabilities2 = false;      ///< VK_KHR_get_surface_capabilities2
    bool surfaceMaintenance1 = false;       ///< VK_EXT_surface_maintenance1
};

/// Instance, physical and logical device, one compute queue, VMA, the device timeline and
/// deferred destruction. Not movable: the debug messenger points at it. Its device-level
/// Vulkan functions are its own (vk()), so several may exist in one process.
/// Companions (createCompanion()) are the exception: more devices on the same GPU.
class Device {
public:
    static Result<std::unique_ptr<Device>> create(const GpuOptions& options);
    /// An application's Vulkan objects (AppVulkanDevice, as handles).
    struct AppHandles {
        VkInstance instance = VK_NULL_HANDLE;
        VkPhysicalDevice physical = VK_NULL_HANDLE;
        VkDevice device = VK_NULL_HANDLE;
        uint32_t queueFamily = 0, queueIndex = 0;
        std::vector<std::string> instanceExtensions, deviceExtensions;
        std::function<void()> lockQueue, unlockQueue;
    };
    /// A Device on the application's objects, which it never destroys (GpuContext::adopt()).
    static Result<std::unique_ptr<Device>> adopt(const AppHandles& app, const GpuOptions& options);
    /// The Vulkan 1.2/1.3 features rearview needs enabled.
    static std::vector<std::string> requiredFeatures();
    /// A second logical device on `primary`'s GPU, through its own instance, with its own
    /// queue at the lowest queue priority: work that must never hold up the primary's queue
    /// (the record branch) goes there. On a GPU the driver schedules the two queues; on a CPU
    /// driver (lavapipe has one queue per device and runs its shaders on worker threads it
    /// starts when the instance enumerates devices) the companion gets worker threads of its
    /// own, created on the calling thread and so inheriting its scheduling priority: create
    /// it on a background-priority thread and its GPU work runs at background priority.
    /// It has its own function table. Its validation messages count in `primary` (which must
    /// outlive it).
    /// `priority`: how the companion's queue is scheduled (Background for the record branch,
    /// Processing for the viewfinder's frame work while the primary presents).
    static Result<std::unique_ptr<Device>> createCompanion(Device& primary,
                                                           QueuePriority priority = QueuePriority::Background);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    VkInstance instance() const { return instance_; }
    VkPhysicalDevice physical() const { return physical_; }
    VkDevice device() const { return device_; }
    /// The device's own Vulkan functions (volkLoadDeviceTable): every device-level call on
    /// this device, or on a queue or command buffer of it, goes through this table.
    const VolkDeviceTable& vk() const { return vk_; }
    /// Ownership of `handle`, created on this device (destroyed through vk()).
    template <typename T>
    Owned<T> own(T handle) const {
        return Owned<T>(vk_, device_, handle);
    }
    VmaAllocator allocator() const { return allocator_; }
    VkQueue queue() const { return queue_; }
    uint32_t queueFamily() const { return queueFamily_; }
    const GpuInfo& info() const { return info_; }
    const DeviceExtensions& extensions() const { return extensions_; }
    const InstanceExtensions& instanceExtensions() const { return instanceExtensions_; }
    const VkPhysicalDeviceLimits& limits() const { return limits_; }
    /// Nanoseconds per timestamp tick; 0 when the queue has no timestamps.
    double timestampPeriodNs() const { return timestampPeriodNs_; }
    /// Timestamp ticks on CLOCK_MONOTONIC, calibrated when the device was created.
    GpuClock& clock() { return clock_; }
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

    /// Submissions go through here so the queue is used from one thread at a time. A
    /// submission that signals the device timeline with value V goes to the queue only after
    /// the one signalling V - 1 (values are taken with nextTimelineValue() just before
    /// submitting, on several threads), so timeline signals reach the queue in order.
    Result<void> submit(const VkSubmitInfo2& info);
    /// vkQueuePresentKHR under the same queue lock as submit() (pipeline and presenter
    /// threads share the queue). Returns VK_SUCCESS or VK_SUBOPTIMAL_KHR as a value and
    /// VK_ERROR_OUT_OF_DATE_KHR / VK_ERROR_SURFACE_LOST_KHR too, so the caller can recreate
    /// its swapchain; any other failure is an error.
    Result<VkResult> present(const VkPresentInfoKHR& info);
    /// Waits, without a timeout, until the queue has finished everything, presents included:
    /// teardown only, by an owner of GPU work whose own wait may have timed out, before its
    /// objects go (and a presenter's: the validation layer sees present semaphores released
    /// only then).
    void waitQueueIdle();
    /// Whether the device's queue family can present to `surface`; an error that names the
    /// device and family when it cannot.
    Result<void> checkPresentSupport(VkSurfaceKHR surface) const;

    DeferredDestroyer& deferred() { return deferred_; }
    /// Frees retired objects whose last use has completed.
    void collectGarbage() { deferred_.collect(completedTimelineValue()); }

private:
    Device() = default;
    static Result<std::unique_ptr<Device>> build(const GpuOptions& options, Device* primary, QueuePriority priority);
    /// Once device_ exists: its function table, queue, allocator, timeline and clock.
    Result<void> useDevice(uint32_t queueIndex);
    /// `call` under the application's queue lock, when it gave one.
    template <typename F>
    VkResult withAppQueueLock(F&& call) {
        if (lockQueue_)
            lockQueue_();
        const VkResult r = call();
        if (unlockQueue_)
            unlockQueue_();
        return r;
    }
    static VKAPI_ATTR VkBool32 VKAPI_CALL onDebugMessage(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                         VkDebugUtilsMessageTypeFlagsEXT types,
                                                         const VkDebugUtilsMessengerCallbackDataEXT* data,
                                                         void* user);

    GpuOptions options_;
    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    PFN_vkDestroyDebugUtilsMessengerEXT destroyMessenger_ = nullptr;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    bool adopted_ = false; ///< the instance and device are the application's
    std::function<void()> lockQueue_, unlockQueue_;
    VolkDeviceTable vk_{};
    VmaAllocator allocator_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queueFamily_ = 0;
    GpuInfo info_;
    DeviceExtensions extensions_;
    InstanceExtensions instanceExtensions_;
    VkPhysicalDeviceLimits limits_{};
    double timestampPeriodNs_ = 0;
    uint64_t hostPointerAlignment_ = 4096;
    std::atomic<uint64_t> validationMessages_{0};
    /// The device whose validationMessages() counts this one's messages: itself, or for a
    /// companion (of a companion, ...) the device the app created.
    Device* messageCounter_ = this;
    Owned<VkSemaphore> timeline_;
    std::atomic<uint64_t> lastTimelineValue_{0};
    std::mutex queueMutex_;
    std::condition_variable queueTurn_;
    uint64_t submittedTimelineValue_ = 0; ///< highest timeline value handed to the queue; guarded by queueMutex_
    DeferredDestroyer deferred_;
    GpuClock clock_;
};

} // namespace rearview::gpu
