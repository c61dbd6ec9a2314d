// SPDX-License-Identifier: MIT
#include "stages/finish.hpp"

#include <rearview/cube_lut.hpp>

#include <format>

namespace rearview::stages {
namespace {

/// Mirrors the push constants of shaders/finish/finish.comp.
struct Push {
    uint32_t width, height;
    uint32_t ops;
    uint32_t seed;
    float lutScale[4], lutOffset[4];
    float amount, radius, feather;
    float grainAmount, grainInvSize;
    uint32_t originY, fullHeight;
};

enum Op : uint32_t { kOpLut = 1, kOpVignette = 2, kOpGrain = 3 };

constexpr VkDescriptorType kBindings[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                          VK_DESCRIPTOR_TYPE_SAMPLED_IMAGE};

} // namespace

Result<Finish> Finish::create(gpu::Device& device) {
    Finish f;
    const uint32_t trilinear[] = {0}, tetrahedral[] = {1};
    auto t = gpu::ComputePipeline::create(device, gpu::ShaderId::finish, kBindings, sizeof(Push), trilinear);
    if (!t)
        return std::unexpected(t.error());
    auto h = gpu::ComputePipeline::create(device, gpu::ShaderId::finish, kBindings, sizeof(Push), tetrahedral);
    if (!h)
        return std::unexpected(h.error());
    auto none = Lut3d::create(device);
    if (!none)
        return std::unexpected(none.error());
    if (auto r = none->setLut(CubeLut::identity(2)); !r)
        return std::unexpected(r.error());
    f.trilinear_ = std::move(*t);
    f.tetrahedral_ = std::move(*h);
    f.noLut_ = std::move(*none);
    return f;
}

bool Finish::fusable(const StageParams& stage) {
    return std::holds_alternative<LutParams>(stage) || std::holds_alternative<VignetteParams>(stage) ||
           std::holds_alternative<GrainParams>(stage);
}

size_t Finish::runLength(std::span<const StageParams> stages) {
    size_t n = 0;
    uint32_t kinds = 0;
    for (; n < stages.size() && fusable(stages[n]); ++n) {
        const uint32_t kind = 1u << stages[n].index();
        if (kinds & kind)
            break;
        kinds |= kind;
    }
    return n;
}

Result<void> Finish::record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst,
                            uint32_t width, uint32_t height, std::span<const StageParams> run, const Lut3d* lut,
                            uint32_t seed, const ImagePlace& place) const {
    if (run.empty() || runLength(run) != run.size())
        return fail(ErrorCode::InvalidArgument,
                    std::format("a finishing run of {} stages: it holds 1..{} of lut, vignette and grain, each once",
                                run.size(), kMaxRun));
    Push push{width, height, 0, seed, {}, {}, 0, 0, 0.01f, 0, 1, place.originY,
              place.fullHeight ? place.fullHeight : height};
    LutInterpolation interpolation = LutInterpolation::Tetrahedral;
    VkDescriptorImageInfo lutImage{};
    for (size_t k = run.size(); k-- > 0;) { // the first stage ends up in the lowest bits
        const StageParams& stage = run[k];
        RV_TRY(validate(stage));
        uint32_t op = 0;
        if (const auto* l = std::get_if<LutParams>(&stage)) {
            if (!lut)
                return fail(ErrorCode::InvalidArgument, "a finishing run with a lut stage needs its LUT");
            auto b = lut->binding(l->strength);
            if (!b)
                return std::unexpected(b.error());
            std::copy(std::begin(b->scale), std::end(b->scale), push.lutScale);
            std::copy(std::begin(b->offset), std::end(b->offset), push.lutOffset);
            lutImage = b->image;
            interpolation = l->interpolation;
            op = kOpLut;
        } else if (const auto* v = std::get_if<VignetteParams>(&stage)) {
            push.amount = v->amount;
            push.radius = v->radius;
            push.feather = v->feather;
            op = kOpVignette;
        } else if (const auto* g = std::get_if<GrainParams>(&stage)) {
            push.grainAmount = g->amount;
            push.grainInvSize = 1.0f / (float(g->size) * place.scale);
            op = kOpGrain;
        }
        push.ops = (push.ops << 4) | op;
    }
    if (!lutImage.imageView) {
        auto b = noLut_.binding(0.0f);
        if (!b)
            return std::unexpected(b.error());
        lutImage = b->image;
    }
    const gpu::ComputePipeline& p = interpolation == LutInterpolation::Tetrahedral ? tetrahedral_ : trilinear_;
    p.bind(cmd);
    p.pushDescriptors(cmd, {src, dst, lutImage});
    p.pushConstants(cmd, push);
    p.dispatch(cmd, gpu::groupsFor(width, p.localSizeX()), height, 1); // local size 64 x 1: a row per y
    return {};
}

} // namespace rearview::stages
