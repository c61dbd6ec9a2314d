// SPDX-License-Identifier: MIT
// The headless presenter (VK_EXT_headless_surface) paced by its own 120 Hz clock: frame
// pacing against a 30 fps feeder, and what it presents read back from the swapchain image
// against the blit's CPU reference.
#include "cpu/blit.hpp"
#include "present/presenter.hpp"
#include "present_support.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/portrait.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

TEST_CASE("Headless presenter: 5 s at 120 Hz fed at 30 fps shows every frame about 4 times, never a stale one",
          "[present]") {
    gpu::Device& device = test::device();
    auto mailbox = present::Mailbox::create(device, 904, 572);
    REQUIRE(mailbox);
    auto presenter = present::Presenter::create(device, **mailbox, {.kind = present::SurfaceKind::Headless});
    REQUIRE(presenter);
    INFO((*presenter)->describe());

    test::Feeder feeder(device, **mailbox, 30.0);
    const uint64_t start = monotonicNs();
    REQUIRE((*presenter)->start());
    feeder.start();
    // The feeder stops a few refreshes early so its last frame is shown before the end.
    sleepUntilNs(start + 4'900'000'000ull);
    feeder.stop();
    sleepUntilNs(start + 5'000'000'000ull);
    REQUIRE((*presenter)->stop());
    CHECK_FALSE(feeder.failed());

    const present::PresentStats s = (*presenter)->stats();
    UNSCOPED_INFO("presented " << s.presented << ", missed " << s.missedRefreshes << ", stale " << s.stale
                               << ", published " << s.framesPublished << ", shown " << s.framesShown << ", dropped "
                               << s.framesDropped << ", times shown mean " << s.timesShownMean << " (on screen " << s.refreshesOnScreenMean << ") max "
                               << s.timesShownMax << ", interval p50 " << s.presentIntervalP50Ms << " ms p99 "
                               << s.presentIntervalP99Ms << " ms, latency p50 " << s.latencyP50Ms << " ms p99 "
                               << s.latencyP99Ms << " ms, timing " << present::toString(s.timingSource)
                               << ", recreations " << s.swapchainRecreations);
    CHECK(s.presented + s.missedRefreshes >= 598);
    CHECK(s.presented + s.missedRefreshes <= 602);
    CHECK(s.stale == 0);
    CHECK(s.framesPublished == feeder.published());
    CHECK(s.framesPublished >= 140);
    CHECK(s.framesShown == s.framesPublished);
    CHECK(s.framesDropped == 0);
    // On the panel about four refreshes each: presents, plus refreshes a loaded machine missed
    // while the frame was current.
    CHECK(s.refreshesOnScreenMean >= 3.5);
    CHECK(s.refreshesOnScreenMean <= 4.5);
    CHECK(s.timesShownMean >= 1.0);
    CHECK(s.presentIntervalP50Ms > 7.3);
    CHECK(s.presentIntervalP50Ms < 9.3);
    CHECK(s.latencyP50Ms > 0);
    CHECK(s.timingSource == present::TimingSource::OwnClock); // lavapipe offers no present timing
    CHECK(s.swapchainRecreations == 0);
    CHECK(s.width == 904);
    CHECK(s.height == 572);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Headless presenter: the presented image is the blit of the newest frame (storage and copy paths)",
          "[present]") {
    gpu::Device& device = test::device();
    auto mailbox = present::Mailbox::create(device, 904, 572);
    REQUIRE(mailbox);
    auto submitter = gpu::Submitter::create(device);
    REQUIRE(submitter);
    const RgbaImage& portrait = test::portrait();

    struct Case {
        uint32_t width, height;
        bool storage;
    };
    for (Case c : {Case{904, 572, true}, Case{1000, 700, true}, Case{904, 572, false}, Case{1280, 600, false}}) {
        INFO(c.width << "x" << c.height << (c.storage ? " storage" : " copy"));
        auto presenter = present::Presenter::create(
            device, **mailbox,
            {.kind = present::SurfaceKind::Headless, .width = c.width, .height = c.height, .allowStorageImages = c.storage});
        REQUIRE(presenter);
        CHECK((*presenter)->stats().copyPath == !c.storage);
        REQUIRE((*presenter)->start());
        // Before the first frame: black.
        auto black = (*presenter)->capture();
        REQUIRE(black);
        // A frame published before may already be in the mailbox; only check black when none is.
        if (!black->hasFrame)
            CHECK(test::compare(black->image, cpu::Blit({}, c.width, c.height)).maxAbs == 0);

        static uint64_t sequence = 0;
        test::publishImage(device, *submitter, **mailbox, portrait, ++sequence);
        Result<present::Presenter::Capture> shot = std::unexpected(Error{});
        for (int i = 0; i < 20; ++i) { // until the frame is complete and taken
            shot = (*presenter)->capture();
            REQUIRE(shot);
            if (shot->hasFrame && shot->sequence == sequence)
                break;
        }
        REQUIRE(shot->sequence == sequence);
        const RgbaImage expected = cpu::Blit(portrait, c.width, c.height);
        const test::Difference d = test::compare(shot->image, expected);
        INFO(d.describe());
        const int tolerance = (c.width == 904 && c.height == 572) ? 0 : 1;
        if (d.maxAbs > tolerance)
            test::writeFailureImages("present_headless", shot->image, expected);
        CHECK(d.maxAbs <= tolerance);
        REQUIRE((*presenter)->stop());
        CHECK((*presenter)->stats().stale == 0);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Presenter options out of range are refused", "[present]") {
    auto mailbox = present::Mailbox::create(test::device(), 904, 572);
    REQUIRE(mailbox);
    auto bad = present::Presenter::create(test::device(), **mailbox, {.refreshHz = 0});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::InvalidArgument);
    auto empty = present::Presenter::create(test::device(), **mailbox, {.width = 0});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == ErrorCode::InvalidArgument);
}

TEST_CASE("Direct display on a device without displays is a clear error naming the device", "[present]") {
    auto mailbox = present::Mailbox::create(test::device(), 904, 572);
    REQUIRE(mailbox);
    auto p = present::Presenter::create(test::device(), **mailbox,
                                        {.kind = present::SurfaceKind::Display, .width = 904, .height = 572, .refreshHz = 120});
    if (p) {
        SKIP("this device drives a display directly: " << (*p)->describe());
    }
    INFO(p.error().describe());
    CHECK((p.error().code == ErrorCode::NotFound || p.error().code == ErrorCode::Unsupported));
    CHECK(p.error().message.find(test::gpu().info().name) != std::string::npos);
    CHECK(p.error().message.find("display") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
