// SPDX-License-Identifier: MIT
#include "core/panel_mapping.hpp"

#include <cmath>
#include <format>

namespace rearview {

Result<FramePoint> panelToFrame(const CropPlan& plan, PanelPoint p) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || p.x < 0 || p.x > 1 || p.y < 0 || p.y > 1)
        return fail(ErrorCode::InvalidArgument,
                    std::format("panel point ({}, {}) is off the panel; x and y run from 0 to 1", p.x, p.y));
    // Panel pixel-centre coordinates, then the inverse of x = ax i + bx j + cx, y = ay i + by j + cy
    // (a rotation or reflection: its determinant is +-1).
    const PanelMap& m = plan.map;
    const double px = double(p.x) * plan.panelWidth - 0.5, py = double(p.y) * plan.panelHeight - 0.5;
    const double det = double(m.ax) * m.by - double(m.bx) * m.ay;
    const double dx = px - m.cx, dy = py - m.cy;
    const double i = (m.by * dx - m.bx * dy) / det, j = (-m.ay * dx + m.ax * dy) / det;
    // Oriented output edges, then the region the picture covers onto the crop.
    const double oi = i + 0.5 - plan.regionX, oj = j + 0.5 - plan.regionY;
    constexpr double kEdge = 1e-9; // a point on the region's edge is inside
    if (oi < -kEdge || oj < -kEdge || oi > plan.regionWidth + kEdge || oj > plan.regionHeight + kEdge)
        return fail(ErrorCode::InvalidArgument,
                    std::format("panel point ({}, {}) is on the black bars of the fit view; no frame is shown there",
                                p.x, p.y));
    return FramePoint{plan.cropX + oi * plan.scaleX, plan.cropY + oj * plan.scaleY};
}

FramePoint frameToPanel(const CropPlan& plan, FramePoint f) {
    const PanelMap& m = plan.map;
    // Oriented output pixel-centre coordinates, then the map, then back to pixel edges.
    const double i = (f.x - plan.cropX) / plan.scaleX + plan.regionX - 0.5;
    const double j = (f.y - plan.cropY) / plan.scaleY + plan.regionY - 0.5;
    return {m.ax * i + m.bx * j + m.cx + 0.5, m.ay * i + m.by * j + m.cy + 0.5};
}

} // namespace rearview
