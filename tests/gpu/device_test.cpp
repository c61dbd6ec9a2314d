// SPDX-License-Identifier: MIT
#include "gpu/buffer.hpp"
#include "gpu/device.hpp"
#include "gpu/submitter.hpp"
#include "harness/lut3d_runner.hpp"
#include "support/gpu_fixture.hpp"
#include "support/gradient_image.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <thread>

using namespace rearview;

TEST_CASE("The device reports what was chosen and why", "[gpu]") {
    const GpuInfo& info = test::gpu().info();
    CHECK_FALSE(info.name.empty());
    CHECK_FALSE(info.driverName.empty());
    CHECK_FALSE(info.whyChosen.empty());
    CHECK(info.apiVersion.starts_with("1."));
    REQUIRE_NO_VALIDATION_MESSAGES();
}

// Runs in its own process (CTest runs each test case alone), so it can create and drop
// contexts one after another without the shared test context.
TEST_CASE("Selecting a device by index and by name; unknown selectors list the devices", "[gpu]") {
    std::string name;
    uint32_t index = 0;
    {
        auto best = GpuContext::create({.validation = true, .device = {}, .applicationName = "t"});
        REQUIRE(best);
        name = best->info().name;
        index = best->info().index;
        CHECK(best->validationMessages() == 0);
    }
    {
        auto byIndex = GpuContext::create({.validation = true, .device = std::to_string(index), .applicationName = "t"});
        REQUIRE(byIndex);
        CHECK(byIndex->info().name == name);
        CHECK(byIndex->info().whyChosen.find("index") != std::string::npos);
        CHECK(byIndex->validationMessages() == 0);
    }
    {
        const std::string fragment = name.substr(0, 4);
        auto byName = GpuContext::create({.validation = true, .device = fragment, .applicationName = "t"});
        REQUIRE(byName);
        CHECK(byName->info().whyChosen.find(fragment) != std::string::npos);
        CHECK(byName->validationMessages() == 0);
    }
    auto missing = GpuContext::create({.validation = true, .device = "no-such-gpu-xyz", .applicationName = "t"});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK(missing.error().message.find("no-such-gpu-xyz") != std::string::npos);
    CHECK(missing.error().message.find(name) != std::string::npos);

    auto badIndex = GpuContext::create({.validation = true, .device = "99", .applicationName = "t"});
    REQUIRE_FALSE(badIndex);
    CHECK(badIndex.error().message.find("99") != std::string::npos);
}

TEST_CASE("Submissions signal the timeline, carry timestamps and retire objects after their last use", "[gpu]") {
    gpu::Device& dev = test::device();
    auto submitter = gpu::Submitter::create(dev, 2);
    REQUIRE(submitter);
    auto src = gpu::Buffer::create(dev, 1 << 20, VK_BUFFER_USAGE_TRANSFER_SRC_BIT, gpu::MemoryUse::Upload);
    auto dst = gpu::Buffer::create(dev, 1 << 20, VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::Readback);
    REQUIRE(src);
    REQUIRE(dst);
    std::memset(src->mapped(), 0x5a, 1 << 20);
    src->flush();

    auto cmd = submitter->begin();
    REQUIRE(cmd);
    submitter->beginSpan("copy");
    VkBufferCopy region{0, 0, 1 << 20};
    dev.vk().vkCmdCopyBuffer(*cmd, src->get(), dst->get(), 1, &region);
    submitter->endSpan();
    gpu::memoryBarrier(dev, *cmd, VK_PIPELINE_STAGE_2_TRANSFER_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = submitter->submit();
    REQUIRE(value);

    // The source is retired with the value of its last use: it must survive until then.
    dev.deferred().retire(*value, std::move(*src));
    CHECK(dev.deferred().pending() == 1);
    auto spans = submitter->spans(*value);
    REQUIRE(spans);
    CHECK(dev.completedTimelineValue() >= *value);
    if (dev.timestampPeriodNs() > 0) {
        REQUIRE(spans->size() == 1);
        CHECK((*spans)[0].name == "copy");
        CHECK((*spans)[0].ms >= 0.0);
    }
    dev.collectGarbage();
    CHECK(dev.deferred().pending() == 0);
    dst->invalidate();
    CHECK(std::to_integer<int>(dst->mapped()[12345]) == 0x5a);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

// Runs in its own process too. Each context has its own instance, device and function table
// (gpu::Device::vk()); the same stage on both, at once, gives the same image.
TEST_CASE("Two GpuContexts in one process work side by side", "[gpu]") {
    auto a = GpuContext::create({.validation = true, .device = {}, .applicationName = "first"});
    auto b = GpuContext::create({.validation = true, .device = {}, .applicationName = "second"});
    REQUIRE(a);
    REQUIRE(b);
    CHECK(deviceOf(*a).device() != deviceOf(*b).device());
    CHECK(&deviceOf(*a).vk() != &deviceOf(*b).vk());

    const RgbaImage in = test::gradientImage();
    CubeLut inverted = CubeLut::identity(17);
    for (float& v : inverted.rgb)
        v = 1.0f - v;

    RgbaImage outA, outB;
    const auto grade = [&](GpuContext& context, RgbaImage& out, Result<void>& done) {
        auto runner = stages::Lut3dRunner::create(deviceOf(context));
        if (!runner) {
            done = std::unexpected(runner.error());
            return;
        }
        if (done = runner->setLut(inverted); !done)
            return;
        for (int i = 0; i < 3 && done; ++i)
            done = runner->run(in, {.strength = 1.0f}, out);
    };
    Result<void> doneA, doneB;
    {
        std::jthread first([&] { grade(*a, outA, doneA); });
        std::jthread second([&] { grade(*b, outB, doneB); });
    }
    REQUIRE(doneA);
    REQUIRE(doneB);
    REQUIRE(outA.pixels.size() == in.pixels.size());
    CHECK(outA.pixels == outB.pixels);
    // The inverted LUT inverts (within a code value of rounding).
    const uint8_t* px = outA.row(100) + 150 * 4;
    CHECK(std::abs(int(px[0]) - (255 - int(in.row(100)[150 * 4]))) <= 1);
    CHECK(a->validationMessages() == 0);
    CHECK(b->validationMessages() == 0);
}
