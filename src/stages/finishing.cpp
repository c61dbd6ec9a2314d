// SPDX-License-Identifier: MIT
#include "stages/finishing.hpp"

#include <format>

namespace rearview::stages {
namespace {

struct VignettePush {
    uint32_t width, height;
    float amount, radius, feather;
};

struct GrainPush {
    uint32_t width, height;
    float amount, invSize;
    uint32_t seed;
};

Result<void> inRange(std::string_view stage, std::string_view name, float value, float lo, float hi) {
    if (value >= lo && value <= hi)
        return {};
    return fail(ErrorCode::InvalidArgument,
                std::format("{}: {} = {} is outside the allowed range {}..{}", stage, name, value, lo, hi));
}

void dispatchOver(VkCommandBuffer cmd, const gpu::ComputePipeline& p, uint32_t width, uint32_t height) {
    vkCmdDispatch(cmd, gpu::groupsFor(width, p.localSizeX()), gpu::groupsFor(height, p.localSizeY()), 1);
}

} // namespace

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

Result<Vignette> Vignette::create(gpu::Device& device) {
    auto p = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::vignette, 1, sizeof(VignettePush));
    if (!p)
        return std::unexpected(p.error());
    Vignette v;
    v.pipeline_ = std::move(*p);
    return v;
}

Result<void> Vignette::record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                              const VignetteParams& params) const {
    if (auto r = validate(params); !r)
        return r;
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {image});
    pipeline_.pushConstants(cmd, VignettePush{width, height, params.amount, params.radius, params.feather});
    dispatchOver(cmd, pipeline_, width, height);
    return {};
}

Result<Grain> Grain::create(gpu::Device& device) {
    auto p = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::grain, 1, sizeof(GrainPush));
    if (!p)
        return std::unexpected(p.error());
    Grain g;
    g.pipeline_ = std::move(*p);
    return g;
}

Result<void> Grain::record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                           const GrainParams& params, uint32_t seed) const {
    if (auto r = validate(params); !r)
        return r;
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {image});
    pipeline_.pushConstants(cmd, GrainPush{width, height, params.amount, 1.0f / float(params.size), seed});
    dispatchOver(cmd, pipeline_, width, height);
    return {};
}

} // namespace rearview::stages
