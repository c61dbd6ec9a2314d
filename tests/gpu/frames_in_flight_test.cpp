// SPDX-License-Identifier: MIT
// Frame lifetime: a captured frame goes back to its source only once the GPU work reading it
// has completed, and no more than the bound are in flight. GPU work is held back by a
// timeline semaphore only the test signals, so "not yet" is certain rather than a race.
#include "capture/synthetic_source.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/frames_in_flight.hpp"
#include "gpu/submitter.hpp"
#include "support/gpu_fixture.hpp"
#include "support/plane_row_sums.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <memory>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

/// A timeline semaphore the GPU waits on until the test opens it. Opens itself and waits for
/// the work behind it on destruction, so a failed REQUIRE never leaves the queue stuck.
class Gate {
public:
    explicit Gate(gpu::Device& device) : device_(device) {
        VkSemaphoreTypeCreateInfo type{VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO};
        type.semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE;
        VkSemaphoreCreateInfo info{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, &type};
        VkSemaphore semaphore = VK_NULL_HANDLE;
        REQUIRE(device.vk().vkCreateSemaphore(device.device(), &info, nullptr, &semaphore) == VK_SUCCESS);
        semaphore_ = device.own(semaphore);
        wait_ = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
        wait_.semaphore = semaphore;
        wait_.value = 1;
        wait_.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    }
    ~Gate() {
        open();
        (void)device_.waitTimeline(device_.lastTimelineValue());
    }
    /// For Submitter::submit(): the submission waits until open().
    std::span<const VkSemaphoreSubmitInfo> wait() const { return {&wait_, 1}; }
    void open() {
        if (opened_) return;
        opened_ = true;
        VkSemaphoreSignalInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SIGNAL_INFO};
        signal.semaphore = semaphore_.get();
        signal.value = 1;
        REQUIRE(device_.vk().vkSignalSemaphore(device_.device(), &signal) == VK_SUCCESS);
    }

private:
    gpu::Device& device_;
    gpu::Owned<VkSemaphore> semaphore_;
    VkSemaphoreSubmitInfo wait_{};
    bool opened_ = false;
};

/// `frame` with its release wrapped so the test sees when the last holder dropped it.
CapturedFrame tracked(CapturedFrame frame, std::shared_ptr<std::atomic<bool>>& released) {
    released = std::make_shared<std::atomic<bool>>(false);
    std::shared_ptr<void> inner = std::move(frame.release);
    void* raw = inner.get();
    frame.release = std::shared_ptr<void>(raw, [inner = std::move(inner), flag = released](void*) mutable {
        inner.reset(); // gives the buffer back to the source first
        *flag = true;
    });
    return frame;
}

SyntheticSource makeSource(uint32_t buffers) {
    auto source = SyntheticSource::create(
        {.width = 320, .height = 240, .stride = 384, .bufferCount = buffers, .pattern = SyntheticPattern::Noise});
    REQUIRE(source);
    return std::move(*source);
}

CapturedFrame next(SyntheticSource& source) {
    auto frame = source.nextFrame(1s);
    REQUIRE(frame);
    REQUIRE(frame->has_value());
    return std::move(**frame);
}

} // namespace

TEST_CASE("A frame goes back to its source only after the GPU work reading it has completed", "[gpu]") {
    gpu::Device& dev = test::device();
    SyntheticSource source = makeSource(3);
    test::ImportRig rig(dev, 4, 2);
    auto& [importer, submitter, inFlight] = rig;
    test::GpuPlaneRowSums sums(dev, *submitter, 240);
    {
        Gate gate(dev);
        std::shared_ptr<std::atomic<bool>> released;
        CapturedFrame frame = tracked(next(source), released);
        const std::vector<uint32_t> expected = test::cpuPlaneRowSums(frame);
        const uint64_t value = sums.submit(*importer, frame, gate.wait());
        REQUIRE(inFlight->hold(std::move(frame), value));
        CHECK(inFlight->size() == 1);

        // The GPU cannot finish before the gate opens, however long we give it.
        std::this_thread::sleep_for(50ms);
        CHECK(dev.completedTimelineValue() < value);
        CHECK(inFlight->collect() == 0);
        CHECK_FALSE(*released);
        CHECK(source.stats().buffersHeld == 1);

        gate.open();
        REQUIRE(dev.waitTimeline(value));
        CHECK(inFlight->collect() == 1);
        CHECK(*released);
        CHECK(inFlight->size() == 0);
        CHECK(source.stats().buffersHeld == 0);
        CHECK(sums.read() == expected); // and it read the frame's bytes
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Frames in flight are bounded: past the bound the oldest frame's GPU work is waited for", "[gpu]") {
    gpu::Device& dev = test::device();
    SyntheticSource source = makeSource(4);
    test::ImportRig rig(dev, 6, 2);
    auto& [importer, submitter, inFlight] = rig;
    CHECK(gpu::FramesInFlight::create(dev, 0).error().code == ErrorCode::InvalidArgument);
    test::GpuPlaneRowSums sums(dev, *submitter, 240);
    {
        Gate gate(dev);
        std::shared_ptr<std::atomic<bool>> released[4];
        uint64_t values[4] = {};
        for (int i = 0; i < 2; ++i) {
            CapturedFrame frame = tracked(next(source), released[i]);
            values[i] = sums.submit(*importer, frame, gate.wait());
            REQUIRE(inFlight->hold(std::move(frame), values[i]));
        }
        CHECK(inFlight->size() == 2);
        CHECK(inFlight->boundWaits() == 0);

        // A third frame while the GPU is held back: the wait for the oldest times out, the
        // frame is held all the same and nothing is given back early.
        CapturedFrame third = tracked(next(source), released[2]);
        values[2] = sums.submit(*importer, third, gate.wait());
        auto over = inFlight->hold(std::move(third), values[2], 20ms);
        REQUIRE_FALSE(over);
        CHECK(over.error().message.find("at most 2") != std::string::npos);
        CHECK(inFlight->size() == 3);
        CHECK(inFlight->boundWaits() == 1);
        for (int i = 0; i < 3; ++i) CHECK_FALSE(*released[i]);
        CHECK(source.stats().buffersHeld == 3);

        // Once the GPU may go on, the next hold() waits for the oldest work and drops the
        // frames down to the bound, oldest first.
        gate.open();
        CapturedFrame fourth = tracked(next(source), released[3]);
        values[3] = sums.submit(*importer, fourth);
        REQUIRE(inFlight->hold(std::move(fourth), values[3]));
        CHECK(inFlight->size() <= 2);
        CHECK(*released[0]);
        CHECK(*released[1]);
        CHECK(dev.completedTimelineValue() >= values[1]);
        // It waited unless the released work had already completed by then (a fast GPU).
        CHECK(inFlight->boundWaits() >= 1);
        CHECK(inFlight->boundWaits() <= 2);

        REQUIRE(inFlight->drain());
        CHECK(inFlight->size() == 0);
        for (auto& r : released) CHECK(*r);
        CHECK(source.stats().buffersHeld == 0);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Synthetic frames import like camera frames: no copy, and the GPU reads what the buffers hold", "[gpu]") {
    gpu::Device& dev = test::device();
    auto source = SyntheticSource::create({.width = 1024, .height = 768, .stride = 1088, .bufferCount = 3,
                                           .pattern = SyntheticPattern::Noise, .seed = 5});
    REQUIRE(source);
    test::ImportRig rig(dev, 3, 2);
    auto& [importer, submitter, inFlight] = rig;
    test::GpuPlaneRowSums sums(dev, *submitter, 768);
    INFO("buffers: " << source->stats().bufferDescription);
    for (int i = 0; i < 6; ++i) {
        auto frame = source->nextFrame(1s);
        REQUIRE(frame);
        REQUIRE(frame->has_value());
        const std::vector<uint32_t> expected = test::cpuPlaneRowSums(**frame);
        const uint64_t value = sums.submit(*importer, **frame);
        CHECK(importer->stats().lastPath != gpu::ImportPath::StagingCopy);
        CHECK(importer->stats().bytesCopiedLastFrame == 0);
        REQUIRE(inFlight->hold(std::move(**frame), value));
        REQUIRE(dev.waitTimeline(value));
        CHECK(sums.read() == expected);
    }
    CHECK(importer->stats().imports == 3); // once per buffer, then cached
    REQUIRE(inFlight->drain());
    REQUIRE_NO_VALIDATION_MESSAGES();
}
