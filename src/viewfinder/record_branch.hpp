// SPDX-License-Identifier: MIT
// The record branch of the frame loop: the same sensor frames the viewfinder shows, taken at
// the record rate, cropped 16:9 and scaled to the recording's size on the GPU (optionally
// through the pipeline's record: stages), read back once and handed to the encoder.
#pragma once

#include "core/record_plan.hpp"
#include "core/rolling_stats.hpp"
#include "core/stage_params.hpp"
#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "record/recorder.hpp"
#include "stages/nv12_to_rgba.hpp"
#include "stages/record_scale.hpp"
#include "stages/rgba_to_nv12.hpp"
#include "stages/stage_chain.hpp"
#include "viewfinder/stage_times.hpp"

#include <rearview/viewfinder.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace rearview::viewfinder {

/// Takes frames at the record rate by sensor timestamp: a frame is taken when its timestamp
/// reaches the next due time (less a tenth of a period for timestamp jitter), and the due time
/// then moves on by one period from where it was, not from the frame, so a faster camera is
/// decimated evenly (60 -> 30 fps takes every second frame) and a slower one gives every frame.
/// After a gap of more than a period the schedule restarts at the frame.
class RecordRate {
public:
    explicit RecordRate(double fps) : periodNs_(uint64_t(1e9 / fps)) {}
    /// Whether the frame with this timestamp is taken; advances the schedule when it is.
    bool take(uint64_t timestampNs);

private:
    uint64_t periodNs_;
    std::optional<uint64_t> dueNs_;
};

/// The record branch's GPU and copy work while a recording runs. Owned by the frame loop
/// between Viewfinder::startRecording() and stopRecording(); everything but requestStages()
/// and stats() is called on the pipeline thread.
///
/// Per recorded frame: one submission of its own, made right after the viewfinder's, with
/// RecordScale (and, when the pipeline has record: stages, Nv12ToRgba -> StageChain ->
/// RgbaToNv12 at the record size) writing into one of two host-visible readback buffers. Once
/// that submission has completed, found without waiting at a later frame, the NV12 frame is
/// copied once into a pooled RecordFrame and given to the Recorder, which never blocks.
class RecordBranch {
public:
    struct Options {
        RecordOptions record;
        std::vector<StageParams> stages; ///< the pipeline's record: list (empty: scale only)
        ColorSpace colorSpace;           ///< of the frames, written into the file's colour tags
    };

    /// Creates the recorder (the file, the encoder) and the GPU resources, and applies the
    /// stage list, so a path, encoder or stage error comes from here and nothing is recorded.
    static Result<std::unique_ptr<RecordBranch>> create(gpu::Device& device, Options options);
    ~RecordBranch();
    RecordBranch(const RecordBranch&) = delete;
    RecordBranch& operator=(const RecordBranch&) = delete;

    /// From any thread: the record stage list from the next recorded frame on (an error in it
    /// leaves the current list and is reported in stats().lastError).
    void requestStages(std::vector<StageParams> stages);

    /// When `frame` is due at the record rate and an output buffer is free, records and
    /// submits its record work; returns that submission's timeline value (the frame must be
    /// held until it completes) or 0 when the frame is not recorded.
    Result<uint64_t> submitFrame(const stages::Nv12Buffer& frame, uint64_t timestampNs);
    /// Hands every output whose GPU work has completed to the recorder; never blocks.
    void collect();
    /// Waits up to `timeout` for the outputs still on the GPU and hands them over (before the
    /// branch leaves the frame loop, so the last frames are recorded too).
    Result<void> finish(std::chrono::milliseconds timeout);

    record::Recorder& recorder() { return *recorder_; }
    const RecordOptions& options() const { return options_.record; }
    /// The branch's figures and the recorder's.
    RecordingStats stats() const;
    /// A requested stage list that could not be applied since the last call, if any.
    std::optional<Error> takeStageError();

private:
    RecordBranch() = default;
    struct Output {
        gpu::Buffer nv12;        ///< readback, RecordScale::outputLayout()
        uint64_t value = 0;      ///< timeline value of the submission writing it; 0: free
        uint64_t timestampNs = 0;
    };
    void handOver(Output& out);
    /// Creates the RGBA path (conversions, chain, intermediate buffers) on first need.
    Result<void> ensureConversion();
    Result<void> applyStages(const std::vector<StageParams>& stages);
    Result<void> recordWork(VkCommandBuffer cmd, const stages::Nv12Buffer& frame, const stages::Nv12Buffer& dst);

    gpu::Device* device_ = nullptr;
    Options options_;
    uint32_t width_ = 0, height_ = 0;
    std::unique_ptr<record::Recorder> recorder_;
    std::optional<gpu::Submitter> submitter_;
    stages::RecordScale scale_;
    Output outputs_[2];
    // The record: stages, at record size; created on first use of a non-empty list.
    stages::Nv12ToRgba toRgba_;
    stages::RgbaToNv12 toNv12_;
    std::optional<stages::StageChain> chain_;
    gpu::Buffer scaled_; ///< RecordScale's output when the chain runs after it
    gpu::Buffer rgba_;   ///< the chain's working image
    uint32_t seed_ = 0;

    RecordRate rate_{30.0};
    std::optional<RecordPlan> plan_;
    uint32_t planWidth_ = 0, planHeight_ = 0;
    uint64_t startNs_ = 0;

    std::mutex pendingMutex_;
    std::optional<std::vector<StageParams>> pending_;

    mutable std::mutex statsMutex_;
    RecordingStats stats_;
    std::optional<Error> stageError_;
    RollingStats copyMs_;
    StageTimes stageTimes_;
};

} // namespace rearview::viewfinder
