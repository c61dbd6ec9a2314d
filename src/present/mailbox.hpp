// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/device.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

namespace rearview::present {

/// What the pipeline publishes with a slot.
struct ReadyFrame {
    uint64_t sequence = 0;          ///< camera frame sequence
    uint64_t sensorTimestampNs = 0; ///< CLOCK_MONOTONIC
    uint64_t readyNs = 0;           ///< CLOCK_MONOTONIC when the GPU finished it
    uint64_t timelineValue = 0;     ///< device timeline value after which the slot's contents are complete
};

/// Latest-frame-wins triple buffer of packed RGBA8 working images between the pipeline
/// thread (the one writer) and the presenter thread (the one reader). Neither side ever
/// waits for the other on the CPU: the writer gets a slot nobody reads plus the timeline
/// value of the presenter's last GPU read of it (to wait on in its submission), the reader
/// gets the newest published frame whose GPU work has completed, or keeps the one it has.
///
/// Three slots because at any moment one may be read, one published and not yet taken, and
/// one written. A published frame that is replaced before the reader takes it is dropped
/// (counted in dropped()).
class Mailbox {
public:
    static constexpr uint32_t kSlots = 3;

    static Result<std::unique_ptr<Mailbox>> create(gpu::Device& device, uint32_t width, uint32_t height);

    /// A slot for the writer. waitValue: the timeline value its submission must wait for
    /// (the last GPU read of this slot by the presenter; 0 = none).
    struct WriteSlot {
        uint32_t index;
        VkDescriptorBufferInfo buffer;
        uint64_t waitValue;
    };
    /// Pipeline thread: a slot that is neither being read nor published. Calling it again
    /// before publish() returns the same slot.
    WriteSlot beginWrite();
    /// Pipeline thread: makes the slot from beginWrite() the newest frame. `frame.timelineValue`
    /// says when its contents are complete; the reader will not take it before then.
    void publish(uint32_t index, const ReadyFrame& frame);

    /// A slot for the reader.
    struct ReadSlot {
        uint32_t index;
        VkDescriptorBufferInfo buffer;
        ReadyFrame frame;
        bool fresh; ///< taken now (false: the slot the reader already held, shown again)
    };
    /// Presenter thread, never blocks: the newest published frame whose timeline value is
    /// <= `completedValue` (taking it releases the slot held before), else the slot already
    /// held, else nothing (no frame completed yet).
    std::optional<ReadSlot> takeNewest(uint64_t completedValue);
    /// Presenter thread: the GPU read of the held slot ends with timeline value `value`;
    /// the writer waits for it before writing that slot again.
    void markRead(uint32_t index, uint64_t value);
    /// The newest published frame (completed or not), if any: the reference for the
    /// presenter's "never older than the newest completed" check.
    std::optional<ReadyFrame> newestPublished() const;

    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }
    uint64_t published() const;
    /// Published frames replaced by a newer one before the reader took them.
    uint64_t dropped() const;
    /// The whole buffer of slot `index` (for tests and one-off uploads).
    VkDescriptorBufferInfo buffer(uint32_t index) const { return {slots_[index].buffer.get(), 0, bytes_}; }

private:
    Mailbox() = default;
    enum class State { Free, Writing, Published, Reading };
    struct Slot {
        gpu::Buffer buffer;
        State state = State::Free;
        ReadyFrame frame;
        uint64_t lastRead = 0; ///< timeline value of the presenter's last read
    };

    uint32_t width_ = 0;
    uint32_t height_ = 0;
    VkDeviceSize bytes_ = 0;
    mutable std::mutex mutex_;
    std::array<Slot, kSlots> slots_;
    std::optional<uint32_t> writing_;
    std::optional<uint32_t> published_;
    std::optional<uint32_t> reading_;
    uint64_t publishedCount_ = 0;
    uint64_t droppedCount_ = 0;
};

} // namespace rearview::present
