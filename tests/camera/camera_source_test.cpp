// SPDX-License-Identifier: MIT
// CameraSource against libcamera's virtual camera with the project's rig. Each TEST_CASE runs
// in its own process (CTest), so each starts its own libcamera CameraManager.
#include "camera_test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace rearview;
using namespace rearview::test;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

uint64_t nowMonotonicNs() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

CameraSource open(CameraSourceOptions options) {
    auto source = CameraSource::create(std::move(options));
    if (!source) FAIL(source.error().describe());
    return std::move(*source);
}

/// Captures `count` frames at `size`, checks each (content, layout, order), returns frames/s.
double captureAndCheck(const std::string& id, FrameSize size, size_t count, double frameRate) {
    const Clock::time_point opening = Clock::now();
    CameraSource source = open({.cameraId = id, .size = size, .frameRate = frameRate});
    const double openSeconds = secondsSince(opening);
    const CameraStreamInfo& stream = source.stream();
    CHECK(stream.width == size.width);
    CHECK(stream.height == size.height);
    CHECK(stream.stride >= stream.width);
    CHECK(stream.adjustment.empty());
    CHECK(stream.bufferCount >= 2);
    // The virtual camera reports no colour space: the documented default applies.
    if (!stream.colorSpaceFromCamera) CHECK(stream.colorSpace == ColorSpace{YcbcrMatrix::Bt601, YcbcrRange::Full});

    REQUIRE(source.start());
    std::vector<uint64_t> sequences, timestamps;
    Clock::time_point first{};
    size_t distinctContent = 0;
    uint64_t previousChecksum = 0;
    for (size_t i = 0; i < count; ++i) {
        CapturedFrame frame = takeFrame(source, 10s);
        if (i == 0) first = Clock::now();
        REQUIRE(frame.memory != nullptr);
        REQUIRE(frame.memory->data != nullptr);
        CHECK(frame.width == size.width);
        CHECK(frame.height == size.height);
        CHECK(frame.uvOffset == size_t(frame.stride) * frame.height);
        REQUIRE(frame.uvOffset + size_t(frame.stride) * frame.height / 2 <= frame.memory->size);
        const uint8_t* y = frame.memory->data;
        const uint8_t* uv = y + frame.uvOffset;
        // Content: not all zero in either plane (sampled across the whole plane).
        CHECK(nonZeroSamples(y, size_t(frame.stride) * frame.height) > 0);
        CHECK(nonZeroSamples(uv, size_t(frame.stride) * frame.height / 2) > 0);
        uint64_t checksum = 0;
        for (size_t off = 0; off < size_t(frame.stride) * frame.height; off += 997) checksum = checksum * 31 + y[off];
        distinctContent += (i == 0 || checksum != previousChecksum);
        previousChecksum = checksum;
        CHECK(frame.timestampNs <= nowMonotonicNs());
        sequences.push_back(frame.sequence);
        timestamps.push_back(frame.timestampNs);
    }
    const double seconds = secondsSince(first);
    const CameraStats stats = source.stats();
    source.stop();

    CHECK(sequences.front() == 0);
    CHECK(std::is_sorted(sequences.begin(), sequences.end()));
    CHECK(std::adjacent_find(sequences.begin(), sequences.end()) == sequences.end());
    CHECK(std::adjacent_find(timestamps.begin(), timestamps.end(), std::greater_equal<>()) == timestamps.end());
    CHECK(stats.frameErrors == 0);
    CHECK(stats.framesDelivered >= count);
    CHECK_FALSE(stats.bufferDescription.empty());
    const double fps = double(count - 1) / seconds;
    measure("{} {}x{} NV12 (target {} fps): open+configure {:.2f} s, {} frames at {:.1f} frames/s, {} distinct, "
            "buffers: {} x {:.1f} MB {}, sensor timestamps: {}, FrameDurationLimits set: {}",
            id, size.width, size.height, frameRate, openSeconds, count, fps, distinctContent, stream.bufferCount,
            double(stream.bufferSize) / (1 << 20), stats.bufferDescription,
            stats.timestampFallbacks == 0 ? "yes" : "no (completion time)", stream.frameDurationLimitsSet);
    return fps;
}

} // namespace

TEST_CASE("main delivers 50 MP frames with content, in order", "[camera][slow]") {
    captureAndCheck("main", kFull, 12, 30.0);
}

TEST_CASE("ultrawide delivers 50 MP frames with content, in order", "[camera][slow]") {
    captureAndCheck("ultrawide", kFull, 10, 30.0);
}

TEST_CASE("At 2040x1530 requeues are paced to the target frame rate", "[camera]") {
    for (const char* id : {"main", "ultrawide"}) {
        const double paced = captureAndCheck(id, kQuarter, 31, 30.0);
        CHECK(paced > 20.0); // generous: two cores shared with whatever else runs
        CHECK(paced < 31.5);
        const double unpaced = captureAndCheck(id, kQuarter, 31, 0.0);
        CHECK(unpaced > paced);
    }
}

TEST_CASE("Switching main -> ultrawide -> main while streaming keeps the last frame and reports the time",
          "[camera][slow]") {
    EventLog events;
    CameraSource source = open({.cameraId = "main", .size = kFull, .frameRate = 30.0, .onEvent = events.callback()});
    REQUIRE(source.start());
    uint64_t lastSequence = 0;
    for (const char* next : {"ultrawide", "main"}) {
        INFO("switching to " << next);
        CapturedFrame held;
        for (int i = 0; i < 3; ++i) held = takeFrame(source, 10s);
        const uint8_t* heldData = held.memory->data;
        const size_t probeBytes = 1 << 20;
        std::vector<uint8_t> before(heldData, heldData + probeBytes);
        const uint64_t heldBuffer = held.memory->id;
        const std::string from = source.stream().cameraId;

        REQUIRE(source.switchCamera(next));
        CHECK(source.stream().cameraId == next);
        CHECK(source.streaming());

        // Frames keep coming; the first ones may still be the old camera's queued frames.
        bool sawNewCamera = false;
        for (int i = 0; i < 12 && !sawNewCamera; ++i) {
            CapturedFrame frame = takeFrame(source, 15s);
            CHECK(frame.sequence > lastSequence);
            lastSequence = frame.sequence;
            sawNewCamera = source.stats().lastSwitch.has_value() && source.stats().lastSwitch->to == next &&
                           frame.memory->id != heldBuffer;
        }
        CHECK(sawNewCamera);
        // The frame held across the switch is untouched and still readable.
        CHECK(std::memcmp(before.data(), heldData, probeBytes) == 0);
        held = {};

        const CameraStats stats = source.stats();
        REQUIRE(stats.lastSwitch.has_value());
        CHECK(stats.lastSwitch->from == from);
        CHECK(stats.lastSwitch->to == next);
        CHECK(stats.lastSwitch->totalMs > 0);
        CHECK(stats.lastSwitch->totalMs >= stats.lastSwitch->stopMs + stats.lastSwitch->openMs);
        CHECK(stats.frameErrors == 0);
        // Every buffer but the held one (and any still queued) moves to the new camera.
        CHECK(stats.lastSwitch->buffersReused >= 1);
        measure("switch {} -> {} at 8160x6120: {:.0f} ms (stop {:.0f}, open+configure+allocate {:.0f}, start to first "
                "frame {:.0f}; {} of {} buffers reused)",
                from, next, stats.lastSwitch->totalMs, stats.lastSwitch->stopMs, stats.lastSwitch->openMs,
                stats.lastSwitch->firstFrameMs, stats.lastSwitch->buffersReused, source.stream().bufferCount);
    }
    const CameraStats stats = source.stats();
    CHECK(stats.switches == 2);
    CHECK(stats.frameErrors == 0);
    CHECK(events.count(CameraEvent::Kind::Switched) == 2);
    CHECK(events.count(CameraEvent::Kind::Disconnected) == 0);
}

TEST_CASE("A prepared camera or one kept open switches with a stop and a start", "[camera][slow]") {
    CameraSource source =
        open({.cameraId = "main", .size = kFull, .frameRate = 30.0, .keepPreviousOpen = true});
    REQUIRE(source.start());
    takeFrame(source, 10s);
    // Opening the other camera does not interrupt this one.
    const Clock::time_point preparing = Clock::now();
    REQUIRE(source.prepareCamera("ultrawide"));
    const double prepareMs = secondsSince(preparing) * 1000;
    takeFrame(source, 10s);
    CHECK(source.stream().cameraId == "main");
    CHECK(source.prepareCamera("main").error().code == ErrorCode::InvalidArgument);

    for (const char* next : {"ultrawide", "main", "ultrawide"}) {
        INFO("switching to " << next);
        REQUIRE(source.switchCamera(next));
        CapturedFrame frame;
        for (int i = 0; i < 6 && !(source.stats().lastSwitch && source.stats().lastSwitch->to == next); ++i)
            frame = takeFrame(source, 10s);
        const CameraStats stats = source.stats();
        REQUIRE(stats.lastSwitch.has_value());
        CHECK(stats.lastSwitch->to == next);
        CHECK(stats.lastSwitch->prepared);
        CHECK(stats.lastSwitch->openMs < 50);
        CHECK(stats.frameErrors == 0);
        measure("prepared switch {} -> {} at 8160x6120: {:.0f} ms (stop {:.0f}, start to first frame {:.0f}); "
                "preparing ultrawide took {:.0f} ms while main streamed",
                stats.lastSwitch->from, next, stats.lastSwitch->totalMs, stats.lastSwitch->stopMs,
                stats.lastSwitch->firstFrameMs, prepareMs);
    }
}

TEST_CASE("Switching to a camera that does not exist leaves the current one streaming", "[camera]") {
    CameraSource source = open({.cameraId = "main", .size = kQuarter});
    REQUIRE(source.start());
    takeFrame(source, 5s);
    auto result = source.switchCamera("tele");
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == ErrorCode::NotFound);
    CHECK(result.error().message.find("'tele'") != std::string::npos);
    CHECK(result.error().message.find("main, ultrawide") != std::string::npos);
    CHECK(source.stream().cameraId == "main");
    takeFrame(source, 5s);
}

TEST_CASE("An unknown camera id is NotFound and the message lists the cameras", "[camera]") {
    auto source = CameraSource::create({.cameraId = "front-selfie"});
    REQUIRE_FALSE(source.has_value());
    CHECK(source.error().code == ErrorCode::NotFound);
    CHECK(source.error().message.find("'front-selfie'") != std::string::npos);
    CHECK(source.error().message.find("main") != std::string::npos);
    CHECK(source.error().message.find("ultrawide") != std::string::npos);

    auto noId = CameraSource::create({});
    REQUIRE_FALSE(noId.has_value());
    CHECK(noId.error().message.find("main, ultrawide") != std::string::npos);
}

TEST_CASE("A size the camera does not offer is adjusted, and the message says from what to what", "[camera]") {
    {
        CameraSource source = open({.cameraId = "main", .size = {1000, 1000}});
        const CameraStreamInfo& stream = source.stream();
        CHECK(stream.width == 8160);
        CHECK(stream.height == 6120);
        CHECK(stream.adjustment == "requested NV12 1000x1000, camera 'main' adjusted it to NV12 8160x6120");
    }
    {
        auto strict = CameraSource::create({.cameraId = "ultrawide", .size = {1000, 1000}, .allowAdjustedSize = false});
        REQUIRE_FALSE(strict.has_value());
        CHECK(strict.error().code == ErrorCode::InvalidArgument);
        CHECK(strict.error().message.find("requested NV12 1000x1000") != std::string::npos);
        CHECK(strict.error().message.find("adjusted it to NV12 8160x6120") != std::string::npos);
        CHECK(strict.error().message.find("8160x6120, 4080x3060, 2040x1530") != std::string::npos);
    }
    {
        auto half = CameraSource::create({.cameraId = "ultrawide", .size = {1000, 0}});
        REQUIRE_FALSE(half.has_value());
        CHECK(half.error().code == ErrorCode::InvalidArgument);
        CHECK(half.error().message.find("1000x0") != std::string::npos);
    }
    {
        // An exact size is taken as it is, at the tight stride the camera writes with.
        CameraSource source = open({.cameraId = "ultrawide", .size = kHalf, .allowAdjustedSize = false});
        CHECK(source.stream().width == 4080);
        CHECK(source.stream().stride == 4080);
        CHECK(source.stream().adjustment.empty());
    }
}

TEST_CASE("A camera can be open in one source at a time", "[camera]") {
    CameraSource first = open({.cameraId = "ultrawide", .size = kQuarter});
    auto second = CameraSource::create({.cameraId = "ultrawide", .size = kQuarter});
    REQUIRE_FALSE(second.has_value());
    CHECK(second.error().message.find("another CameraSource or process has it open") != std::string::npos);
    // The other camera is free.
    CHECK(CameraSource::create({.cameraId = "main", .size = kQuarter}).has_value());
}

TEST_CASE("Stopping while streaming keeps held frames valid; the camera can be restarted and reopened",
          "[camera]") {
    EventLog events;
    std::vector<uint8_t> snapshot;
    CapturedFrame survivor;
    {
        CameraSource source =
            open({.cameraId = "ultrawide", .size = kQuarter, .frameRate = 60.0, .onEvent = events.callback()});
        REQUIRE(source.start());
        CapturedFrame held = takeFrame(source, 5s);
        snapshot.assign(held.memory->data, held.memory->data + held.memory->size);

        source.stop(); // while the camera is producing
        CHECK_FALSE(source.streaming());
        CHECK(events.count(CameraEvent::Kind::Stopped) == 1);
        auto after = source.nextFrame(100ms);
        REQUIRE_FALSE(after.has_value());
        CHECK(after.error().message.find("not streaming") != std::string::npos);
        CHECK(std::memcmp(snapshot.data(), held.memory->data, snapshot.size()) == 0);

        REQUIRE(source.start()); // resume: the held buffer stays out of rotation
        for (int i = 0; i < 5; ++i) CHECK(takeFrame(source, 5s).memory != held.memory);
        survivor = std::move(held);
        // Destroyed while streaming and while `survivor` is held.
    }
    CHECK(std::memcmp(snapshot.data(), survivor.memory->data, snapshot.size()) == 0);

    CameraSource reopened = open({.cameraId = "ultrawide", .size = kQuarter});
    REQUIRE(reopened.start());
    for (int i = 0; i < 3; ++i) takeFrame(reopened, 5s);
    survivor = {};
    takeFrame(reopened, 5s);
}

TEST_CASE("A disconnected camera is reported, nothing crashes, and it can be reopened", "[camera]") {
    EventLog events;
    std::optional<CameraSource> source = open({.cameraId = "main", .size = kQuarter, .onEvent = events.callback()});
    REQUIRE(source->start());
    CapturedFrame held = takeFrame(*source, 5s);

    source->simulateDisconnect();
    CHECK(events.count(CameraEvent::Kind::Disconnected) == 1);
    // Frames already queued may still come; then the loss is reported.
    Error lost;
    for (int i = 0; i < 10; ++i) {
        auto next = source->nextFrame(2s);
        if (!next) {
            lost = next.error();
            break;
        }
    }
    CHECK(lost.code == ErrorCode::DeviceLost);
    CHECK(lost.message.find("'main' was disconnected") != std::string::npos);
    CHECK(nonZeroSamples(held.memory->data, held.memory->size) > 0);
    auto restart = source->start();
    REQUIRE_FALSE(restart.has_value());
    CHECK(restart.error().code == ErrorCode::DeviceLost);

    source.reset(); // stops and releases the camera; `held` stays valid
    CHECK(nonZeroSamples(held.memory->data, held.memory->size) > 0);
    source = open({.cameraId = "main", .size = kQuarter});
    REQUIRE(source->start());
    takeFrame(*source, 5s);
}

TEST_CASE("A frame's buffer is requeued only when the consumer drops it", "[camera]") {
    CameraSource source =
        open({.cameraId = "main", .size = kQuarter, .frameRate = 0.0, .bufferCount = 3, .queueDepth = 3});
    REQUIRE(source.stream().bufferCount == 3);
    REQUIRE(source.start());
    std::vector<CapturedFrame> held;
    for (int i = 0; i < 3; ++i) held.push_back(takeFrame(source, 5s));
    // Every buffer is with the consumer: nothing can complete.
    auto none = source.nextFrame(300ms);
    REQUIRE(none.has_value());
    CHECK_FALSE(none->has_value());
    const uint64_t deliveredWhileHeld = source.stats().framesDelivered;

    const BufferMemory* released = held.front().memory;
    held.erase(held.begin());
    CapturedFrame next = takeFrame(source, 5s);
    CHECK(next.memory == released);
    CHECK(source.stats().framesDelivered == deliveredWhileHeld + 1);
    CHECK(source.stats().framesDropped == 0);
}

TEST_CASE("Frames with an error status are counted and never delivered; missing timestamps fall back",
          "[camera]") {
    CameraSource source = open({.cameraId = "ultrawide", .size = kQuarter, .frameRate = 0.0, .queueDepth = 8});
    source.simulateFaults(5, 0);
    REQUIRE(source.start());
    std::vector<uint64_t> sequences;
    for (int i = 0; i < 5; ++i) sequences.push_back(takeFrame(source, 5s).sequence);
    CameraStats stats = source.stats();
    CHECK(stats.frameErrors == 5);
    // Error frames take no sequence number: what is delivered is contiguous from 0.
    CHECK(sequences == std::vector<uint64_t>{0, 1, 2, 3, 4});

    source.simulateFaults(0, 3);
    uint64_t previous = 0;
    int fallbacks = 0;
    for (int i = 0; i < 8; ++i) {
        CapturedFrame frame = takeFrame(source, 5s);
        CHECK(frame.timestampNs > previous); // the fallback clock is the camera's (CLOCK_MONOTONIC)
        CHECK(frame.timestampNs <= nowMonotonicNs());
        previous = frame.timestampNs;
        fallbacks += !frame.timestampFromSensor;
    }
    stats = source.stats();
    CHECK(stats.timestampFallbacks == 3);
    CHECK(fallbacks == 3);
    CHECK(stats.frameErrors == 5);
}

TEST_CASE("Preferring the camera's own buffers falls back to rearview's where it cannot export", "[camera]") {
    CameraSource source = open({.cameraId = "main", .size = kQuarter, .preferCameraBuffers = true});
    // libcamera 0.4's virtual camera exports buffers only from a dma-heap or udmabuf.
    const bool canExport = std::filesystem::exists("/dev/dma_heap") || std::filesystem::exists("/dev/udmabuf");
    if (!canExport) CHECK(source.stats().bufferKind != BufferKind::Exported);
    measure("preferCameraBuffers on main: {}", source.stats().bufferDescription);
    REQUIRE(source.start());
    takeFrame(source, 5s);
}
