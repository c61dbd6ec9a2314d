// SPDX-License-Identifier: MIT
#include "capture/synthetic_source.hpp"

#include "core/clock.hpp"
#include "core/image_file.hpp"
#include "core/log.hpp"
#include "core/test_patterns.hpp"

#include <time.h>

#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <format>
#include <mutex>
#include <vector>

namespace rearview {
namespace {

Result<void> validate(const SyntheticSourceOptions& o) {
    if (o.width == 0 || o.height == 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("synthetic source size {}x{}: width and height must be non-zero", o.width, o.height));
    if (o.width % 2 || o.height % 2)
        return fail(ErrorCode::InvalidArgument,
                    std::format("synthetic source size {}x{}: NV12 needs an even width and height (each CbCr sample "
                                "covers 2x2 pixels)",
                                o.width, o.height));
    if (o.stride != 0 && o.stride < o.width)
        return fail(ErrorCode::InvalidArgument,
                    std::format("synthetic source stride {} is less than the width {}", o.stride, o.width));
    if (o.stride % 4)
        return fail(ErrorCode::InvalidArgument,
                    std::format("synthetic source stride {} is not a multiple of 4 (rows must start on 32-bit words); "
                                "try {}",
                                o.stride, (o.stride + 3) & ~3u));
    if (o.bufferCount == 0)
        return fail(ErrorCode::InvalidArgument, "synthetic source bufferCount 0: at least 1 buffer is needed");
    if (!std::isfinite(o.frameRate) || o.frameRate < 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("synthetic source frameRate {}: use a positive rate, or 0 for as fast as consumed",
                                o.frameRate));
    return {};
}

} // namespace

std::string_view toString(SyntheticPattern pattern) noexcept {
    switch (pattern) {
    case SyntheticPattern::Ramps: return "ramps";
    case SyntheticPattern::Noise: return "noise";
    case SyntheticPattern::ZonePlate: return "zone-plate";
    }
    return "?";
}

struct SyntheticSource::Shared {
    std::vector<CaptureBuffer> buffers;
    std::mutex mutex; // guards what follows
    std::condition_variable cv;
    std::deque<uint32_t> free; // in the order they are handed out next
    SyntheticStats stats;
};

Result<SyntheticSource> SyntheticSource::create(SyntheticSourceOptions options) {
    if (auto ok = validate(options); !ok) return std::unexpected(ok.error());
    const auto t0 = std::chrono::steady_clock::now();

    SyntheticSource source;
    FrameFormat& f = source.format_;
    f.width = options.width;
    f.height = options.height;
    f.stride = options.stride != 0 ? options.stride : (options.width + 3) & ~3u;
    f.uvOffset = size_t(f.stride) * f.height;
    f.colorSpace = options.colorSpace;
    source.frameBytes_ = f.uvOffset + size_t(f.stride) * (f.height / 2);
    source.periodNs_ = options.frameRate > 0 ? 1e9 / options.frameRate : 0;

    // The content first: a bad image file fails before any buffer is allocated.
    Nv12Image content;
    if (!options.imagePath.empty()) {
        auto image = readImageNv12(options.imagePath, f.width, f.height, f.stride, f.colorSpace);
        if (!image) return std::unexpected(image.error());
        content = std::move(*image);
    } else {
        content = Nv12Image(f.width, f.height, f.stride, f.colorSpace);
    }
    auto fill = [&](uint32_t index) {
        switch (options.pattern) {
        case SyntheticPattern::Ramps: patterns::fillRamps(content); break;
        case SyntheticPattern::Noise: patterns::fillNoise(content, options.seed + index); break;
        case SyntheticPattern::ZonePlate: patterns::fillZonePlate(content); break;
        }
    };

    auto allocator = BufferAllocator::create(options.allocator);
    if (!allocator) return std::unexpected(allocator.error());
    auto buffers = allocator->allocate(options.bufferCount, source.frameBytes_, "rearview-synthetic");
    if (!buffers) return std::unexpected(buffers.error());

    auto shared = std::make_shared<Shared>();
    shared->buffers = std::move(*buffers);
    for (uint32_t i = 0; i < options.bufferCount; ++i) {
        if (options.imagePath.empty() && (i == 0 || options.pattern == SyntheticPattern::Noise)) fill(i);
        std::memcpy(shared->buffers[i].data(), content.bytes().data(), source.frameBytes_);
        shared->free.push_back(i);
    }
    shared->stats.bufferKind = allocator->kind();
    shared->stats.bufferDescription = allocator->description();
    source.shared_ = std::move(shared);

    log::debug("synthetic source: NV12 {}x{} stride {}, {} {} buffers of {} bytes, {} at {} fps, colour space {}-{}; "
               "filled in {:.0f} ms",
               f.width, f.height, f.stride, options.bufferCount, allocator->description(), source.frameBytes_,
               options.imagePath.empty() ? std::string(toString(options.pattern)) : options.imagePath,
               options.frameRate, toString(f.colorSpace.matrix), toString(f.colorSpace.range),
               std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    return source;
}

SyntheticSource::SyntheticSource(SyntheticSource&&) noexcept = default;
SyntheticSource& SyntheticSource::operator=(SyntheticSource&&) noexcept = default;
SyntheticSource::~SyntheticSource() = default;

Result<std::optional<CapturedFrame>> SyntheticSource::nextFrame(std::chrono::milliseconds timeout) {
    Shared& s = *shared_;
    const uint64_t deadline = monotonicNs() + uint64_t(std::max<int64_t>(timeout.count(), 0)) * 1'000'000ull;

    uint32_t index = 0;
    bool waited = false;
    {
        std::unique_lock lock(s.mutex);
        if (s.free.empty()) {
            waited = true;
            if (!s.cv.wait_for(lock, timeout, [&] { return !s.free.empty(); })) {
                ++s.stats.bufferTimeouts;
                return std::nullopt;
            }
        }
        index = s.free.front();
        s.free.pop_front();
    }

    uint64_t now = monotonicNs();
    uint64_t stamp = now;
    if (periodNs_ > 0) {
        if (!started_) {
            started_ = true;
            startNs_ = now;
        }
        auto slotTime = [&](uint64_t n) { return startNs_ + uint64_t(std::llround(double(n) * periodNs_)); };
        uint64_t due = slotTime(nextSlot_);
        uint64_t missed = 0;
        if (due > now) {
            if (due > deadline) { // not due within the timeout: the buffer goes back unused
                std::lock_guard lock(s.mutex);
                s.free.push_front(index);
                return std::nullopt;
            }
            sleepUntilNs(due);
        } else {
            // Late: like a sensor, deliver the newest slot that has passed, not a backlog.
            uint64_t newest = uint64_t(double(now - startNs_) / periodNs_);
            while (newest > nextSlot_ && slotTime(newest) > now) --newest;
            if (newest > nextSlot_) {
                missed = newest - nextSlot_;
                nextSlot_ = newest;
                due = slotTime(newest);
            }
        }
        stamp = due;
        ++nextSlot_;
        if (missed) {
            std::lock_guard lock(s.mutex);
            s.stats.slotsMissed += missed;
        }
    }

    CapturedFrame frame;
    frame.memory = &s.buffers[index].memory();
    frame.width = format_.width;
    frame.height = format_.height;
    frame.stride = format_.stride;
    frame.uvOffset = format_.uvOffset;
    frame.colorSpace = format_.colorSpace;
    frame.timestampNs = stamp;
    frame.timestampFromSensor = true;
    frame.sequence = sequence_++;
    frame.release = std::shared_ptr<void>(shared_.get(), [shared = shared_, index](void*) {
        {
            std::lock_guard lock(shared->mutex);
            shared->free.push_back(index);
            --shared->stats.buffersHeld;
        }
        shared->cv.notify_one();
    });
    {
        std::lock_guard lock(s.mutex);
        ++s.stats.framesDelivered;
        ++s.stats.buffersHeld;
        if (waited) ++s.stats.framesWaitedForBuffer;
    }
    return frame;
}

SyntheticStats SyntheticSource::stats() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->stats;
}

std::span<const uint8_t> SyntheticSource::bufferContents(uint32_t index) const {
    return {shared_->buffers.at(index).data(), frameBytes_};
}

uint32_t SyntheticSource::bufferCount() const { return uint32_t(shared_->buffers.size()); }

} // namespace rearview
