// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"
#include "gpu/handles.hpp"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rearview::gpu {

/// GPU time of one named span of a submission.
struct GpuSpan {
    std::string name;
    double ms = 0;
    /// When it began on CLOCK_MONOTONIC (Device::clock()); 0 when the device's clock has no
    /// offset to the CPU's.
    uint64_t startNs = 0;
};

/// Records and submits command buffers from a small ring of slots. Each submission signals
/// the device timeline with a fresh value; a slot is reused only after its previous
/// submission has completed, which bounds the work in flight. Spans written with
/// beginSpan()/endSpan() are timed with GPU timestamp queries.
class Submitter {
public:
    static Result<Submitter> create(Device& device, uint32_t slots = 3, uint32_t maxSpans = 16);

    /// Starts recording in the next slot, waiting for that slot's previous submission.
    Result<VkCommandBuffer> begin();
    /// Marks the start of a timed span in the current recording.
    void beginSpan(std::string name);
    /// Marks the end of the innermost open span.
    void endSpan();
    /// Ends recording and submits. `waits` are extra semaphores to wait on (e.g. acquire).
    /// Returns the timeline value that signals completion.
    Result<uint64_t> submit(std::span<const VkSemaphoreSubmitInfo> waits = {});
    /// Spans of the submission that signalled `value`; waits for it. Empty when the slot has
    /// been reused since or the queue has no timestamps.
    Result<std::vector<GpuSpan>> spans(uint64_t value);
    /// Whether the submission that signalled `value` has a span named `name` (without waiting).
    bool hasSpan(uint64_t value, std::string_view name) const;

    Device& device() const { return *device_; }

private:
    struct Slot {
        VkCommandBuffer cmd = VK_NULL_HANDLE;
        Owned<VkQueryPool> queries;
        std::vector<GpuSpan> spans;
        std::vector<uint32_t> open; // indices into spans
        uint64_t value = 0;
    };
    Device* device_ = nullptr;
    Owned<VkCommandPool> pool_;
    std::vector<Slot> slots_;
    uint32_t maxSpans_ = 0;
    uint32_t current_ = 0;
    bool recording_ = false;
};

/// Times the commands recorded during its lifetime as a span of `submitter` (nothing when
/// null), so stages can be timed without knowing who submits them.
class ScopedSpan {
public:
    ScopedSpan(Submitter* submitter, std::string name) : submitter_(submitter) {
        if (submitter_)
            submitter_->beginSpan(std::move(name));
    }
    ~ScopedSpan() {
        if (submitter_)
            submitter_->endSpan();
    }
    ScopedSpan(const ScopedSpan&) = delete;
    ScopedSpan& operator=(const ScopedSpan&) = delete;

private:
    Submitter* submitter_;
};

/// Creates `pool` on the device's queue family, with buffers that can be reset one by one,
/// and allocates `count` primary command buffers from it.
Result<std::vector<VkCommandBuffer>> createCommandBuffers(Device& device, uint32_t count, Owned<VkCommandPool>& pool);

/// A layout transition of a whole single-mip, single-layer colour image, with the stages and
/// accesses it orders.
void imageBarrier(const Device& device, VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                  VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage,
                  VkAccessFlags2 dstAccess);

/// A global memory barrier between two pipeline stages.
void memoryBarrier(const Device& device, VkCommandBuffer cmd, VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess,
                   VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess);

} // namespace rearview::gpu
