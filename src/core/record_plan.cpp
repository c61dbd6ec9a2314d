// SPDX-License-Identifier: MIT
#include "core/record_plan.hpp"

#include <algorithm>
#include <format>

namespace rearview {
namespace {

// Tolerance for crops computed in floating point (a centred crop's edge can land a rounding
// error past the frame or below the output size).
constexpr double kSlack = 1e-6;

} // namespace

CropRect centredCrop(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight) {
    const double fw = frameWidth, fh = frameHeight;
    const double cw = std::min(fw, fh * outWidth / std::max(1u, outHeight));
    const double ch = std::min(fh, cw * outHeight / std::max(1u, outWidth));
    return {(fw - cw) / 2, (fh - ch) / 2, cw, ch};
}

Result<RecordPlan> planRecord(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight,
                              const CropRect& c, bool mirror) {
    if (frameWidth == 0 || frameHeight == 0)
        return fail(ErrorCode::InvalidArgument, std::format("frame size {}x{} is empty", frameWidth, frameHeight));
    if (outWidth == 0 || outHeight == 0 || outWidth % 2 || outHeight % 2)
        return fail(ErrorCode::InvalidArgument,
                    std::format("record size {}x{} must be non-zero and even in both directions (NV12 4:2:0)",
                                outWidth, outHeight));
    if (!(c.width > 0 && c.height > 0) || c.x < -kSlack || c.y < -kSlack || c.x + c.width > frameWidth + kSlack ||
        c.y + c.height > frameHeight + kSlack)
        return fail(ErrorCode::InvalidArgument,
                    std::format("crop {:.2f},{:.2f} {:.2f}x{:.2f} is empty or not inside the {}x{} frame", c.x, c.y,
                                c.width, c.height, frameWidth, frameHeight));
    RecordPlan p;
    p.outWidth = outWidth;
    p.outHeight = outHeight;
    p.crop = {std::clamp(c.x, 0.0, double(frameWidth)), std::clamp(c.y, 0.0, double(frameHeight)), c.width, c.height};
    p.crop.width = std::min(p.crop.width, frameWidth - p.crop.x);
    p.crop.height = std::min(p.crop.height, frameHeight - p.crop.y);
    p.scaleX = p.crop.width / outWidth;
    p.scaleY = p.crop.height / outHeight;
    p.mirror = mirror;
    if (p.scaleX < 1 - kSlack || p.scaleY < 1 - kSlack)
        return fail(ErrorCode::InvalidArgument,
                    std::format("crop {:.2f}x{:.2f} onto {}x{} would upscale; record_scale only downscales (the crop "
                                "must be at least the output size)",
                                c.width, c.height, outWidth, outHeight));
    p.scaleX = std::max(p.scaleX, 1.0);
    p.scaleY = std::max(p.scaleY, 1.0);
    if (std::max(p.scaleX, p.scaleY) > kMaxRecordDownscale)
        return fail(ErrorCode::InvalidArgument,
                    std::format("crop {:.0f}x{:.0f} onto {}x{} is a {:.0f}x downscale; at most {:.0f}x is supported",
                                c.width, c.height, outWidth, outHeight, std::max(p.scaleX, p.scaleY),
                                kMaxRecordDownscale));
    return p;
}

Result<RecordPlan> planRecord(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight,
                              bool mirror) {
    return planRecord(frameWidth, frameHeight, outWidth, outHeight,
                      centredCrop(frameWidth, frameHeight, outWidth, outHeight), mirror);
}

} // namespace rearview
