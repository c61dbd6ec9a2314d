// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/device.hpp"
#include "gpu/external_memory.hpp"

#include <atomic>
#include <vector>
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

/// Latest-frame-wins buffer of packed RGBA8 working images between the pipeline thread (the
/// one writer) and the presenter thread (the one reader). Neither side ever waits for the
/// other on the CPU in a way the reader could feel: the writer gets a slot nobody reads plus
/// the timeline value of the reader's last GPU read of it, the reader gets the newest
/// published frame whose GPU work has completed, or keeps the one it has.
///
/// Writer and reader may be one device (slots in device memory; the writer's submission
/// waits for the reader's last read on the shared timeline) or two (the viewfinder's
/// processing device and its presenter's: slots in CPU memory imported into both,
/// gpu::SharedHostBuffer). With two devices neither thread calls into the other's device —
/// a driver's locks are held by that device's threads, which run at their own priority, so a
/// query of the processing device's timeline from the presenter was measured to block it for
/// up to 21 ms on lavapipe. Instead the writer publishes only frames it has seen complete, and
/// the reader reports how far its own timeline has got (readerReached()); the writer waits
/// for the reader's last read of a slot on the CPU, against that report, before it submits
/// (WriteSlot::waitOnHost; the slot chosen is the one read longest ago, so that wait is
/// almost always already over). The reader never waits.
///
/// Slots: one may be read, one published and not yet taken, and up to `writesInFlight`
/// written (frames whose GPU work is still running), so there are writesInFlight + 2. A
/// published frame replaced before the reader takes it is dropped (counted in dropped()).
class Mailbox {
public:
    /// Writer and reader on one device, one write at a time (three slots).
    static Result<std::unique_ptr<Mailbox>> create(gpu::Device& device, uint32_t width, uint32_t height);
    /// Writer and reader on `writer` and `reader` (the same device or two that both have
    /// VK_EXT_external_memory_host), up to `writesInFlight` (1..8) slots written at once.
    static Result<std::unique_ptr<Mailbox>> create(gpu::Device& writer, gpu::Device& reader, uint32_t width,
                                                   uint32_t height, uint32_t writesInFlight);

    /// A slot for the writer. waitValue: the reader's timeline value its write must wait for
    /// (the reader's last GPU read of this slot; 0 = none): on the GPU when !waitOnHost (one
    /// device: a timeline wait in the writer's submission), else on the CPU before submitting
    /// (Mailbox::waitForReader()).
    struct WriteSlot {
        uint32_t index;
        VkDescriptorBufferInfo buffer; ///< on the writer's device
        uint64_t waitValue;
        bool waitOnHost;
    };
    /// Pipeline thread: a slot that is neither being read nor published nor written. While
    /// `writesInFlight` slots are being written, it returns the one begun last again.
    WriteSlot beginWrite();
    /// Pipeline thread, two devices: waits until the reader has reported (readerReached())
    /// that its last read of `slot` is done; an error after 2 s without that report.
    Result<void> waitForReader(const WriteSlot& slot) const;
    /// Pipeline thread: makes a slot from beginWrite() the newest frame. `frame.timelineValue`
    /// (on the writer's timeline) says when its contents are complete; with one device the
    /// reader will not take it before then, with two the writer publishes it only once it has
    /// seen that value reached.
    void publish(uint32_t index, const ReadyFrame& frame);
    /// Pipeline thread: a slot from beginWrite() that will not be published (its frame failed).
    void abandon(uint32_t index);

    /// A slot for the reader.
    struct ReadSlot {
        uint32_t index;
        VkDescriptorBufferInfo buffer; ///< on the reader's device
        ReadyFrame frame;
        bool fresh; ///< taken now (false: the slot the reader already held, shown again)
    };
    /// Presenter thread, never blocks: the newest published frame whose timeline value is
    /// <= `completedValue` (taking it releases the slot held before), else the slot already
    /// held, else nothing (no frame completed yet).
    std::optional<ReadSlot> takeNewest(uint64_t completedValue);
    /// The writer's timeline value the reader may take frames up to: one device, the value
    /// reached now; two devices, any (every published frame is complete).
    uint64_t completedForReader() const {
        return crossDevice() ? UINT64_MAX : writer_->completedTimelineValue();
    }
    /// Presenter thread: the GPU read of the held slot ends with the reader's timeline value
    /// `value`; the writer waits for it before writing that slot again.
    void markRead(uint32_t index, uint64_t value);
    /// Presenter thread, two devices: its own timeline has reached `value` (every refresh,
    /// from the reader's device; never blocks).
    void readerReached(uint64_t value) { readerReached_.store(value, std::memory_order_release); }
    /// The newest published frame (completed or not), if any: the reference for the
    /// presenter's "never older than the newest completed" check.
    std::optional<ReadyFrame> newestPublished() const;

    /// Writer and reader are different devices: the reader's submission cannot wait on the
    /// writer's timeline, and needs none (a frame is taken only once seen complete).
    bool crossDevice() const { return writer_ != reader_; }
    gpu::Device& writer() const { return *writer_; }
    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }
    uint32_t slotCount() const { return uint32_t(slots_.size()); }
    uint32_t writesInFlight() const { return writesInFlight_; }
    uint64_t published() const;
    /// Published frames replaced by a newer one before the reader took them.
    uint64_t dropped() const;
    /// The whole buffer of slot `index` on the writer's device (for tests and one-off uploads).
    VkDescriptorBufferInfo buffer(uint32_t index) const { return {writerBuffer(index), 0, bytes_}; }

private:
    Mailbox() = default;
    enum class State { Free, Writing, Published, Reading };
    struct Slot {
        gpu::Buffer buffer;          ///< one device
        gpu::SharedHostBuffer shared; ///< two devices
        State state = State::Free;
        ReadyFrame frame;
        uint64_t lastRead = 0; ///< reader's timeline value of its last read
        uint64_t begun = 0;    ///< beginWrite() order
    };
    VkBuffer writerBuffer(uint32_t index) const;
    VkBuffer readerBuffer(uint32_t index) const;

    gpu::Device* writer_ = nullptr;
    gpu::Device* reader_ = nullptr;
    uint32_t width_ = 0;
    uint32_t height_ = 0;
    uint32_t writesInFlight_ = 1;
    VkDeviceSize bytes_ = 0;
    mutable std::mutex mutex_;
    std::vector<Slot> slots_;
    uint32_t writing_ = 0; ///< slots in State::Writing
    uint64_t begun_ = 0;
    std::optional<uint32_t> published_;
    std::optional<uint32_t> reading_;
    std::atomic<uint64_t> readerReached_{0};
    uint64_t publishedCount_ = 0;
    uint64_t droppedCount_ = 0;
};

} // namespace rearview::present
