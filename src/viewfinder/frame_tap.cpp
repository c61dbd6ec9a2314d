// SPDX-License-Identifier: MIT
#include "viewfinder/frame_tap.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/thread_priority.hpp"

#include <algorithm>
#include <exception>
#include <pthread.h>

namespace rearview::viewfinder {

FrameTap::FrameTap(gpu::Device& device, uint32_t width, uint32_t height, uint32_t framesInFlight)
    : device_(device), width_(width), height_(height), count_(framesInFlight + 2),
      states_(count_, State::Free), images_(count_), callbackMs_(256) {}

FrameTap::~FrameTap() {
    if (thread_.joinable()) {
        thread_.request_stop();
        wake_.notify_all();
        thread_.join();
    }
}

Result<void> FrameTap::set(FrameTapOptions options) {
    bool fromCallback = false;
    {
        std::lock_guard lock(mutex_);
        fromCallback = std::this_thread::get_id() == tapThread_;
    }
    if (fromCallback)
        return fail(ErrorCode::Internal, "setFrameTap() called from inside the frame tap's callback; call it from "
                                         "another thread (the callback cannot wait for itself)");
    if (options.callback && buffers_.empty()) {
        std::vector<gpu::Buffer> buffers;
        for (uint32_t i = 0; i < count_; ++i) {
            auto b = gpu::Buffer::create(device_, VkDeviceSize(width_) * height_ * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                         gpu::MemoryUse::Readback);
            if (!b)
                return std::unexpected(b.error());
            buffers.push_back(std::move(*b));
        }
        std::lock_guard lock(mutex_);
        buffers_ = std::move(buffers);
    }
    const bool active = bool(options.callback);
    {
        // Waits for a callback in progress; the pipeline thread never takes this lock.
        std::lock_guard callbackLock(callbackMutex_);
        callback_ = std::move(options.callback);
        std::lock_guard lock(mutex_);
        active_ = active;
        withHud_ = options.withHud;
        if (!active && waiting_) { // an image nobody will take
            states_[*waiting_] = State::Free;
            waiting_.reset();
        }
    }
    if (active && !thread_.joinable()) {
        thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
        std::lock_guard lock(mutex_);
        tapThread_ = thread_.get_id();
    }
    return {};
}

std::optional<uint32_t> FrameTap::acquire(bool& withHud) {
    std::lock_guard lock(mutex_);
    if (!active_)
        return std::nullopt;
    const auto free = std::ranges::find(states_, State::Free);
    if (free == states_.end()) {
        ++stats_.skipped;
        return std::nullopt;
    }
    *free = State::Gpu;
    withHud = withHud_;
    return uint32_t(free - states_.begin());
}

void FrameTap::publish(uint32_t index, const PanelImage& image) {
    {
        std::lock_guard lock(mutex_);
        if (!active_) {
            states_[index] = State::Free;
            return;
        }
        if (waiting_) { // the callback did not take it in time: the newer image wins
            states_[*waiting_] = State::Free;
            ++stats_.replaced;
        }
        states_[index] = State::Waiting;
        images_[index] = image;
        waiting_ = index;
    }
    wake_.notify_one();
}

void FrameTap::abandon(uint32_t index) {
    std::lock_guard lock(mutex_);
    states_[index] = State::Free;
}

FrameTapStats FrameTap::stats() const {
    std::lock_guard lock(mutex_);
    FrameTapStats s = stats_;
    s.callbackMs = {callbackMs_.p50(), callbackMs_.p99()};
    return s;
}

void FrameTap::run(std::stop_token stop) {
    pthread_setname_np(pthread_self(), "rv-tap");
    // The app's optional work: below the panel's refresh and a recording, like the processing.
    if (auto r = setThreadPriority(ThreadPriority::Processing); !r)
        log::debug("tap thread: {}", r.error().message);
    while (!stop.stop_requested()) {
        uint32_t index = 0;
        PanelImage image;
        {
            std::unique_lock lock(mutex_);
            if (!wake_.wait(lock, stop, [&] { return waiting_.has_value(); }))
                break;
            index = *waiting_;
            waiting_.reset();
            states_[index] = State::InCallback;
            image = images_[index];
        }
        const gpu::Buffer& buffer = buffers_[index];
        buffer.invalidate();
        image.width = width_;
        image.height = height_;
        image.stride = width_ * 4;
        image.pixels = reinterpret_cast<const uint8_t*>(buffer.mapped());
        // The callback runs under callbackMutex_ only; its figures are counted before that is
        // released, so once set() returns the removed callback has been counted.
        std::lock_guard callbackLock(callbackMutex_);
        const uint64_t startNs = monotonicNs();
        const bool called = bool(callback_);
        if (called) {
            try {
                callback_(image);
            } catch (const std::exception& e) {
                log::error("frame tap: the callback threw '{}'; the tap goes on with the next image", e.what());
            } catch (...) {
                log::error("frame tap: the callback threw; the tap goes on with the next image");
            }
        }
        const double ms = double(monotonicNs() - startNs) / 1e6;
        std::lock_guard lock(mutex_);
        states_[index] = State::Free;
        if (called) {
            ++stats_.delivered;
            callbackMs_.add(ms);
        }
    }
}

} // namespace rearview::viewfinder
