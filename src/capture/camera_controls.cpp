// SPDX-License-Identifier: MIT
#include "capture/camera_controls.hpp"

#include <libcamera/control_ids.h>
#include <libcamera/property_ids.h>

#include <algorithm>
#include <cmath>
#include <format>

namespace rearview {

std::string_view toString(AwbMode mode) noexcept {
    switch (mode) {
    case AwbMode::Auto: return "auto";
    case AwbMode::Incandescent: return "incandescent";
    case AwbMode::Tungsten: return "tungsten";
    case AwbMode::Fluorescent: return "fluorescent";
    case AwbMode::Indoor: return "indoor";
    case AwbMode::Daylight: return "daylight";
    case AwbMode::Cloudy: return "cloudy";
    }
    return "?";
}

std::string_view toString(AfMode mode) noexcept {
    switch (mode) {
    case AfMode::Manual: return "manual";
    case AfMode::Auto: return "auto";
    case AfMode::Continuous: return "continuous";
    }
    return "?";
}

} // namespace rearview

namespace rearview::capture {
namespace {

namespace lc = libcamera::controls;

/// Collects the controls asked for, what the camera lacks and what is out of range.
class Builder {
public:
    Builder(const libcamera::ControlInfoMap& available, std::string cameraId)
        : available_(available), list_(available), cameraId_(std::move(cameraId)) {}

    template <typename T, typename V>
    void set(const libcamera::Control<T>& control, const V& value) {
        if (!info(control))
            return;
        list_.set(control, value);
    }
    /// A number checked against the camera's range first.
    template <typename T>
    void setInRange(const libcamera::Control<T>& control, T value) {
        const libcamera::ControlInfo* i = info(control);
        if (!i)
            return;
        const T lo = i->min().template get<T>(), hi = i->max().template get<T>();
        if (!(value >= lo && value <= hi)) {
            outOfRange_ += std::format("{}{} = {} is outside the camera's range {}..{}", outOfRange_.empty() ? "" : "; ",
                                       control.name(), value, lo, hi);
            return;
        }
        list_.set(control, value);
    }
    void setDuration(const FrameDurationLimits& d) {
        const libcamera::ControlInfo* i = info(lc::FrameDurationLimits);
        if (!i)
            return;
        const int64_t lo = i->min().get<int64_t>(), hi = i->max().get<int64_t>();
        if (d.minUs > d.maxUs || d.minUs < lo || (hi > 0 && d.maxUs > hi)) {
            outOfRange_ += std::format("{}FrameDurationLimits {}..{} us is not within the camera's range {}..{} us "
                                       "(min <= max)",
                                       outOfRange_.empty() ? "" : "; ", d.minUs, d.maxUs, lo, hi);
            return;
        }
        list_.set(lc::FrameDurationLimits, {d.minUs, d.maxUs});
    }

    Result<libcamera::ControlList> finish() {
        if (!missing_.empty())
            return fail(ErrorCode::Unsupported,
                        std::format("camera '{}' has no {} control{}; nothing was changed (Viewfinder::cameraControls() "
                                    "lists what it has)",
                                    cameraId_, missing_, missing_.find(',') == std::string::npos ? "" : "s"));
        if (!outOfRange_.empty())
            return fail(ErrorCode::InvalidArgument,
                        std::format("camera '{}': {}; nothing was changed", cameraId_, outOfRange_));
        return std::move(list_);
    }

private:
    const libcamera::ControlInfo* info(const libcamera::ControlId& control) {
        const auto it = available_.find(&control);
        if (it != available_.end())
            return &it->second;
        missing_ += std::format("{}{}", missing_.empty() ? "" : ", ", control.name());
        return nullptr;
    }

    const libcamera::ControlInfoMap& available_;
    libcamera::ControlList list_;
    std::string cameraId_, missing_, outOfRange_;
};

int32_t awbValue(AwbMode m) {
    switch (m) {
    case AwbMode::Auto: return lc::AwbAuto;
    case AwbMode::Incandescent: return lc::AwbIncandescent;
    case AwbMode::Tungsten: return lc::AwbTungsten;
    case AwbMode::Fluorescent: return lc::AwbFluorescent;
    case AwbMode::Indoor: return lc::AwbIndoor;
    case AwbMode::Daylight: return lc::AwbDaylight;
    case AwbMode::Cloudy: return lc::AwbCloudy;
    }
    return lc::AwbAuto;
}

int32_t afValue(AfMode m) {
    switch (m) {
    case AfMode::Manual: return lc::AfModeManual;
    case AfMode::Auto: return lc::AfModeAuto;
    case AfMode::Continuous: return lc::AfModeContinuous;
    }
    return lc::AfModeManual;
}

} // namespace

std::vector<CameraControlInfo> describeControls(const libcamera::ControlInfoMap& available) {
    std::vector<CameraControlInfo> out;
    for (const auto& [id, info] : available) {
        auto text = [](const libcamera::ControlValue& v) { return v.isNone() ? std::string() : v.toString(); };
        out.push_back({id->name(), text(info.min()), text(info.max()), text(info.def())});
    }
    std::ranges::sort(out, {}, &CameraControlInfo::name);
    return out;
}

libcamera::Rectangle focusWindow(FramePoint point, uint32_t frameWidth, uint32_t frameHeight,
                                 const libcamera::ControlList& properties) {
    libcamera::Rectangle area(0, 0, frameWidth, frameHeight);
    if (auto max = properties.get(libcamera::properties::ScalerCropMaximum))
        area = *max;
    else if (auto active = properties.get(libcamera::properties::PixelArrayActiveAreas); active && !active->empty())
        area = (*active)[0];
    const double sx = double(area.width) / frameWidth, sy = double(area.height) / frameHeight;
    const unsigned w = std::max(1u, area.width / 8), h = std::max(1u, area.height / 8);
    const double cx = area.x + point.x * sx, cy = area.y + point.y * sy;
    const int x = std::clamp(int(std::lround(cx - w / 2.0)), area.x, area.x + int(area.width - w));
    const int y = std::clamp(int(std::lround(cy - h / 2.0)), area.y, area.y + int(area.height - h));
    return libcamera::Rectangle(x, y, w, h);
}

Result<libcamera::ControlList> buildControls(const libcamera::ControlInfoMap& available, const CameraControls& c,
                                             std::optional<libcamera::Rectangle> focus, const std::string& cameraId) {
    Builder b(available, cameraId);
    if (c.exposureValue) {
        if (!std::isfinite(*c.exposureValue))
            return fail(ErrorCode::InvalidArgument, std::format("exposureValue {} is not a number of stops", *c.exposureValue));
        b.setInRange(lc::ExposureValue, *c.exposureValue);
    }
    if (c.aeLocked)
        b.set(lc::AeEnable, !*c.aeLocked);
    if (c.awbMode)
        b.set(lc::AwbMode, awbValue(*c.awbMode));
    if (c.awbLocked)
        b.set(lc::AwbEnable, !*c.awbLocked);
    if (c.afMode)
        b.set(lc::AfMode, afValue(*c.afMode));
    if (c.afTrigger)
        b.set(lc::AfTrigger, int32_t(lc::AfTriggerStart));
    if (focus) {
        b.set(lc::AfMetering, int32_t(lc::AfMeteringWindows));
        b.set(lc::AfWindows, libcamera::Span<const libcamera::Rectangle>(&*focus, 1));
    }
    if (c.frameDuration)
        b.setDuration(*c.frameDuration);
    return b.finish();
}

} // namespace rearview::capture
