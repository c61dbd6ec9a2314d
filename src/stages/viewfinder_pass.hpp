// SPDX-License-Identifier: MIT
#pragma once

#include "core/crop_plan.hpp"
#include "stages/crop_scale.hpp"
#include "stages/stage_chain.hpp"

#include <mutex>
#include <optional>

namespace rearview::stages {

/// One viewfinder frame on the GPU: crop/scale of the imported sensor frame into the
/// working image, then the pipeline's stage chain over it. A new stage list (another
/// pipeline file, or changed parameters) can be requested from any thread at any time; it
/// is taken at the start of the next frame, so no frame is dropped or waits for it.
class ViewfinderPass {
public:
    ViewfinderPass() = default; ///< empty until assigned from create()
    ViewfinderPass(ViewfinderPass&& o) noexcept { *this = std::move(o); }
    ViewfinderPass& operator=(ViewfinderPass&& o) noexcept;

    /// A pass for a `panelWidth` x `panelHeight` panel; its working image is a storage
    /// buffer of packed RGBA8 that is also a transfer source (snapshots, presentation).
    static Result<ViewfinderPass> create(gpu::Device& device, uint32_t panelWidth, uint32_t panelHeight);

    /// From any thread: the stage list frames use from the next one recorded.
    void requestStages(std::vector<StageParams> stages);

    /// What record() did.
    struct Frame {
        uint64_t generation = 0; ///< requests applied so far (0: the initial empty chain)
        std::optional<Error> applyError; ///< a request that could not be applied (the old chain ran)
    };
    /// Pipeline thread, once per frame: applies a pending request, then records crop/scale
    /// of `frame` per `plan` and the chain (grain seeded with `seed`).
    Result<Frame> record(VkCommandBuffer cmd, const Nv12Buffer& frame, const CropPlan& plan, uint32_t seed);

    VkDescriptorBufferInfo workingImage() const { return {image_.get(), 0, image_.size()}; }
    StageChain& chain() { return chain_; }

private:
    CropScale cropScale_;
    StageChain chain_;
    gpu::Buffer image_;
    uint32_t width_ = 0, height_ = 0;
    std::mutex mutex_;
    std::optional<std::vector<StageParams>> pending_;
    uint64_t generation_ = 0;
};

} // namespace rearview::stages
