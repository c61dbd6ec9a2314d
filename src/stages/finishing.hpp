// SPDX-License-Identifier: MIT
// Finishing looks applied to the working image in place: vignette and film grain.
#pragma once

#include "gpu/compute_pipeline.hpp"

namespace rearview::stages {

/// Darkens towards the corners: colour times 1 - amount * smoothstep(radius, radius +
/// feather, r), r the distance from the panel centre in half-diagonals (1 at the corners).
struct VignetteParams {
    float amount = 0.3f;  ///< 0..1; 0 leaves the image unchanged
    float radius = 0.6f;  ///< 0..1.5, where darkening starts
    float feather = 0.5f; ///< 0.01..1.5, how far it takes to reach full strength
};

/// Monochrome grain: one uniform random value per size x size cell, different every frame
/// (seed), added to all channels and strongest in the midtones.
struct GrainParams {
    float amount = 0.2f; ///< 0..1; 0 leaves the image unchanged
    uint32_t size = 1;   ///< cell size in pixels, 1..8
};

/// Checks the ranges above; the error names the parameter, its value and the allowed range.
Result<void> validate(const VignetteParams& params);
Result<void> validate(const GrainParams& params);

/// The vignette stage. Parameters may change every frame.
class Vignette {
public:
    Vignette() = default; ///< empty until assigned from create()
    static Result<Vignette> create(gpu::Device& device);
    /// Records the vignette over the working image `image` (width * height packed RGBA8).
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        const VignetteParams& params) const;

private:
    gpu::ComputePipeline pipeline_;
};

/// The grain stage. Parameters and seed may change every frame.
class Grain {
public:
    Grain() = default; ///< empty until assigned from create()
    static Result<Grain> create(gpu::Device& device);
    /// Records grain for the frame with `seed` over the working image `image`.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        const GrainParams& params, uint32_t seed) const;

private:
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
