// SPDX-License-Identifier: MIT
// Frames an app captures itself (SourceKind::App): pushed from the app's thread, taken by the
// pipeline thread through the same FrameSource interface, buffers and release handles as
// camera frames.
#pragma once

#include "capture/frame_source.hpp"

#include <rearview/viewfinder.hpp>

#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

namespace rearview {

/// What an app source has taken and dropped.
struct AppSourceStats {
    uint64_t pushed = 0;  ///< frames push() accepted
    uint64_t dropped = 0; ///< replaced by a newer frame before nextFrame() took them
};

/// A bounded queue of the app's frames. push() checks a frame against the source's size and
/// its memory, wraps the memory (a dma-buf is mapped for the CPU, with a reference of its
/// own) as a BufferMemory, and queues it; when `kQueue` frames wait, the oldest is dropped
/// (and released). A frame's `release` is called exactly once, when the last copy of the
/// CapturedFrame's release handle goes. Buffers with an app id keep one BufferMemory (one
/// import) per id for the source's life.
class AppSource final : public FrameSource {
public:
    static constexpr size_t kQueue = 4;

    /// InvalidArgument unless `size` is even and non-zero.
    static Result<std::unique_ptr<AppSource>> create(FrameSize size, ColorSpace colorSpace);
    ~AppSource() override;

    /// From any thread.
    Result<void> push(AppFrame frame);

    Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) override;
    FrameFormat format() const override;
    AppSourceStats stats() const;

private:
    struct Memory; ///< one frame's or one app buffer's BufferMemory, unmapped when dropped
    AppSource() = default;
    /// The memory for `frame`: the app buffer's (same id) or a new one.
    Result<std::shared_ptr<Memory>> memoryFor(const AppFrame& frame);

    FrameSize size_;
    mutable std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<CapturedFrame> queue_;
    std::map<uint64_t, std::shared_ptr<Memory>> buffers_; ///< by the app's buffer id
    FrameFormat format_;
    uint64_t sequence_ = 0;
    AppSourceStats stats_;
};

} // namespace rearview
