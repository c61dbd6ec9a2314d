// SPDX-License-Identifier: MIT
// GPU timestamps on the CPU's clock (gpu/gpu_clock.hpp): a span's start and end, converted,
// lie between the CPU times around its submission, and the two ways of finding the offset
// (calibrated timestamps, a measured submission) agree.
#include "core/clock.hpp"
#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "support/gpu_fixture.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;

namespace {
// Converted times may sit this far outside the CPU interval around the work: the clocks are
// sampled microseconds apart, and a CPU driver's timestamps are its own clock readings.
constexpr double kSlackNs = 1e6;
} // namespace

TEST_CASE("gpu clock: a span lies on the CPU timeline between submission and completion", "[gpu]") {
    gpu::Device& device = test::device();
    gpu::GpuClock& clock = device.clock();
    if (device.timestampPeriodNs() == 0)
        SKIP("the device's queue has no timestamps");
    INFO("clock source: " << gpu::toString(clock.source()));
    REQUIRE(clock.source() != gpu::GpuClockSource::None);

    auto buffer = gpu::Buffer::create(device, 64 << 20, VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::GpuOnly);
    REQUIRE(buffer);
    auto submitter = gpu::Submitter::create(device);
    REQUIRE(submitter);
    for (int i = 0; i < 3; ++i) {
        auto cmd = submitter->begin();
        REQUIRE(cmd);
        submitter->beginSpan("fill");
        device.vk().vkCmdFillBuffer(*cmd, buffer->get(), 0, VK_WHOLE_SIZE, 0x01020304u + uint32_t(i));
        submitter->endSpan();
        const uint64_t beforeNs = monotonicNs();
        auto value = submitter->submit();
        REQUIRE(value);
        REQUIRE(device.waitTimeline(*value));
        const uint64_t afterNs = monotonicNs();
        auto spans = submitter->spans(*value);
        REQUIRE(spans);
        REQUIRE(spans->size() == 1);
        const gpu::GpuSpan& span = spans->front();
        // Within the clock's own stated uncertainty (a measured offset's is its round trip, which
        // grows when other tests load the CPU) and the slack.
        const double slack = kSlackNs + double(clock.uncertaintyNs());
        INFO("span " << span.startNs << " + " << span.ms << " ms, CPU " << beforeNs << " .. " << afterNs
                     << ", clock uncertainty " << clock.uncertaintyNs() << " ns");
        CHECK(double(span.startNs) >= double(beforeNs) - slack);
        CHECK(double(span.startNs) + span.ms * 1e6 <= double(afterNs) + slack);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("gpu clock: calibrated and measured offsets agree within the measurement's width", "[gpu]") {
    gpu::Device& device = test::device();
    if (device.clock().source() != gpu::GpuClockSource::Calibrated)
        SKIP("the device has no calibrated timestamps (" << gpu::toString(device.clock().source()) << ")");
    gpu::GpuClock measured = gpu::GpuClock::measured(device);
    REQUIRE(measured.source() == gpu::GpuClockSource::MeasuredOffset);
    // Any tick value converts with each clock's offset; one from now keeps it realistic.
    const uint64_t ticks = uint64_t(double(monotonicNs()) / device.timestampPeriodNs());
    const double a = double(device.clock().toMonotonicNs(ticks));
    const double b = double(measured.toMonotonicNs(ticks));
    INFO("calibrated " << a << ", measured " << b << " ± " << measured.uncertaintyNs() << " ns");
    CHECK(std::abs(a - b) <= double(measured.uncertaintyNs()) + kSlackNs);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
