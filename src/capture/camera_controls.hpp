// SPDX-License-Identifier: MIT
// CameraControls (<rearview/camera_controls.hpp>) in libcamera's terms: which of them a
// camera has, their ranges, and the ControlList a request carries. Only src/capture/*.cpp
// include this.
#pragma once

#include "core/panel_mapping.hpp"

#include <rearview/camera_controls.hpp>
#include <rearview/error.hpp>

#include <libcamera/controls.h>
#include <libcamera/geometry.h>

#include <optional>
#include <string>
#include <vector>

namespace rearview::capture {

/// Every control the camera reports, by libcamera's name, sorted by name.
std::vector<CameraControlInfo> describeControls(const libcamera::ControlInfoMap& available);

/// The focus window around `point` of a `frameWidth` x `frameHeight` frame in the coordinates
/// AfWindows uses: the camera's ScalerCropMaximum (or its first PixelArrayActiveAreas, or
/// the frame itself when it reports neither), onto which the frame maps linearly. An eighth
/// of that rectangle's size on each side, kept inside it.
libcamera::Rectangle focusWindow(FramePoint point, uint32_t frameWidth, uint32_t frameHeight,
                                 const libcamera::ControlList& properties);

/// The controls for the next request, checked against what the camera has: Unsupported
/// naming every requested control the camera lacks (nothing is applied then),
/// InvalidArgument for a value outside the camera's range (naming it and the range).
Result<libcamera::ControlList> buildControls(const libcamera::ControlInfoMap& available, const CameraControls& wanted,
                                             std::optional<libcamera::Rectangle> focus, const std::string& cameraId);

} // namespace rearview::capture
