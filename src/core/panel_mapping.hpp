// SPDX-License-Identifier: MIT
// From what the user touches on the panel back to the frame the camera delivered: the
// inverse of the crop plan (crop, zoom, fill or fit, rotation, mirror).
#pragma once

#include "core/crop_plan.hpp"

#include <rearview/camera_controls.hpp>
#include <rearview/error.hpp>

namespace rearview {

/// A point in a frame's pixel coordinates (pixel edges: [0, width) x [0, height)).
struct FramePoint {
    double x = 0;
    double y = 0;
};

/// Where the panel point `p` shows the frame that `plan` was made for: the inverse of the
/// plan's map, exact up to rounding. InvalidArgument for a point off the panel (outside
/// 0..1 or not finite) or on a Fit plan's black bars, where no frame is shown.
Result<FramePoint> panelToFrame(const CropPlan& plan, PanelPoint p);

/// The other way: where the frame point `f` lands in the plan's panel image, in panel pixels
/// (pixel edges: [0, panelWidth) x [0, panelHeight)); points outside the crop land outside it.
FramePoint frameToPanel(const CropPlan& plan, FramePoint f);

} // namespace rearview
