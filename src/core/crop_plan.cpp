// SPDX-License-Identifier: MIT
#include "core/crop_plan.hpp"

#include <algorithm>
#include <cmath>
#include <format>

namespace rearview {

std::string_view toString(Rotation rotation) noexcept {
    switch (rotation) {
    case Rotation::R0: return "0";
    case Rotation::R90: return "90";
    case Rotation::R180: return "180";
    case Rotation::R270: return "270";
    }
    return "?";
}

std::string_view toString(FitMode mode) noexcept { return mode == FitMode::Fill ? "fill" : "fit"; }

namespace {

PanelMap panelMap(Rotation rotation, bool mirror, uint32_t outWidth, uint32_t outHeight, uint32_t panelWidth) {
    const int32_t w = int32_t(outWidth), h = int32_t(outHeight);
    PanelMap m{};
    switch (rotation) { // clockwise
    case Rotation::R0: m = {1, 0, 0, 0, 1, 0}; break;
    case Rotation::R90: m = {0, -1, h - 1, 1, 0, 0}; break;
    case Rotation::R180: m = {-1, 0, w - 1, 0, -1, h - 1}; break;
    case Rotation::R270: m = {0, 1, 0, -1, 0, w - 1}; break;
    }
    if (mirror)
        m = {-m.ax, -m.bx, int32_t(panelWidth) - 1 - m.cx, m.ay, m.by, m.cy};
    return m;
}

} // namespace

Result<CropPlan> planCrop(uint32_t frameWidth, uint32_t frameHeight, uint32_t panelWidth, uint32_t panelHeight,
                          const ViewGeometry& g) {
    if (frameWidth == 0 || frameHeight == 0)
        return fail(ErrorCode::InvalidArgument, std::format("frame size {}x{} is empty", frameWidth, frameHeight));
    if (panelWidth == 0 || panelHeight == 0)
        return fail(ErrorCode::InvalidArgument, std::format("panel size {}x{} is empty", panelWidth, panelHeight));
    switch (g.rotation) {
    case Rotation::R0: case Rotation::R90: case Rotation::R180: case Rotation::R270: break;
    default:
        return fail(ErrorCode::InvalidArgument,
                    std::format("rotation {} is not one of 0, 90, 180, 270", uint32_t(g.rotation)));
    }
    CropPlan p;
    p.panelWidth = panelWidth;
    p.panelHeight = panelHeight;
    const bool quarter = g.rotation == Rotation::R90 || g.rotation == Rotation::R270;
    p.outWidth = quarter ? panelHeight : panelWidth;
    p.outHeight = quarter ? panelWidth : panelHeight;

    const double fw = frameWidth, fh = frameHeight, ow = p.outWidth, oh = p.outHeight;
    double cw = fw, ch = fh;
    p.regionWidth = p.outWidth;
    p.regionHeight = p.outHeight;
    if (g.fit == FitMode::Fill) {
        cw = std::min(fw, fh * ow / oh);
        ch = std::min(fh, cw * oh / ow);
    } else if (fw * oh > fh * ow) { // frame wider than the panel: bars above and below
        p.regionHeight = std::max(1u, uint32_t(std::lround(ow * fh / fw)));
    } else {
        p.regionWidth = std::max(1u, uint32_t(std::lround(oh * fw / fh)));
    }
    p.regionX = (p.outWidth - p.regionWidth) / 2;
    p.regionY = (p.outHeight - p.regionHeight) / 2;

    const double zoom = std::clamp(double(g.zoom), 1.0, 10.0);
    cw /= zoom;
    ch /= zoom;
    const double cx = std::clamp(double(g.centerX), 0.0, 1.0) * fw;
    const double cy = std::clamp(double(g.centerY), 0.0, 1.0) * fh;
    p.cropWidth = cw;
    p.cropHeight = ch;
    p.cropX = std::clamp(cx - cw / 2, 0.0, fw - cw);
    p.cropY = std::clamp(cy - ch / 2, 0.0, fh - ch);
    p.scaleX = cw / p.regionWidth;
    p.scaleY = ch / p.regionHeight;
    p.sampling = std::min(p.scaleX, p.scaleY) >= 2.0 ? Sampling::Area : Sampling::Bilinear;
    if (std::max(p.scaleX, p.scaleY) > kMaxDownscale)
        return fail(ErrorCode::InvalidArgument,
                    std::format("{}x{} onto {}x{} is a {:.0f}x downscale; at most {:.0f}x is supported", frameWidth,
                                frameHeight, panelWidth, panelHeight, std::max(p.scaleX, p.scaleY), kMaxDownscale));
    p.map = panelMap(g.rotation, g.mirror, p.outWidth, p.outHeight, panelWidth);
    return p;
}

} // namespace rearview
