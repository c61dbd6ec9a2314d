// SPDX-License-Identifier: MIT
// Feeding a presenter's mailbox from a test: known images uploaded into a slot, or a feeder
// thread that fills slots with a sequence-dependent colour on the GPU at a camera rate.
#pragma once

#include "core/clock.hpp"
#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "present/mailbox.hpp"

#include <rearview/image.hpp>

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstring>
#include <thread>

namespace rearview::test {

/// Writes `image` into a mailbox slot on the GPU (waiting for the presenter's last read of
/// that slot) and publishes it as frame `sequence`.
inline void publishImage(gpu::Device& device, gpu::Submitter& submitter, present::Mailbox& mailbox,
                         const RgbaImage& image, uint64_t sequence) {
    REQUIRE(image.width == mailbox.width());
    REQUIRE(image.height == mailbox.height());
    auto staging = gpu::Buffer::create(device, image.pixels.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                       gpu::MemoryUse::Upload);
    REQUIRE(staging);
    std::memcpy(staging->mapped(), image.pixels.data(), image.pixels.size());
    staging->flush();
    const auto slot = mailbox.beginWrite();
    auto cmd = submitter.begin();
    REQUIRE(cmd);
    VkBufferCopy region{0, 0, image.pixels.size()};
    device.vk().vkCmdCopyBuffer(*cmd, staging->get(), slot.buffer.buffer, 1, &region);
    VkSemaphoreSubmitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, device.timeline(), slot.waitValue,
                               VK_PIPELINE_STAGE_2_COPY_BIT, 0};
    auto value = submitter.submit(slot.waitValue ? std::span(&wait, 1) : std::span<VkSemaphoreSubmitInfo>());
    REQUIRE(value);
    device.deferred().retire(*value, std::move(*staging));
    const uint64_t now = monotonicNs();
    mailbox.publish(slot.index, {sequence, now, now, *value});
}

/// The colour frame `sequence` is filled with (packed RGBA8, R in the low byte).
inline uint32_t sequenceColour(uint64_t sequence) {
    const uint32_t r = uint32_t(sequence * 37) & 0xff, g = uint32_t(sequence * 91 + 50) & 0xff,
                   b = uint32_t(255 - sequence * 13) & 0xff;
    return r | (g << 8) | (b << 16) | 0xff000000u;
}

/// A camera stand-in: publishes frame 1, 2, ... at `fps` (absolute deadlines on
/// CLOCK_MONOTONIC), each slot filled on the GPU with sequenceColour() and stamped with the
/// time its "exposure" started.
class Feeder {
public:
    Feeder(gpu::Device& device, present::Mailbox& mailbox, double fps) : device_(device), mailbox_(mailbox), fps_(fps) {}
    ~Feeder() { stop(); }

    void start() {
        thread_ = std::thread([this] { run(); });
    }
    void stop() {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }
    uint64_t published() const { return published_.load(); }
    bool failed() const { return failed_.load(); }

private:
    void run() {
        auto submitter = gpu::Submitter::create(device_);
        if (!submitter) {
            failed_ = true;
            return;
        }
        const uint64_t period = uint64_t(1e9 / fps_);
        uint64_t deadline = monotonicNs();
        for (uint64_t sequence = 1; !stop_; ++sequence) {
            const uint64_t sensorNs = monotonicNs();
            const auto slot = mailbox_.beginWrite();
            auto cmd = submitter->begin();
            if (!cmd) {
                failed_ = true;
                return;
            }
            device_.vk().vkCmdFillBuffer(*cmd, slot.buffer.buffer, 0, slot.buffer.range, sequenceColour(sequence));
            VkSemaphoreSubmitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, device_.timeline(),
                                       slot.waitValue, VK_PIPELINE_STAGE_2_CLEAR_BIT, 0};
            auto value = submitter->submit(slot.waitValue ? std::span(&wait, 1) : std::span<VkSemaphoreSubmitInfo>());
            if (!value) {
                failed_ = true;
                return;
            }
            mailbox_.publish(slot.index, {sequence, sensorNs, 0, *value});
            ++published_;
            deadline += period;
            timespec ts{time_t(deadline / 1'000'000'000ull), long(deadline % 1'000'000'000ull)};
            clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
        }
        (void)device_.waitTimeline(device_.lastTimelineValue());
    }

    gpu::Device& device_;
    present::Mailbox& mailbox_;
    double fps_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<bool> failed_{false};
    std::atomic<uint64_t> published_{0};
};

} // namespace rearview::test
