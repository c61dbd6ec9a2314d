// SPDX-License-Identifier: MIT
// The per-pixel looks of a pipeline list (lut, vignette, grain) in one pass from one working
// image into another (shaders/finish/finish.comp), instead of one pass per stage.
#pragma once

#include "gpu/compute_pipeline.hpp"
#include "stages/lut3d.hpp"

#include <rearview/pipeline.hpp>

#include <span>

namespace rearview::stages {

/// Where an image a pass runs on sits: `scale` times the panel's size (a photo), and, for a
/// strip of a taller one, its rows originY.. of fullHeight (0: the image is whole). Vignette
/// geometry and grain cells follow the whole image.
struct ImagePlace {
    float scale = 1.0f;
    uint32_t originY = 0;
    uint32_t fullHeight = 0;
};

/// A run of per-pixel stages applied in one dispatch, from `src` into `dst` (which may be the
/// same buffer: each pixel is read before it is written). Each stage's result is rounded
/// to 8 bits before the next, as when it runs alone, so the pass equals the stages one after
/// the other (the same shaders/common/ arithmetic) and each stage's CPU reference holds with
/// its tolerance. Parameters, order and the LUT may change every frame; both interpolation
/// variants (a specialization constant) are built at create().
class Finish {
public:
    /// At most this many stages in one run: a LUT, a vignette and a grain.
    static constexpr size_t kMaxRun = 3;

    Finish() = default; ///< empty until assigned from create()
    static Result<Finish> create(gpu::Device& device);

    /// Whether `stage` is a per-pixel look a run can hold.
    static bool fusable(const StageParams& stage);
    /// How many stages from `stages[0]` on form one run: fusable ones, each kind once.
    static size_t runLength(std::span<const StageParams> stages);

    /// Records `run` (runLength() stages) from `src` into `dst` (width x height packed RGBA8). `lut`
    /// is the LUT a LutParams in the run reads (null when the run has none); `seed` changes
    /// the grain every frame; `place` says where the image sits (ImagePlace). Fails for a run
    /// longer than runLength() allows or parameters out of range.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst, uint32_t width,
                        uint32_t height, std::span<const StageParams> run, const Lut3d* lut, uint32_t seed,
                        const ImagePlace& place = {}) const;

private:
    gpu::ComputePipeline trilinear_, tetrahedral_;
    Lut3d noLut_; ///< a 2-point identity, bound when the run has no LUT
};

} // namespace rearview::stages
