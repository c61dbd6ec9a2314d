// SPDX-License-Identifier: MIT
// Camera controls through the viewfinder on the virtual camera, which has FrameDurationLimits
// (fixed at 30 fps) and FaceDetectMode and nothing else: what it has is listed and applied,
// what it lacks is Unsupported by name, and nothing is half applied.
#include "capture/camera_controls.hpp"
#include "support/gpu_fixture.hpp"
#include "support/viewfinder_options.hpp"

#include <rearview/viewfinder.hpp>

#include <libcamera/property_ids.h>

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

TEST_CASE("A focus window goes around the frame point, in the sensor's coordinates, inside them", "[unit]") {
    libcamera::ControlList properties(libcamera::properties::properties);
    const libcamera::Rectangle array(0, 0, 8160, 6120);
    properties.set(libcamera::properties::PixelArrayActiveAreas, libcamera::Span<const libcamera::Rectangle>(&array, 1));
    // The centre of a 2040x1530 frame is the centre of the 8160x6120 array; an eighth of it
    // (half-pixel edges round up).
    const libcamera::Rectangle centre = capture::focusWindow({1020, 765}, 2040, 1530, properties);
    CHECK(centre == libcamera::Rectangle(3570, 2678, 1020, 765));
    // At the corner it stays inside.
    const libcamera::Rectangle corner = capture::focusWindow({0, 1530}, 2040, 1530, properties);
    CHECK(corner == libcamera::Rectangle(0, 6120 - 765, 1020, 765));
    // ScalerCropMaximum, where a camera reports it, is what AfWindows is relative to.
    const libcamera::Rectangle crop(1000, 500, 4000, 3000);
    properties.set(libcamera::properties::ScalerCropMaximum, crop);
    CHECK(capture::focusWindow({1020, 765}, 2040, 1530, properties) == libcamera::Rectangle(2750, 1813, 500, 375));
}

TEST_CASE("Camera controls on the virtual camera: listed, applied where it has them, Unsupported by name where not",
          "[gpu]") {
    ViewfinderOptions o = test::headlessViewfinder({.kind = SourceKind::Camera, .cameraId = "main",
                                                    .size = {2040, 1530}, .frameRate = 30});
    auto vf = Viewfinder::create(test::gpu(), o);
    if (!vf)
        FAIL(vf.error().describe());
    Viewfinder& v = **vf;
    REQUIRE(v.start());

    auto listed = v.cameraControls();
    REQUIRE(listed);
    const auto duration = std::ranges::find(*listed, std::string("FrameDurationLimits"), &CameraControlInfo::name);
    REQUIRE(duration != listed->end());
    CHECK(duration->min == "33333");
    CHECK(duration->max == "33333");
    CHECK(std::ranges::find(*listed, std::string("ExposureValue"), &CameraControlInfo::name) == listed->end());

    // What it has: applied from the next request, frames keep coming.
    REQUIRE(v.setCameraControls({.frameDuration = FrameDurationLimits{33333, 33333}}));
    const uint64_t before = v.stats().framesCaptured;
    std::this_thread::sleep_for(500ms);
    CHECK(v.stats().framesCaptured >= before + 8);

    auto tooFast = v.setCameraControls({.frameDuration = FrameDurationLimits{10000, 10000}});
    REQUIRE_FALSE(tooFast);
    CHECK(tooFast.error().code == ErrorCode::InvalidArgument);
    CHECK(tooFast.error().message.find("FrameDurationLimits 10000..10000 us is not within the camera's range "
                                       "33333..33333 us") != std::string::npos);

    // What it lacks: every one named, nothing applied (the frame duration beside them included).
    auto lacking = v.setCameraControls({.exposureValue = 1.0f, .aeLocked = true, .awbMode = AwbMode::Daylight,
                                        .afMode = AfMode::Continuous, .afTrigger = true,
                                        .focusPoint = PanelPoint{0.3f, 0.6f},
                                        .frameDuration = FrameDurationLimits{33333, 33333}});
    REQUIRE_FALSE(lacking);
    CHECK(lacking.error().code == ErrorCode::Unsupported);
    INFO(lacking.error().message);
    CHECK(lacking.error().message.find("camera 'main' has no ExposureValue, AeEnable, AwbMode, AfMode, AfTrigger, "
                                       "AfMetering, AfWindows controls") != std::string::npos);

    // A focus point off the panel is the caller's mistake before it is the camera's.
    auto off = v.setCameraControls({.focusPoint = PanelPoint{1.5f, 0.5f}});
    REQUIRE_FALSE(off);
    CHECK(off.error().code == ErrorCode::InvalidArgument);
    CHECK(off.error().message.find("focus point: panel point (1.5, 0.5) is off the panel") != std::string::npos);
    v.stop();
    CHECK(v.stats().frameErrors == 0);

    // Not a camera: nothing to control.
    auto synthetic = Viewfinder::create(test::gpu(), test::syntheticHeadless());
    REQUIRE(synthetic);
    auto none = (*synthetic)->setCameraControls({.exposureValue = 0.5f});
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ErrorCode::Unsupported);
    CHECK(none.error().message.find("source is synthetic") != std::string::npos);
    CHECK_FALSE((*synthetic)->cameraControls());
    REQUIRE_NO_VALIDATION_MESSAGES();
}
