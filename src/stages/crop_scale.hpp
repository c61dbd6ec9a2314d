// SPDX-License-Identifier: MIT
#pragma once

#include "core/crop_plan.hpp"
#include "gpu/buffer.hpp"
#include "gpu/compute_pipeline.hpp"
#include "gpu/submitter.hpp"
#include "stages/nv12_to_rgba.hpp"

namespace rearview::stages {

/// The viewfinder's first stage: from the imported NV12 frame to the panel's working image
/// in one or two dispatches, following a CropPlan (crop or letterbox, zoom, rotation,
/// mirror, the frame's colour space).
///
/// Area sampling (downscale >= 2) is two dispatches: a vertical pass that sums whole rows of
/// contiguous words into 16-bit row averages (planes Y and CbCr in one dispatch), and a
/// horizontal pass fused with colour conversion and placement. Two passes because the
/// separable box then loads each input byte once with neighbouring invocations on
/// neighbouring words, which is what lavapipe's gathers and a GPU's coalescing both want;
/// one pass would make every invocation walk a 2D footprint at its own address.
/// Bilinear sampling (zoomed in further) is one dispatch straight from the frame.
///
/// Working image: packed RGBA8 (R in the low byte), panel width x height uints in a storage
/// buffer. 8 bits because the panel, the 3D LUTs and the encoder input are 8-bit and every
/// average is rounded once, at the end; a buffer rather than an image because every later
/// stage reads it as texels at computed addresses (a linear layout costs nothing on
/// lavapipe) and presentation copies it into the swapchain image in one command.
class CropScale {
public:
    CropScale() = default; ///< empty until assigned from create()
    static Result<CropScale> create(gpu::Device& device);

    /// Records the stage: `src` per `plan` into `dst` (plan.panelWidth * plan.panelHeight
    /// uints). Parameters may change every call; no pipeline is rebuilt. Fails for a plan
    /// that does not fit the frame or a stride that is not a multiple of 8.
    /// With `passSpans`, area sampling times its two passes as the spans kVerticalSpan and
    /// kHorizontalSpan of that submitter (nested in whatever span is open).
    Result<void> record(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                        VkDescriptorBufferInfo dst, gpu::Submitter* passSpans = nullptr);

    static constexpr const char* kVerticalSpan = "crop_scale.vertical";
    static constexpr const char* kHorizontalSpan = "crop_scale.horizontal";

private:
    Result<void> recordArea(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                            VkDescriptorBufferInfo dst, gpu::Submitter* passSpans);
    void recordBilinear(VkCommandBuffer cmd, const Nv12Buffer& src, const CropPlan& plan,
                        VkDescriptorBufferInfo dst) const;

    gpu::Device* device_ = nullptr;
    gpu::ComputePipeline vertical_;
    gpu::ComputePipeline horizontal_;
    gpu::ComputePipeline bilinear_;
    gpu::Buffer rows_; ///< the vertical pass's output
};

} // namespace rearview::stages
