// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_thread.hpp"
#include "core/crop_plan.hpp"
#include "stages/crop_scale.hpp"
#include "stages/face_thumbnail.hpp"
#include "stages/stage_chain.hpp"

#include <mutex>
#include <optional>

namespace rearview::stages {

/// One viewfinder frame on the GPU: crop/scale of the imported sensor frame into the
/// working image, then the pipeline's stage chain from it into the frame's output (the
/// mailbox slot), the chain's last pass writing there directly. A new stage list (another
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
    /// of `frame` per `plan` and the chain (grain seeded with `seed`) into `out` (a panel-sized
    /// packed RGBA8 storage buffer), and the face tap's thumbnail of `out`. With `spans`,
    /// crop/scale and each pass are GPU-timed spans of that submitter's recording.
    Result<Frame> record(VkCommandBuffer cmd, const Nv12Buffer& frame, const CropPlan& plan, VkDescriptorBufferInfo out,
                         uint32_t seed, gpu::Submitter* spans = nullptr);

    /// The analysis tap: every `everyFrames`-th frame also writes a grey thumbnail of the
    /// working image, which goes to `faces` (not owned; nullptr stops the tap) once the GPU
    /// has finished it, checked without waiting at the next record(); each frame's beauty
    /// uses the thread's latest boxes. The frame loop never waits for the detector.
    Result<void> setFaceAnalysis(analysis::FaceThread* faces, uint32_t everyFrames = 4);
    /// The face analysis rate from the next frame on (the governor lowers it under load); 0
    /// is taken as 1.
    void setFaceEveryFrames(uint32_t everyFrames) { everyFrames_ = everyFrames ? everyFrames : 1; }
    /// Tells the pass the timeline value and sensor time of the frame recorded last, once
    /// submitted (the tap's thumbnail is read after that value completes).
    void submitted(uint64_t value, uint64_t frameTimestampNs);

    StageChain& chain() { return chain_; }
    /// The face boxes the last recorded frame's beauty used (panel pixels).
    const std::vector<analysis::FaceBox>& faces() const { return frameFaces_; }

private:
    gpu::Device* device_ = nullptr;
    CropScale cropScale_;
    FaceThumbnail thumbnail_;
    analysis::FaceThread* faces_ = nullptr;
    std::vector<analysis::FaceBox> frameFaces_; ///< reused every frame
    uint32_t everyFrames_ = 4;
    uint64_t frames_ = 0;
    gpu::Buffer thumbBuffer_;
    enum class Tap : uint8_t { Idle, Recorded, Submitted } tap_ = Tap::Idle;
    uint64_t tapValue_ = 0, tapTimestampNs_ = 0;
    StageChain chain_;
    gpu::Buffer image_;
    uint32_t width_ = 0, height_ = 0;
    std::mutex mutex_;
    std::optional<std::vector<StageParams>> pending_;
    uint64_t generation_ = 0;
};

} // namespace rearview::stages
