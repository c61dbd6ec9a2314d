// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/device.hpp"
#include "present/blit.hpp"
#include "present/mailbox.hpp"
#include "present/present_stats.hpp"
#include "present/surface.hpp"
#include "present/swapchain.hpp"

#include <rearview/image.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace rearview {
class Tracer;
}

namespace rearview::present {

/// Where a presenter shows its images.
enum class SurfaceKind {
    Window,   ///< an SDL3 window (X11 or Wayland)
    Display,  ///< a display driven directly through VK_KHR_display
    Headless, ///< VK_EXT_headless_surface: nothing is shown; pacing and stats only
};

/// How to create a Presenter.
struct PresenterOptions {
    SurfaceKind kind = SurfaceKind::Headless;
    uint32_t width = 904;   ///< window size, headless extent, display mode size
    uint32_t height = 572;
    double refreshHz = 120; ///< the presenter's refresh (a display's mode rate when it has one)
    std::string title = "rearview";  ///< window title
    bool resizable = true;           ///< window
    std::string connector;           ///< display: name substring or index; empty = the first
    bool vsync = false;              ///< FIFO present mode; otherwise MAILBOX/IMMEDIATE and own pacing
    bool allowStorageImages = true;  ///< false forces the copy path (buffer -> vkCmdCopyBufferToImage)
    bool driverTiming = true;        ///< time presents with display timing / present wait when offered
    std::string threadName = "rv-present";
    /// Each present as a span on the trace's "present" track (not owned; null: none).
    Tracer* tracer = nullptr;
};

/// Shows the newest completed frame of a Mailbox at the panel's refresh rate, on a thread of
/// its own. Each refresh (an absolute CLOCK_MONOTONIC deadline) it takes the newest frame
/// whose GPU work has completed (or repeats the last one), fits it into the swapchain image
/// with a compute blit, and presents; it records pacing stats (see PresentStats).
///
/// Threads: create(), pollEvents() and setWindowSize() on one thread (SDL's, for windows);
/// start()/stop()/stats()/capture() from any thread. The queue is shared with the
/// pipeline through Device::submit()/present().
class Presenter {
public:
    static Result<std::unique_ptr<Presenter>> create(gpu::Device& device, Mailbox& mailbox,
                                                     const PresenterOptions& options);
    /// Stops the thread and frees everything once the GPU is done with it.
    ~Presenter();
    Presenter(const Presenter&) = delete;
    Presenter& operator=(const Presenter&) = delete;

    /// Starts the presenter thread.
    Result<void> start();
    /// Stops the thread; returns the error that stopped it early, if one did.
    Result<void> stop();
    /// False when the thread stopped on an error (stop() returns it).
    bool running() const { return running_.load(); }

    /// Window events since the last call; creating thread only. Resize, minimise and restore
    /// are also passed to the presenter thread, which re-creates the swapchain.
    std::vector<Event> pollEvents();
    /// Resizes the window (creating thread only).
    Result<void> setWindowSize(uint32_t width, uint32_t height);
    PresentStats stats() const;
    /// "window 904x572 (x11)", ... and the timing source.
    std::string describe() const;
    /// The sequence of the camera frame the panel shows now (the last one presented); nullopt
    /// before the first. Any thread.
    std::optional<uint64_t> onPanel() const {
        const uint64_t v = onPanel_.load(std::memory_order_acquire);
        return v ? std::optional<uint64_t>(v - 1) : std::nullopt;
    }
    /// The X11 window id of a window presenter on X11, else 0.
    uint64_t x11Window() const { return surface_->x11Window(); }

    /// The swapchain image of one present, read back (RGBA byte order) with the frame it
    /// showed. Needs swapchain images that can be copied from (TRANSFER_SRC).
    struct Capture {
        RgbaImage image;
        bool hasFrame = false;
        uint64_t sequence = 0;
    };
    /// Captures the next present; waits for it at most `timeout` (the thread must be running).
    Result<Capture> capture(std::chrono::milliseconds timeout = std::chrono::seconds(2));

private:
    Presenter() = default;
    void run();
    /// Counts `n` missed refreshes, in the stats and as the trace's "missed refreshes" counter.
    void countMissed(uint64_t n);
    Result<void> presentOnce();
    Result<void> recreate();
    Result<void> ensureCopyBuffer(VkExtent2D extent);
    void collectTimings();

    struct CommandSlot {
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        uint64_t value = 0;
    };
    struct PendingTiming { // a present whose time the driver reports later (display timing)
        uint32_t id;
        bool hasFrame;
        bool fresh;
        uint64_t sensorNs;
    };
    struct CaptureState {
        bool requested = false;
        bool done = false;
        gpu::Buffer buffer;
        uint64_t value = 0;
        VkExtent2D extent{};
        bool bgra = false;
        Capture result;
        std::optional<Error> error;
    };

    gpu::Device* device_ = nullptr;
    Mailbox* mailbox_ = nullptr;
    PresenterOptions options_;
    std::unique_ptr<Surface> surface_;
    std::unique_ptr<Swapchain> swapchain_;
    Blit blit_;
    gpu::Owned<VkCommandPool> pool_;
    std::vector<CommandSlot> commands_;
    uint32_t nextCommand_ = 0;
    gpu::Buffer copyBuffer_;        ///< copy path: the blit's output in the swapchain's byte order
    VkExtent2D copyExtent_{};
    double refreshHz_ = 120;
    TimingSource timing_ = TimingSource::OwnClock;
    uint64_t presentId_ = 0;
    std::deque<PendingTiming> pendingTimings_;
    /// The sequence of the frame shown last, plus one; 0 before the first (onPanel()).
    std::atomic<uint64_t> onPanel_{0};
    uint64_t lastValue_ = 0;        ///< timeline value of the presenter's latest submission
    /// What each swapchain image of the current generation holds (frame sequence + 1, 0 =
    /// unknown), so a repeat onto an image that already shows the frame skips the blit.
    std::vector<uint64_t> imageHolds_;
    uint32_t holdsGeneration_ = 0;

    StatsRecorder stats_;
    uint64_t missedTotal_ = 0; ///< presenter thread only
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> surfaceChanged_{false};
    std::optional<Error> error_;    ///< set by the thread before it ends
    std::mutex captureMutex_;
    std::condition_variable captureCv_;
    CaptureState capture_;
};

} // namespace rearview::present
