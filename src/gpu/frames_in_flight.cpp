// SPDX-License-Identifier: MIT
#include "gpu/frames_in_flight.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <format>
#include <utility>

namespace rearview::gpu {
namespace {

uint64_t toNs(std::chrono::milliseconds timeout) {
    return uint64_t(std::max<int64_t>(timeout.count(), 0)) * 1'000'000ull;
}

} // namespace

Result<FramesInFlight> FramesInFlight::create(Device& device, uint32_t maxInFlight) {
    if (maxInFlight == 0)
        return fail(ErrorCode::InvalidArgument, "FramesInFlight with maxInFlight 0: at least 1 frame must be allowed "
                                                "in flight");
    FramesInFlight out;
    out.device_ = &device;
    out.max_ = maxInFlight;
    return out;
}

FramesInFlight::FramesInFlight(FramesInFlight&& other) noexcept
    : device_(std::exchange(other.device_, nullptr)), max_(other.max_), frames_(std::move(other.frames_)),
      boundWaits_(other.boundWaits_) {
    other.frames_.clear();
}

FramesInFlight& FramesInFlight::operator=(FramesInFlight&& other) noexcept {
    if (this != &other) {
        dropAll();
        device_ = std::exchange(other.device_, nullptr);
        max_ = other.max_;
        frames_ = std::move(other.frames_);
        other.frames_.clear();
        boundWaits_ = other.boundWaits_;
    }
    return *this;
}

FramesInFlight::~FramesInFlight() { dropAll(); }

void FramesInFlight::dropAll() noexcept {
    if (auto ok = drain(); !ok) {
        // Giving the buffers back now could let them change under the GPU; only a lost or
        // hung device gets here, and nothing more can be done for them.
        log::warn("dropping {} frames whose GPU work did not complete: {}", frames_.size(), ok.error().message);
        frames_.clear();
    }
}

Result<void> FramesInFlight::hold(CapturedFrame frame, uint64_t lastUse, std::chrono::milliseconds timeout) {
    const uint64_t sequence = frame.sequence;
    frames_.push_back({std::move(frame), lastUse});
    collect();
    if (frames_.size() > max_) ++boundWaits_;
    while (frames_.size() > max_) {
        const Held& oldest = frames_.front();
        if (auto ok = device_->waitTimeline(oldest.lastUse, toNs(timeout)); !ok)
            return fail(ok.error().code,
                        std::format("holding frame {} would make {} frames in flight (at most {}), and the oldest "
                                    "(frame {}) is still in use: {}",
                                    sequence, frames_.size(), max_, oldest.frame.sequence, ok.error().message));
        frames_.pop_front();
        collect();
    }
    return {};
}

size_t FramesInFlight::collect() {
    if (frames_.empty()) return 0;
    const uint64_t completed = device_->completedTimelineValue();
    return std::erase_if(frames_, [&](const Held& h) { return h.lastUse <= completed; });
}

Result<void> FramesInFlight::drain(std::chrono::milliseconds timeout) {
    if (frames_.empty() || !device_) return {};
    uint64_t last = 0;
    for (const Held& h : frames_) last = std::max(last, h.lastUse);
    RV_TRY(device_->waitTimeline(last, toNs(timeout)));
    frames_.clear();
    return {};
}

} // namespace rearview::gpu
