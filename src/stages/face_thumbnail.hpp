// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/compute_pipeline.hpp"

namespace rearview::stages {

/// The analysis tap: a half-size grey (BT.601 luma) thumbnail of the working image for the
/// face thread, written on the GPU every N frames so the CPU reads 1/16 of the bytes.
class FaceThumbnail {
public:
    FaceThumbnail() = default; ///< empty until assigned from create()
    static Result<FaceThumbnail> create(gpu::Device& device);

    static uint32_t thumbWidth(uint32_t width) { return (width + 1) / 2; }
    static uint32_t thumbHeight(uint32_t height) { return (height + 1) / 2; }
    /// Bytes per thumbnail row (a multiple of 4).
    static uint32_t strideBytes(uint32_t width) { return (thumbWidth(width) + 3) & ~3u; }

    /// Records the thumbnail of `image` (width x height packed RGBA8) into `thumb`
    /// (strideBytes(width) * thumbHeight(height) bytes). Fails for a short `thumb`.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        VkDescriptorBufferInfo thumb) const;

private:
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
