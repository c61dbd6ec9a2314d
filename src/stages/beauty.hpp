// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_box.hpp"
#include <rearview/pipeline.hpp>
#include "core/beauty_grid.hpp"
#include "gpu/buffer.hpp"
#include "gpu/compute_pipeline.hpp"

#include <span>

namespace rearview::stages {

/// Face-aware skin smoothing on the packed RGBA8 working image (see CropScale), from one
/// buffer into another: a fast guided filter of luma on a 4x4-cell grid, blended in through
/// a YCbCr skin mask weighted by face boxes, skin tone, and an unsharp mask outside skin.
/// The algorithm is cpu::Beauty's (src/cpu/beauty.hpp), its grid and constants
/// core/beauty_grid.hpp's; four dispatches (reduce, coefficients, smooth on the grid; apply
/// per pixel). Parameters and faces may
/// change every frame without rebuilding anything; all-zero parameters copy the image.
///
/// Precision against cpu::Beauty: the same float formulas in the same order; fused
/// multiply-adds and rounding ties (even on the GPU, away from zero on the CPU) leave
/// differences of at most 1-2 code values, in a small fraction of pixels.
class Beauty {
public:
    Beauty() = default; ///< empty until assigned from create()
    Beauty(Beauty&&) noexcept = default;
    Beauty& operator=(Beauty&& o) noexcept;
    ~Beauty() { retire(); }

    /// A stage for `width` x `height` working images with `cell`-pixel grid cells (even;
    /// BeautyGrid::kCell on the panel, BeautyGrid::cellFor() of a photo's scale): pipelines
    /// and its grid buffers.
    static Result<Beauty> create(gpu::Device& device, uint32_t width, uint32_t height,
                                 uint32_t cell = BeautyGrid::kCell);

    /// Records the stage from `src` into `dst` (distinct buffers, each width x height packed
    /// RGBA8) with `params` and `faces` (panel coordinates; the first
    /// BeautyGrid::kMaxFaces are used, and only with FaceMode::Auto). Work recorded
    /// earlier on the same queue that uses this stage must come before it in submission
    /// order (the grid buffers are reused). Fails for parameters out of range, ranges smaller
    /// than the image, or src and dst in the same buffer.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst,
                        const BeautyParams& params, std::span<const analysis::FaceBox> faces = {}) const;

    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }

private:
    void retire();

    gpu::Device* device_ = nullptr;
    gpu::ComputePipeline reduce_, coeffs_, smooth_, apply_, copy_;
    gpu::Buffer cells_, coeffsBuffer_, smoothBuffer_;
    uint32_t width_ = 0, height_ = 0;
    BeautyGrid grid_;
};

} // namespace rearview::stages
