// SPDX-License-Identifier: MIT
#include <rearview/pipeline.hpp>

#include <rearview/cube_lut.hpp>

#include <cmath>
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
    if (b.faces != FaceMode::Auto && b.faces != FaceMode::Off)
        return fail(ErrorCode::InvalidArgument, std::format("beauty: faces {} does not exist (auto, off)", unsigned(b.faces)));
    return {};
}

Result<void> validate(const LutParams& l) {
    if (l.file.empty() && !l.cube)
        return fail(ErrorCode::InvalidArgument, "lut: neither a file nor a LUT; name a .cube file or set LutParams::cube");
    if (l.interpolation != LutInterpolation::Trilinear && l.interpolation != LutInterpolation::Tetrahedral)
        return fail(ErrorCode::InvalidArgument,
                    std::format("lut: interpolation {} does not exist (trilinear, tetrahedral)", unsigned(l.interpolation)));
    if (const CubeLut* c = l.cube.get()) {
        if (c->size < CubeLut::kMinSize || c->size > CubeLut::kMaxSize)
            return fail(ErrorCode::InvalidArgument, std::format("lut: size {} is outside the allowed range {}..{}",
                                                                c->size, CubeLut::kMinSize, CubeLut::kMaxSize));
        const size_t want = size_t(c->size) * c->size * c->size * 3;
        if (c->rgb.size() != want)
            return fail(ErrorCode::InvalidArgument,
                        std::format("lut: a size {} LUT holds {} floats (size^3 x 3), not {}", c->size, want, c->rgb.size()));
        for (int i = 0; i < 3; ++i)
            if (!(c->domainMin[i] < c->domainMax[i]) || !std::isfinite(c->domainMin[i]) || !std::isfinite(c->domainMax[i]))
                return fail(ErrorCode::InvalidArgument,
                            std::format("lut: domain {}..{} of channel {} is empty or not finite", c->domainMin[i],
                                        c->domainMax[i], "rgb"[i]));
        for (size_t i = 0; i < c->rgb.size(); ++i)
            if (!std::isfinite(c->rgb[i]))
                return fail(ErrorCode::InvalidArgument, std::format("lut: entry {} is not a finite number", i / 3));
    }
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

Result<void> validate(const Pipeline& pipeline) {
    const std::string where = pipeline.source.empty() ? "pipeline" : "pipeline " + pipeline.source;
    if (pipeline.version != 1)
        return fail(ErrorCode::InvalidArgument,
                    std::format("{}: version {} is not supported (supported: 1)", where, pipeline.version));
    for (const PipelineList list : {PipelineList::Viewfinder, PipelineList::Record}) {
        const auto& stages = list == PipelineList::Viewfinder ? pipeline.viewfinder : pipeline.record;
        if (stages.size() > kMaxPipelineStages)
            return fail(ErrorCode::InvalidArgument, std::format("{}: {} lists {} stages; a list holds at most {}",
                                                                where, toString(list), stages.size(),
                                                                kMaxPipelineStages));
        for (size_t i = 0; i < stages.size(); ++i)
            if (auto v = validate(stages[i]); !v)
                return fail(v.error().code, std::format("{}: {} stage {}: {}", where, toString(list),
                                                        i + 1, v.error().message));
    }
    return {};
}

std::string_view toString(FaceMode mode) noexcept { return mode == FaceMode::Auto ? "auto" : "off"; }

std::string_view toString(LutInterpolation i) noexcept {
    return i == LutInterpolation::Trilinear ? "trilinear" : "tetrahedral";
}

std::string_view toString(PipelineList list) noexcept {
    return list == PipelineList::Viewfinder ? "viewfinder" : "record";
}

} // namespace rearview
