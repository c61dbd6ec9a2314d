// SPDX-License-Identifier: MIT
// Captured frames the GPU may still be reading: held until the device timeline says the last
// submission reading each one has completed, so a buffer never goes back to the camera (and
// never changes) under the GPU.
#pragma once

#include "core/frame.hpp"
#include "gpu/device.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>

namespace rearview::gpu {

/// Holds CapturedFrames (their `release` handles) until the device timeline reaches the
/// value of the last submission reading each, and bounds how many are held: a frame past the
/// bound waits for the oldest one's GPU work. Single-threaded (the pipeline thread's).
class FramesInFlight {
public:
    /// At most `maxInFlight` frames held after hold() returns (at least 1).
    static Result<FramesInFlight> create(Device& device, uint32_t maxInFlight);

    FramesInFlight(FramesInFlight&& other) noexcept;
    FramesInFlight& operator=(FramesInFlight&& other) noexcept;
    FramesInFlight(const FramesInFlight&) = delete;
    FramesInFlight& operator=(const FramesInFlight&) = delete;
    /// Waits for the GPU work of the frames still held (teardown only), then drops them.
    ~FramesInFlight();

    /// Keeps `frame` until the timeline reaches `lastUse` (the value Submitter::submit()
    /// returned for the last submission reading it). Drops frames whose work completed; while
    /// more than maxInFlight are held, waits up to `timeout` for the oldest one's work. On a
    /// timeout the frame is held all the same (a frame is never dropped early) and the error
    /// says which value did not complete; the count is above the bound until it does.
    Result<void> hold(CapturedFrame frame, uint64_t lastUse,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// Drops every frame whose last use has completed; never blocks. Returns how many.
    size_t collect();
    /// Waits up to `timeout` for all held frames' work and drops them.
    Result<void> drain(std::chrono::milliseconds timeout = std::chrono::seconds(10));

    size_t size() const { return frames_.size(); }
    uint32_t maxInFlight() const { return max_; }
    /// hold() calls that had to wait for the GPU because the bound was reached.
    uint64_t boundWaits() const { return boundWaits_; }

private:
    FramesInFlight() = default;
    void dropAll() noexcept;
    struct Held {
        CapturedFrame frame;
        uint64_t lastUse = 0;
    };
    Device* device_ = nullptr;
    uint32_t max_ = 1;
    std::deque<Held> frames_; // in hold() order, so the front is the oldest
    uint64_t boundWaits_ = 0;
};

} // namespace rearview::gpu
