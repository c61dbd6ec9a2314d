// SPDX-License-Identifier: MIT
// Finishing looks applied to the working image in place: vignette and film grain.
#pragma once

#include <rearview/pipeline.hpp>
#include "gpu/compute_pipeline.hpp"

namespace rearview::stages {

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
    /// Records grain for the frame with `seed` over the working image `image`; its cells are
    /// `sizeScale` times params.size pixels (an image that many times the panel's size).
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        const GrainParams& params, uint32_t seed, float sizeScale = 1.0f) const;

private:
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
