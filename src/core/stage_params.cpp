// SPDX-License-Identifier: MIT
#include "core/stage_params.hpp"

#include <format>

namespace rearview {
namespace {

Result<void> inRange(std::string_view stage, std::string_view name, float value, float lo, float hi) {
    if (value >= lo && value <= hi)
        return {};
    return fail(ErrorCode::InvalidArgument,
                std::format("{}: {} = {} is outside the allowed range {}..{}", stage, name, value, lo, hi));
}

} // namespace

std::string_view stageName(const StageParams& stage) {
    struct Names {
        std::string_view operator()(const BeautyParams&) const { return "beauty"; }
        std::string_view operator()(const LutParams&) const { return "lut"; }
        std::string_view operator()(const VignetteParams&) const { return "vignette"; }
        std::string_view operator()(const GrainParams&) const { return "grain"; }
    };
    return std::visit(Names{}, stage);
}

Result<void> validate(const BeautyParams& b) {
    for (auto [name, value] : {std::pair{"smoothing", b.smoothing}, {"tone", b.tone}, {"sharpen", b.sharpen}})
        if (auto r = inRange("beauty", name, value, 0, 1); !r)
            return r;
    return {};
}

Result<void> validate(const LutParams& l) {
    if (l.file.empty())
        return fail(ErrorCode::InvalidArgument, "lut: file is empty; name a .cube file");
    return inRange("lut", "strength", l.strength, 0, 1);
}

Result<void> validate(const VignetteParams& v) {
    if (auto r = inRange("vignette", "amount", v.amount, 0, 1); !r)
        return r;
    if (auto r = inRange("vignette", "radius", v.radius, 0, 1.5f); !r)
        return r;
    return inRange("vignette", "feather", v.feather, 0.01f, 1.5f);
}

Result<void> validate(const GrainParams& g) {
    if (auto r = inRange("grain", "amount", g.amount, 0, 1); !r)
        return r;
    return inRange("grain", "size", float(g.size), 1, 8);
}

Result<void> validate(const StageParams& stage) {
    return std::visit([](const auto& p) { return validate(p); }, stage);
}

std::string_view toString(FaceMode mode) noexcept { return mode == FaceMode::Auto ? "auto" : "off"; }

std::string_view toString(LutInterpolation i) noexcept {
    return i == LutInterpolation::Trilinear ? "trilinear" : "tetrahedral";
}

} // namespace rearview
