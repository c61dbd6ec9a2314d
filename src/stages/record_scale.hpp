// SPDX-License-Identifier: MIT
#pragma once

#include "core/record_plan.hpp"
#include "gpu/buffer.hpp"
#include "gpu/compute_pipeline.hpp"
#include "stages/nv12_to_rgba.hpp"

namespace rearview::stages {

/// The record branch's first stage: from the imported NV12 sensor frame to the NV12 frame
/// the encoder takes, following a RecordPlan (crop, area downscale by any factor >= 1,
/// optional mirror). Y and CbCr are resampled each in its own plane, CbCr at half resolution
/// with the same area rule (a chroma sample covers its 2x2 luma pixels, centre siting in and
/// out), so no colour conversion and no rounding besides the final one per sample.
///
/// Two dispatch groups, the area downscale of the viewfinder's crop_scale split the same
/// way: crop_scale_vertical.comp (shared) averages whole rows of contiguous 64-bit words
/// into 16-bit row averages per plane, then record_scale_horizontal.comp averages each
/// output sample's columns with exact fractional coverage and writes 4 NV12 bytes per
/// invocation. See docs/record-scale.md.
///
/// Output layout (outputLayout()): Y plane of outHeight rows, then the CbCr plane of
/// outHeight / 2 rows, both with a stride of the width rounded up to 64 bytes.
class RecordScale {
public:
    RecordScale() = default; ///< empty until assigned from create()
    static Result<RecordScale> create(gpu::Device& device);

    /// Row alignment of outputLayout(): a cache line, and what encoders' SIMD row loops and
    /// hardware encoders' DMA commonly require of their input frames.
    static constexpr uint32_t kRowAlignment = 64;
    /// Where an `width` x `height` record frame sits in a buffer of its own (buffer left
    /// null; size is the bytes to allocate).
    static Nv12Buffer outputLayout(uint32_t width, uint32_t height, ColorSpace colorSpace = {});

    /// Records the stage: `src` per `plan` into `dst` (plan.outWidth x plan.outHeight, any
    /// layout with strides and CbCr offset that are multiples of 4 and rows of at least the
    /// width rounded up to 4 bytes: the bytes past the width up to that are written too).
    /// Parameters may change every call; no pipeline is rebuilt. Fails for a plan that does
    /// not fit the frame, frame strides or offset that are not multiples of 8, or an output
    /// that does not match the plan.
    Result<void> record(VkCommandBuffer cmd, const Nv12Buffer& src, const RecordPlan& plan, const Nv12Buffer& dst);

private:

    gpu::Device* device_ = nullptr;
    gpu::ComputePipeline vertical_;
    gpu::ComputePipeline horizontal_[2]; ///< Y, CbCr (specialisations of one shader)
    gpu::Buffer rows_; ///< the vertical pass's output
};

} // namespace rearview::stages
