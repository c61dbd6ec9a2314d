// SPDX-License-Identifier: MIT
// How a sensor frame is placed on the panel: crop or letterbox, digital zoom, rotation and
// mirror. Plain values an app can change every frame; no GPU types.
#pragma once

#include <rearview/export.hpp>
#include <cstdint>
#include <string_view>

namespace rearview {

/// Clockwise rotation applied to the sensor image so it reads upright on the panel; follows
/// from the camera's mounting relative to the panel.
enum class Rotation : uint16_t { R0 = 0, R90 = 90, R180 = 180, R270 = 270 };

/// How the sensor frame's aspect is reconciled with the panel's.
enum class FitMode : uint8_t {
    Fill, ///< crop the frame to the panel's aspect, centred (the default viewfinder)
    Fit,  ///< show the whole frame, letterboxed with black bars
};

REARVIEW_API std::string_view toString(Rotation rotation) noexcept;
REARVIEW_API std::string_view toString(FitMode mode) noexcept;

/// Placement of the sensor frame on the panel.
struct ViewGeometry {
    FitMode fit = FitMode::Fill;
    /// Digital zoom, 1 (the full crop) to 10. Finite values outside are clamped; NaN, infinite
    /// or non-positive ones are refused (Viewfinder::create(), Viewfinder::setGeometry()).
    float zoom = 1.0f;
    /// Zoom centre in normalised sensor coordinates (0,0 top-left, 1,1 bottom-right); the
    /// crop is kept inside the frame, so near the edges the centre moves inwards.
    float centerX = 0.5f;
    float centerY = 0.5f;
    Rotation rotation = Rotation::R0;
    /// Horizontal flip of the panel image, on by default: a selfie preview reads like a mirror.
    bool mirror = true;

    friend bool operator==(const ViewGeometry&, const ViewGeometry&) = default;
};

} // namespace rearview
