// SPDX-License-Identifier: MIT
// SyntheticSource: pre-filled buffers handed out in turn, reused only once released, at a
// chosen rate with slot timestamps on CLOCK_MONOTONIC; bad options are clear errors.
#include "core/clock.hpp"
#include "capture/synthetic_source.hpp"
#include "core/image_file.hpp"
#include "core/test_patterns.hpp"

#include <catch2/catch_test_macros.hpp>

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

SyntheticSource make(SyntheticSourceOptions options) {
    auto source = SyntheticSource::create(std::move(options));
    if (!source) FAIL(source.error().describe());
    return std::move(*source);
}

CapturedFrame take(SyntheticSource& source, std::chrono::milliseconds timeout = 1s) {
    auto frame = source.nextFrame(timeout);
    if (!frame) FAIL(frame.error().describe());
    if (!frame->has_value()) FAIL("no frame within " << timeout.count() << " ms");
    return std::move(**frame);
}

/// The error of creating a source with `options`, failing the test when creation succeeds.
Error errorOf(SyntheticSourceOptions options) {
    auto source = SyntheticSource::create(std::move(options));
    if (source) FAIL("creation succeeded");
    return source.error();
}

bool mentions(const Error& e, const std::string& text) {
    INFO(e.describe());
    return e.message.find(text) != std::string::npos;
}

} // namespace

TEST_CASE("A synthetic source hands out its pre-filled buffers in turn, in order, on CLOCK_MONOTONIC", "[unit]") {
    const ColorSpace bt709{YcbcrMatrix::Bt709, YcbcrRange::Limited};
    SyntheticSource source = make({.width = 640, .height = 480, .bufferCount = 3, .pattern = SyntheticPattern::Noise,
                                   .seed = 9, .colorSpace = bt709});
    const FrameFormat format = source.format();
    CHECK(format.width == 640);
    CHECK(format.height == 480);
    CHECK(format.stride == 640);
    CHECK(format.uvOffset == 640u * 480);
    CHECK(format.colorSpace == bt709);
    CHECK(source.bufferCount() == 3);

    // Each buffer holds the pattern it was filled with (noise: one seed per buffer).
    std::vector<std::vector<uint8_t>> expected;
    for (uint32_t i = 0; i < 3; ++i) {
        Nv12Image image(640, 480, 640, bt709);
        patterns::fillNoise(image, 9 + i);
        expected.emplace_back(image.bytes().begin(), image.bytes().end());
        CHECK(std::ranges::equal(source.bufferContents(i), expected.back()));
    }

    std::vector<uint64_t> ids, stamps;
    for (uint64_t n = 0; n < 7; ++n) {
        const uint64_t before = monotonicNs();
        CapturedFrame frame = take(source);
        const uint64_t after = monotonicNs();
        CHECK(frame.sequence == n);
        CHECK(frame.width == 640);
        CHECK(frame.height == 480);
        CHECK(frame.stride == 640);
        CHECK(frame.uvOffset == 640u * 480);
        CHECK(frame.colorSpace == bt709);
        CHECK(frame.timestampFromSensor);
        CHECK(frame.timestampNs >= before);
        CHECK(frame.timestampNs <= after);
        REQUIRE(frame.memory != nullptr);
        CHECK(frame.memory->fd >= 0); // allocated like camera buffers
        CHECK(frame.memory->kind != BufferKind::Heap);
        CHECK(std::memcmp(frame.memory->data, expected[n % 3].data(), expected[n % 3].size()) == 0);
        ids.push_back(frame.memory->id);
        stamps.push_back(frame.timestampNs);
    } // each frame is dropped at once, so its buffer goes back to the end of the line
    CHECK(std::set<uint64_t>(ids.begin(), ids.end()).size() == 3);
    for (size_t i = 3; i < ids.size(); ++i) CHECK(ids[i] == ids[i - 3]);
    CHECK(std::ranges::is_sorted(stamps));

    const SyntheticStats stats = source.stats();
    CHECK(stats.framesDelivered == 7);
    CHECK(stats.framesWaitedForBuffer == 0);
    CHECK(stats.bufferTimeouts == 0);
    CHECK(stats.buffersHeld == 0);
    CHECK_FALSE(stats.bufferDescription.empty());
}

TEST_CASE("A buffer is reused only after its frame is released; with all held, nextFrame waits then times out",
          "[unit]") {
    auto source = std::make_optional(make({.width = 256, .height = 128, .bufferCount = 2}));
    CapturedFrame a = take(*source);
    CapturedFrame b = take(*source);
    CHECK(source->stats().buffersHeld == 2);

    const auto t0 = Clock::now();
    auto none = source->nextFrame(60ms);
    const auto waited = Clock::now() - t0;
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    CHECK(waited >= 55ms);
    CHECK(waited < 1s);
    CHECK(source->stats().bufferTimeouts == 1);
    CHECK(source->stats().framesDelivered == 2);

    // Released from another thread while the consumer waits: that buffer comes next.
    const uint64_t aBuffer = a.memory->id;
    std::jthread releaser([frame = std::move(a)]() mutable {
        std::this_thread::sleep_for(30ms);
        frame = {};
    });
    CapturedFrame c = take(*source, 2s);
    CHECK(c.memory->id == aBuffer);
    CHECK(c.sequence == 2);
    CHECK(source->stats().framesWaitedForBuffer == 1);

    // Frames stay valid after the source is gone; releasing them then is harmless.
    const std::vector<uint8_t> before(b.memory->data, b.memory->data + b.memory->size);
    source.reset();
    CHECK(std::memcmp(before.data(), b.memory->data, before.size()) == 0);
    b = {};
    c = {};
}

TEST_CASE("Frames come at the chosen rate, stamped with their slot time; a slow consumer misses slots", "[unit]") {
    constexpr double rate = 100.0;
    constexpr uint64_t periodNs = 10'000'000;
    SyntheticSource source = make({.width = 64, .height = 64, .frameRate = rate, .bufferCount = 2});
    const auto t0 = Clock::now();
    std::vector<uint64_t> stamps;
    for (int i = 0; i < 15; ++i) stamps.push_back(take(source).timestampNs);
    const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();

    // Slot times: whole periods apart (a skipped slot, on a busy machine, is counted).
    uint64_t slots = 0;
    for (size_t i = 1; i < stamps.size(); ++i) {
        const uint64_t d = stamps[i] - stamps[i - 1];
        const uint64_t n = (d + periodNs / 2) / periodNs;
        CHECK(n >= 1);
        CHECK(d > n * periodNs - 1000); // rounding of the slot time to whole nanoseconds
        CHECK(d < n * periodNs + 1000);
        slots += n;
    }
    CHECK(source.stats().slotsMissed == slots - (stamps.size() - 1));
    CHECK(seconds >= 0.9 * double(slots) / rate); // paced: no faster than the rate

    // A consumer that comes late gets the newest slot, not a backlog.
    const uint64_t missedBefore = source.stats().slotsMissed;
    std::this_thread::sleep_for(55ms);
    const uint64_t asked = monotonicNs();
    CapturedFrame late = take(source);
    CHECK(late.timestampNs <= asked);
    CHECK(asked - late.timestampNs < periodNs);
    CHECK(source.stats().slotsMissed >= missedBefore + 4);
    const uint64_t offSlot = (late.timestampNs - stamps.back()) % periodNs;
    CHECK((offSlot < 1000 || offSlot > periodNs - 1000));

    // The next slot is further away than the timeout: no frame, and no buffer used up.
    SyntheticSource slow = make({.width = 64, .height = 64, .frameRate = 2.0, .bufferCount = 1});
    CapturedFrame first = take(slow);
    first = {};
    auto none = slow.nextFrame(10ms);
    REQUIRE(none);
    CHECK_FALSE(none->has_value());
    CHECK(slow.stats().buffersHeld == 0);
    CHECK(slow.stats().bufferTimeouts == 0);
    CHECK(take(slow, 1s).sequence == 1);
}

TEST_CASE("An image file is shown as NV12 in the chosen colour space", "[unit]") {
    const std::string path = std::string(REARVIEW_ASSETS_DIR) + "/astronaut.png";
    const ColorSpace cs{YcbcrMatrix::Bt2020, YcbcrRange::Full};
    SyntheticSource source = make({.width = 320, .height = 240, .stride = 384, .bufferCount = 2, .imagePath = path,
                                   .colorSpace = cs});
    auto image = readImageNv12(path, 320, 240, 384, cs);
    REQUIRE(image);
    CapturedFrame frame = take(source);
    CHECK(frame.colorSpace == cs);
    CHECK(frame.stride == 384);
    CHECK(std::memcmp(frame.memory->data, image->bytes().data(), image->bytes().size()) == 0);
}

TEST_CASE("Bad synthetic source options are errors that name the value", "[unit]") {
    auto invalid = [](SyntheticSourceOptions o, const std::string& text) {
        const Error e = errorOf(std::move(o));
        CHECK(e.code == ErrorCode::InvalidArgument);
        CHECK(mentions(e, text));
    };
    invalid({.width = 0, .height = 480}, "0x480");
    invalid({.width = 640, .height = 0}, "640x0");
    invalid({.width = 641, .height = 480}, "641x480");
    invalid({.width = 640, .height = 481}, "640x481");
    invalid({.width = 640, .height = 480, .stride = 600}, "stride 600 is less than the width 640");
    invalid({.width = 640, .height = 480, .stride = 642}, "stride 642 is not a multiple of 4");
    invalid({.width = 640, .height = 480, .bufferCount = 0}, "bufferCount 0");
    invalid({.width = 640, .height = 480, .frameRate = -5}, "frameRate -5");
    invalid({.width = 640, .height = 480, .frameRate = std::nan("")}, "frameRate nan");

    const auto dir = std::filesystem::temp_directory_path() / "rearview-synthetic-test";
    std::filesystem::create_directories(dir);
    const std::string missing = (dir / "no-such-image.png").string();
    const Error notFound = errorOf({.width = 64, .height = 64, .imagePath = missing});
    CHECK(notFound.code == ErrorCode::NotFound);
    CHECK(mentions(notFound, missing));

    const std::string garbage = (dir / "not-an-image.png").string();
    std::ofstream(garbage) << "this is not a PNG";
    const Error parse = errorOf({.width = 64, .height = 64, .imagePath = garbage});
    CHECK(parse.code == ErrorCode::Parse);
    CHECK(mentions(parse, garbage));

    const Error directory = errorOf({.width = 64, .height = 64, .imagePath = dir.string()});
    CHECK(directory.code == ErrorCode::NotFound);
    std::filesystem::remove_all(dir);
}
