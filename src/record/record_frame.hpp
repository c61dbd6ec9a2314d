// SPDX-License-Identifier: MIT
// NV12 frames in CPU memory on their way to the encoder, and the bounded pool they come from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace rearview::record {

namespace detail {
struct PoolState;
/// 64-byte aligned bytes; returned to their pool (if any) when released.
class FrameStorage {
public:
    FrameStorage() = default;
    FrameStorage(uint8_t* data, size_t size, std::shared_ptr<PoolState> pool) noexcept
        : data_(data), size_(size), pool_(std::move(pool)) {}
    FrameStorage(FrameStorage&& other) noexcept { *this = std::move(other); }
    FrameStorage& operator=(FrameStorage&& other) noexcept;
    FrameStorage(const FrameStorage&) = delete;
    FrameStorage& operator=(const FrameStorage&) = delete;
    ~FrameStorage() { release(); }

    uint8_t* data() const noexcept { return data_; }
    size_t size() const noexcept { return size_; }
    void release() noexcept;

private:
    uint8_t* data_ = nullptr;
    size_t size_ = 0;
    std::shared_ptr<PoolState> pool_;
};
} // namespace detail

/// One NV12 frame owned in CPU memory: a Y plane (width × height bytes, `yStride` apart) and an
/// interleaved CbCr plane (width × height/2 bytes, `uvStride` apart), both in `storage`.
/// Move-only; a pooled frame's memory goes back to its pool when the frame (or the encoder's
/// reference to it) is destroyed, so 8K frames (≈ 50 MB) are not reallocated per frame.
struct RecordFrame {
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t yStride = 0;   ///< bytes per Y row (≥ width)
    uint32_t uvStride = 0;  ///< bytes per CbCr row (≥ width)
    size_t yOffset = 0;     ///< byte offset of the Y plane in the storage
    size_t uvOffset = 0;    ///< byte offset of the CbCr plane in the storage
    /// Sensor timestamp in ns (CLOCK_MONOTONIC, see CapturedFrame::timestampNs).
    uint64_t timestampNs = 0;
    detail::FrameStorage storage;

    uint8_t* y() const noexcept { return storage.data() + yOffset; }
    uint8_t* uv() const noexcept { return storage.data() + uvOffset; }
    /// Y and CbCr rows fit in the storage with these strides and offsets.
    bool valid() const noexcept;

    /// A frame with its own (unpooled) memory: strides rounded up to 64 bytes, CbCr right after Y.
    static RecordFrame allocate(uint32_t width, uint32_t height);
};

/// A bounded set of frame buffers of one size. acquire() never blocks and never allocates once
/// `limit` buffers exist: it returns nothing until one comes back. Thread-safe; buffers may
/// outlive the pool (they are then freed instead of returned).
class FramePool {
public:
    FramePool(uint32_t width, uint32_t height, uint32_t limit);
    ~FramePool();
    FramePool(const FramePool&) = delete;
    FramePool& operator=(const FramePool&) = delete;

    /// A frame with this pool's size and layout (timestamp 0), or nothing when all `limit`
    /// buffers are in use.
    std::optional<RecordFrame> acquire();
    /// Buffers that exist (free or in use) and those free now.
    uint32_t allocated() const;
    uint32_t available() const;

private:
    uint32_t width_, height_, stride_;
    std::shared_ptr<detail::PoolState> state_;
};

} // namespace rearview::record
