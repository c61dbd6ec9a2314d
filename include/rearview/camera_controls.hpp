// SPDX-License-Identifier: MIT
// Camera controls a camera app sets from the rear panel: exposure compensation and lock,
// white balance, focus, a tap-to-focus point in panel coordinates, frame-duration limits
// (Viewfinder::setCameraControls()); and the controls a camera reports.
#pragma once

#include <rearview/export.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// A point on the panel as the user sees it (rotated and mirrored as shown): (0, 0) the
/// top-left corner, (1, 1) the bottom-right.
struct PanelPoint {
    float x = 0.5f;
    float y = 0.5f;
};

/// White balance presets (libcamera's AwbMode).
enum class AwbMode : uint8_t { Auto, Incandescent, Tungsten, Fluorescent, Indoor, Daylight, Cloudy };
/// Focus modes (libcamera's AfMode).
enum class AfMode : uint8_t {
    Manual,     ///< the lens stays where it is
    Auto,       ///< one scan when triggered (afTrigger)
    Continuous, ///< the camera keeps focusing
};
REARVIEW_API std::string_view toString(AwbMode mode) noexcept;
REARVIEW_API std::string_view toString(AfMode mode) noexcept;

/// The limits of the time between two frames, microseconds (libcamera's FrameDurationLimits).
struct FrameDurationLimits {
    int64_t minUs = 0;
    int64_t maxUs = 0;
};

/// Controls to change; what is left unset stays as it is. setCameraControls() applies all of
/// them from the same frame on, or none.
struct CameraControls {
    std::optional<float> exposureValue;       ///< exposure compensation in stops (ExposureValue)
    std::optional<bool> aeLocked;             ///< true: exposure and gain held where they are (AeEnable off)
    std::optional<AwbMode> awbMode;           ///< AwbMode
    std::optional<bool> awbLocked;            ///< true: colour gains held where they are (AwbEnable off)
    std::optional<AfMode> afMode;             ///< AfMode
    bool afTrigger = false;                   ///< start a focus scan now (AfTrigger; AfMode Auto)
    /// Tap to focus: focus on what is shown at this panel point (AfMetering Windows, with an
    /// AfWindows rectangle around the point in the camera's coordinates: the point mapped
    /// through the crop, zoom, rotation and mirror on the panel, then onto the sensor).
    std::optional<PanelPoint> focusPoint;
    std::optional<FrameDurationLimits> frameDuration; ///< FrameDurationLimits
};

/// One control a camera reports (Viewfinder::cameraControls()), as libcamera names it.
struct CameraControlInfo {
    std::string name;         ///< e.g. "FrameDurationLimits", "AfMode", "ExposureValue"
    std::string min, max;     ///< its range as text ("33333", "0.0"); empty when not given
    std::string defaultValue; ///< empty when not given
};

} // namespace rearview
