// SPDX-License-Identifier: MIT
// The frame tap (Viewfinder::setFrameTap()): finished panel images handed to the app's
// callback on a thread of its own, newest first, never making the pipeline thread wait.
#pragma once

#include "core/rolling_stats.hpp"
#include "gpu/buffer.hpp"

#include <rearview/viewfinder.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace rearview::viewfinder {

/// A few host-visible panel-sized buffers and the thread that calls the app with them. The
/// pipeline thread acquire()s a free buffer for a frame, records the GPU copy into it and,
/// once the frame's GPU work has finished, publish()es it (or abandon()s it). The tap thread
/// calls the callback with the newest published buffer; a buffer published while another
/// waits replaces it (latest wins). The callback runs without any lock the pipeline thread
/// takes.
class FrameTap {
public:
    /// Buffers: the frames that may be in flight, one waiting and one in the callback.
    FrameTap(gpu::Device& device, uint32_t width, uint32_t height, uint32_t framesInFlight);
    ~FrameTap();
    FrameTap(const FrameTap&) = delete;
    FrameTap& operator=(const FrameTap&) = delete;

    /// From any thread but the tap's: the new callback (empty: none); makes the buffers the
    /// first time and starts the thread. Returns once a callback in progress has returned.
    Result<void> set(FrameTapOptions options);

    // The pipeline thread.
    /// A free buffer for the frame being recorded, or nothing: no tap, or every buffer in use
    /// (counted as skipped). `withHud` says which image the tap wants.
    std::optional<uint32_t> acquire(bool& withHud);
    VkBuffer buffer(uint32_t index) const { return buffers_[index].get(); }
    /// The frame's GPU work finished: its image replaces any image still waiting.
    void publish(uint32_t index, const PanelImage& image);
    /// The frame never finished; its buffer is free again.
    void abandon(uint32_t index);

    FrameTapStats stats() const;

private:
    enum class State : uint8_t { Free, Gpu, Waiting, InCallback };
    void run(std::stop_token stop);

    gpu::Device& device_;
    const uint32_t width_, height_, count_;
    std::vector<gpu::Buffer> buffers_; ///< made by the first set() with a callback

    std::mutex callbackMutex_; ///< held while the callback runs, and by set() to replace it
    std::function<void(const PanelImage&)> callback_;

    mutable std::mutex mutex_; ///< everything below; never held while the callback runs
    std::condition_variable_any wake_;
    bool active_ = false, withHud_ = false;
    std::vector<State> states_;
    std::vector<PanelImage> images_;
    std::optional<uint32_t> waiting_;
    FrameTapStats stats_;
    RollingStats callbackMs_;
    std::thread::id tapThread_;
    std::jthread thread_;
};

} // namespace rearview::viewfinder
