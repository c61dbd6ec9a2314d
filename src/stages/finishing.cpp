// SPDX-License-Identifier: MIT
#include "stages/finishing.hpp"

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

void dispatchOver(VkCommandBuffer cmd, const gpu::ComputePipeline& p, uint32_t width, uint32_t height) {
    p.dispatch(cmd, gpu::groupsFor(width, p.localSizeX()), gpu::groupsFor(height, p.localSizeY()), 1);
}

} // namespace

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
                           const GrainParams& params, uint32_t seed, float sizeScale) const {
    if (auto r = validate(params); !r)
        return r;
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {image});
    pipeline_.pushConstants(cmd, GrainPush{width, height, params.amount, 1.0f / (float(params.size) * sizeScale), seed});
    dispatchOver(cmd, pipeline_, width, height);
    return {};
}

} // namespace rearview::stages
