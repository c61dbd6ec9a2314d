// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/compute_pipeline.hpp"
#include "stages/nv12_to_rgba.hpp"

namespace rearview::stages {

/// Working image (packed RGBA8, R in the low byte) -> NV12 in one dispatch, with the exact
/// matrix and range of the output's colour space (encodingFor()): Y per pixel, CbCr
/// from the mean R'G'B' of each 2x2 block. The record branch's last stage when its pipeline
/// file has colour stages (NV12 -> Nv12ToRgba -> stage chain -> RgbaToNv12 -> encoder).
class RgbaToNv12 {
public:
    RgbaToNv12() = default; ///< empty until assigned from create()
    static Result<RgbaToNv12> create(gpu::Device& device);

    /// Records the conversion of `src` (dst.width * dst.height uints) into `dst`, whose
    /// colour space says the encoding. Width and height must be even; strides and the CbCr
    /// offset multiples of 4 with rows of at least the width rounded up to 4 bytes (written
    /// up to there; RecordScale::outputLayout() is such a layout).
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, const Nv12Buffer& dst) const;

private:
    explicit RgbaToNv12(gpu::ComputePipeline pipeline) : pipeline_(std::move(pipeline)) {}
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
