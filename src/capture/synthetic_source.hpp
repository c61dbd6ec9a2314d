// SPDX-License-Identifier: MIT
// A frame source without a camera: pre-filled NV12 buffers handed out at a chosen rate, for
// benchmarks and tests that must not be limited by a camera's own cost of making frames.
#pragma once

#include "capture/buffer_allocator.hpp"
#include "capture/frame_source.hpp"

#include <rearview/color_space.hpp>
#include <rearview/error.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace rearview {

/// What a synthetic source's buffers hold.
enum class SyntheticPattern : uint8_t {
    Ramps,     ///< patterns::fillRamps: every code value in both planes
    Noise,     ///< patterns::fillNoise, a different seed per buffer, so buffers tell apart
    ZonePlate, ///< patterns::fillZonePlate: luma aliasing probe, neutral chroma
};

/// "ramps", "noise", "zone-plate".
std::string_view toString(SyntheticPattern pattern) noexcept;

/// What a synthetic source is asked for.
struct SyntheticSourceOptions {
    uint32_t width = 8160;  ///< even, non-zero
    uint32_t height = 6120; ///< even, non-zero
    /// Bytes per row of both planes: at least `width` and a multiple of 4 (rows start on
    /// 32-bit words, which shaders read). 0: `width` rounded up to a multiple of 4, the
    /// tight layout libcamera's virtual camera writes.
    uint32_t stride = 0;
    /// Frames per second. Frame n is due n / frameRate seconds after the first nextFrame()
    /// call; a consumer slower than that misses slots (counted) instead of getting a burst.
    /// 0: a frame whenever one is asked for and a buffer is free.
    double frameRate = 0;
    /// Distinct buffers, handed out in turn; a buffer is reused only after the consumer
    /// dropped the `release` of the frame that had it. At least 1.
    uint32_t bufferCount = 4;
    SyntheticPattern pattern = SyntheticPattern::Ramps;
    uint32_t seed = 1; ///< first buffer's seed for SyntheticPattern::Noise
    /// A PNG or JPEG to show instead of the pattern (see readImageNv12()); empty: the pattern.
    std::string imagePath;
    /// Reported with every frame and, for an image, the encoding it is converted with.
    ColorSpace colorSpace{};
    /// Where the buffers come from: the same allocator camera buffers use, so frames import
    /// into the GPU exactly as camera frames do (dma-buf, or host pointer for memfd).
    BufferAllocatorOptions allocator;
};

/// Counters of a synthetic source since create().
struct SyntheticStats {
    uint64_t framesDelivered = 0;
    uint64_t framesWaitedForBuffer = 0; ///< delivered frames that first waited for the consumer to drop one
    uint64_t bufferTimeouts = 0;        ///< nextFrame() calls that timed out with every buffer held
    uint64_t slotsMissed = 0;           ///< frame slots that passed while nobody asked (frameRate > 0)
    uint32_t buffersHeld = 0;           ///< buffers the consumer holds now
    BufferKind bufferKind = BufferKind::Memfd;
    std::string bufferDescription;      ///< e.g. "memfd", "dma-heap /dev/dma_heap/system"
};

/// Delivers CapturedFrames from `bufferCount` buffers filled once at creation. Frames carry
/// the CLOCK_MONOTONIC time of their slot (see SyntheticSourceOptions::frameRate; with rate 0,
/// the time the frame was handed out) with `timestampFromSensor` true: the slot time is what
/// a sensor timestamp would be. Sequence numbers count delivered frames from 0.
///
/// Threads: create, nextFrame and stats from one consumer thread; releasing frames from any.
/// Frames stay valid after the source is destroyed, until dropped.
class SyntheticSource final : public FrameSource {
public:
    /// Allocates and fills the buffers (about 0.1 s per 50 MP buffer for a pattern, plus the
    /// decode for an image). Errors: InvalidArgument (zero or odd size, stride below the width
    /// or not a multiple of 4, no buffers, negative rate), NotFound/Io/Parse (image file),
    /// OutOfMemory (buffers), Unsupported (no buffer method works). Messages name the value.
    static Result<SyntheticSource> create(SyntheticSourceOptions options);

    SyntheticSource(SyntheticSource&&) noexcept;
    SyntheticSource& operator=(SyntheticSource&&) noexcept;
    ~SyntheticSource() override;

    /// The next frame: waits for a free buffer (the consumer holds all of them) and for the
    /// frame's slot, together up to `timeout`. nullopt when the slot is further away than
    /// `timeout`, or when no buffer was dropped in time (counted in stats().bufferTimeouts).
    Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) override;
    FrameFormat format() const override { return format_; }
    SyntheticStats stats() const;

    /// The frame's bytes buffer `index` holds (Y plane, then CbCr), for checks.
    std::span<const uint8_t> bufferContents(uint32_t index) const;
    uint32_t bufferCount() const;

    struct Shared;

private:
    SyntheticSource() = default;

    std::shared_ptr<Shared> shared_; // buffers and the free list; frames hold it too
    FrameFormat format_;
    size_t frameBytes_ = 0;
    double periodNs_ = 0;    // 0: as fast as consumed
    bool started_ = false;
    uint64_t startNs_ = 0;   // slot 0
    uint64_t nextSlot_ = 0;
    uint64_t sequence_ = 0;
};

} // namespace rearview
