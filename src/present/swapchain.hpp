// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"
#include "present/surface.hpp"

#include <memory>
#include <vector>

namespace rearview::present {

/// The swapchain of one surface: creation and re-creation (out of date, suboptimal, resize,
/// restore after minimise), acquire and present. Replaced swapchains, with their views and
/// semaphores, are retired to the device's deferred destruction, keyed by a timeline value
/// submitted after their last present, never destroyed under the presentation engine.
/// Used by one thread (the presenter's).
class Swapchain {
public:
    struct Options {
        bool allowStorage = true;  ///< storage-image swapchain images when the format allows it
        bool vsync = false;        ///< FIFO; otherwise MAILBOX, then IMMEDIATE, then FIFO (the presenter paces)
        uint32_t minImages = 3;
    };
    static Result<std::unique_ptr<Swapchain>> create(gpu::Device& device, Surface& surface, const Options& options);
    ~Swapchain();
    Swapchain(const Swapchain&) = delete;
    Swapchain& operator=(const Swapchain&) = delete;

    /// Makes a swapchain for the surface's current extent; the previous one is retired. A
    /// zero extent (minimised window) leaves none: minimised() is true until a later call.
    Result<void> recreate();
    bool minimised() const { return !current_; }

    enum class Status { Ok, Suboptimal, OutOfDate, NotReady };
    struct Acquired {
        Status status = Status::Ok;
        uint32_t image = 0;
        VkSemaphore ready = VK_NULL_HANDLE; ///< signalled when the image may be written
        uint32_t slot = 0;                  ///< pass to acquireUsed()
    };
    /// Acquires the next image, waiting at most `timeoutNs`. OutOfDate / NotReady: no image.
    Result<Acquired> acquire(uint64_t timeoutNs);
    /// The submission with timeline value `value` waits on the acquire semaphore of `slot`.
    void acquireUsed(uint32_t slot, uint64_t value) { acquireSlots_[slot].lastUse = value; }
    /// Presents `image`, waiting on its render-finished semaphore; `next` extends the present
    /// info (present id, display timing). Returns VK_SUCCESS, VK_SUBOPTIMAL_KHR or
    /// VK_ERROR_OUT_OF_DATE_KHR.
    Result<VkResult> present(uint32_t image, const void* next);
    /// Hands swapchains replaced since the last call to deferred destruction after `value`
    /// (a timeline value submitted after their last present).
    void retireReplaced(uint64_t value);

    VkSwapchainKHR handle() const;
    VkImage image(uint32_t i) const;
    VkImageView view(uint32_t i) const; ///< storage() swapchains only
    /// Signalled by the submission that writes image `i`, waited on by its present.
    VkSemaphore renderDone(uint32_t i) const;
    VkExtent2D extent() const;
    uint32_t imageCount() const;
    VkFormat format() const;
    bool storage() const;     ///< images are storage images (compute writes them)
    bool bgra() const;        ///< B8G8R8A8 byte order
    bool transferSrc() const; ///< images can be copied from (capture)
    uint32_t generation() const { return generation_; }

private:
    struct Generation;
    struct AcquireSlot {
        VkSemaphore semaphore = VK_NULL_HANDLE;
        uint64_t lastUse = 0;
    };
    Swapchain() = default;
    Result<VkSemaphore> newSemaphore() const;

    gpu::Device* device_ = nullptr;
    Surface* surface_ = nullptr;
    Options options_;
    std::unique_ptr<Generation> current_;
    std::vector<std::unique_ptr<Generation>> replaced_;
    std::vector<AcquireSlot> acquireSlots_;
    uint32_t nextSlot_ = 0;
    uint32_t generation_ = 0;
};

} // namespace rearview::present
