// SPDX-License-Identifier: MIT
// Helpers for the camera tests, which run against libcamera's real virtual pipeline handler
// with the project's rig (main: JPEG sequence, ultrawide: colour bars; see docs/virtual-rig.md).
#pragma once

#include "capture/camera_source.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <cstdio>
#include <format>
#include <mutex>
#include <string>
#include <vector>

namespace rearview::test {

inline constexpr FrameSize kFull{8160, 6120};
inline constexpr FrameSize kHalf{4080, 3060};
inline constexpr FrameSize kQuarter{2040, 1530};

/// A measurement line in the test log (ctest -V or --output-on-failure shows it).
template <typename... Args>
void measure(std::format_string<Args...> fmt, Args&&... args) {
    std::printf("[measure] %s\n", std::format(fmt, std::forward<Args>(args)...).c_str());
    std::fflush(stdout);
}

/// The next frame, failing the test when none arrives within `timeout`.
inline CapturedFrame takeFrame(CameraSource& source, std::chrono::milliseconds timeout) {
    auto frame = source.nextFrame(timeout);
    if (!frame) FAIL(frame.error().describe());
    if (!frame->has_value()) FAIL(std::format("no frame within {} ms", timeout.count()));
    return std::move(**frame);
}

/// Event recorder for CameraSourceOptions::onEvent (called from libcamera's thread).
struct EventLog {
    std::mutex mutex;
    std::vector<CameraEvent> events;

    std::function<void(const CameraEvent&)> callback() {
        return [this](const CameraEvent& e) {
            std::lock_guard lock(mutex);
            events.push_back(e);
        };
    }
    size_t count(CameraEvent::Kind kind) {
        std::lock_guard lock(mutex);
        size_t n = 0;
        for (const auto& e : events) n += e.kind == kind;
        return n;
    }
};

/// Non-zero bytes in a plane, sampled every `step` bytes.
inline size_t nonZeroSamples(const uint8_t* data, size_t bytes, size_t step = 4093) {
    size_t n = 0;
    for (size_t i = 0; i < bytes; i += step) n += data[i] != 0;
    return n;
}

} // namespace rearview::test
