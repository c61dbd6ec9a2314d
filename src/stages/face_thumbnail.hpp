// SPDX-License-Identifier: MIT
#pragma once

#include "core/thumbnail_layout.hpp"
#include "gpu/compute_pipeline.hpp"

namespace rearview::stages {

/// The analysis tap: a half-size grey (BT.601 luma) thumbnail of the working image for the
/// face thread, written on the GPU every N frames so the CPU reads 1/16 of the bytes.
class FaceThumbnail {
public:
    FaceThumbnail() = default; ///< empty until assigned from create()
    static Result<FaceThumbnail> create(gpu::Device& device);

    /// Records the thumbnail of `image` (width x height packed RGBA8) into `thumb`
    /// (ThumbnailLayout::strideBytes(width) * ThumbnailLayout::height(height) bytes, see
    /// core/thumbnail_layout.hpp). Fails for a short `thumb`.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        VkDescriptorBufferInfo thumb) const;

private:
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
