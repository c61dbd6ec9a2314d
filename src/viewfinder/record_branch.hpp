// SPDX-License-Identifier: MIT
// The record branch of the frame loop: the same sensor frames the viewfinder shows, taken at
// the record rate, cropped 16:9 and scaled to the recording's size on the GPU (optionally
// through the pipeline's record: stages), read back once and handed to the encoder, on a
// thread and GPU queue of its own.
#pragma once

#include "core/record_plan.hpp"
#include "core/rolling_stats.hpp"
#include <rearview/pipeline.hpp>
#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "gpu/frame_importer.hpp"
#include "record/recorder.hpp"
#include "stages/nv12_to_rgba.hpp"
#include "stages/record_lut.hpp"
#include "stages/record_scale.hpp"
#include "stages/rgba_to_nv12.hpp"
#include "stages/stage_chain.hpp"
#include "viewfinder/stage_times.hpp"

#include <rearview/viewfinder.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <stop_token>
#include <thread>
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

/// The record branch while a recording runs: owned by the frame loop between
/// Viewfinder::startRecording() and stopRecording().
///
/// It runs on its own thread ("rv-record") and its own GPU device, a companion of the
/// viewfinder's (gpu::Device::createCompanion()), so its work queues behind nothing of the
/// viewfinder's and the viewfinder's behind nothing of its. The thread takes the recording's
/// priority (RecordPriority: nice 4 by default, SCHED_IDLE for Background) before it creates
/// anything, so the companion's driver
/// threads (lavapipe's shader workers), the encoder's threads and its own inherit it. The
/// pipeline thread never waits for a lock the branch's thread holds.
///
/// The pipeline thread offers every frame (offer(), which never blocks); a frame due at the
/// record rate is taken while fewer than two wait (one may be recorded meanwhile), as a copy of the CapturedFrame that shares
/// its release handle, so the camera gets the buffer back only when both branches are done
/// with it. Per taken frame the branch imports it into its device, runs RecordScale (and, when
/// the pipeline has record: stages, Nv12ToRgba -> StageChain -> RgbaToNv12 at the record size)
/// into a host-visible readback buffer, waits for that, lets the frame go, copies the NV12
/// frame once into a pooled RecordFrame and gives it to the Recorder, which never blocks.
class RecordBranch {
public:
    struct Options {
        RecordOptions record;
        std::vector<StageParams> stages; ///< the pipeline's record: list (empty: scale only)
        ColorSpace colorSpace;           ///< of the frames, written into the file's colour tags
        /// The sensor frames' size: what the branch measures its GPU work on before it starts
        /// (RecordingPlan). 0: nothing is measured, and the resolution must not be Auto.
        uint32_t frameWidth = 0, frameHeight = 0;
    };

    /// Starts the branch's thread, which creates the companion device, the GPU resources and
    /// the stage list, measures what the device sustains and chooses the size (RecordingPlan:
    /// Auto, or a fixed size that falls short), and creates the recorder (the file, the
    /// encoder); returns once that is done, so a path, encoder or stage error comes from here
    /// and nothing is recorded.
    static Result<std::unique_ptr<RecordBranch>> create(gpu::Device& device, Options options);
    /// Stops the thread after the frame in hand, if any, has been recorded.
    ~RecordBranch();
    RecordBranch(const RecordBranch&) = delete;
    RecordBranch& operator=(const RecordBranch&) = delete;

    /// From any thread: the record stage list from the next recorded frame on (an error in it
    /// leaves the current list and is reported by takeError()).
    void requestStages(std::vector<StageParams> stages);

    /// From the pipeline thread; never blocks. Takes `frame` when it is due at the record rate
    /// and fewer than kWaitingFrames wait for the branch; a due frame that finds them waiting is
    /// counted as skipped.
    void offer(const CapturedFrame& frame);
    /// Takes no more frames and waits up to `timeout` until the frame taken last has reached
    /// the recorder and gone back to its source (before the branch leaves the frame loop, so
    /// the last frames are recorded).
    Result<void> finish(std::chrono::milliseconds timeout);

    record::Recorder& recorder() { return *recorder_; }
    /// The options recorded with (the resolution is the one chosen, never Auto).
    const RecordOptions& options() const { return options_.record; }
    /// What was measured and chosen before recording.
    const RecordingPlan& plan() const { return recordingPlan_; }
    /// The branch's figures and the recorder's.
    RecordingStats stats() const;
    /// Frames the recording lost so far: due frames skipped while the branch was busy, and
    /// frames the encoder's overload policy dropped. Lock-free (the pipeline thread's governor).
    uint64_t losses() const { return framesSkipped_.load() + encoderDrops_.load(); }
    /// A frame that could not be recorded, or a requested stage list that could not be
    /// applied, since the last call, if any. Without `wait` (the pipeline thread) it returns
    /// nothing rather than wait for the branch's thread to let go of its figures.
    std::optional<Error> takeError(bool wait = true);

private:
    RecordBranch() = default;
    void run(std::stop_token stop, gpu::Device& primary, std::promise<Result<void>>& created);
    /// On the branch's thread: the companion device and everything that runs on it.
    Result<void> setUp(gpu::Device& primary);
    /// On the branch's thread: one frame from import to the recorder.
    Result<void> recordFrame(CapturedFrame frame);
    void handOver(uint64_t value, uint64_t timestampNs);
    void setError(const Error& error);
    /// Creates the RGBA path (conversions, chain, intermediate buffers) on first need.
    Result<void> ensureConversion();
    Result<void> applyStages(const std::vector<StageParams>& stages);
    /// On the branch's thread: measures the sizes and sets width_/height_ and recordingPlan_ to the
    /// chosen one, its buffers and stage list ready.
    Result<void> choosePlan();
    /// Makes the size-dependent buffers and the stage list for `resolution`.
    Result<void> prepareSize(RecordResolution resolution);
    /// GPU time of one frame's record work at the prepared size, on a sensor-size frame.
    Result<double> measureGpuMs();
    Result<void> recordWork(VkCommandBuffer cmd, const stages::Nv12Buffer& frame, const stages::Nv12Buffer& dst);
    /// One submission of the record work for `frame` into `dst`; `recorded` says whether its
    /// commands were recorded whole (it is submitted either way). The caller waits for it.
    Result<uint64_t> submitWork(const stages::Nv12Buffer& frame, const stages::Nv12Buffer& dst,
                                Result<void>& recorded);

    // Declared first so it is destroyed last, after everything created on it.
    std::unique_ptr<gpu::Device> device_;
    Options options_;
    uint32_t width_ = 0, height_ = 0;
    RecordingPlan recordingPlan_;
    std::unique_ptr<record::Recorder> recorder_;
    std::optional<gpu::FrameImporter> importer_;
    std::optional<gpu::Submitter> submitter_;
    stages::RecordScale scale_;
    gpu::Buffer readback_; ///< RecordScale::outputLayout()
    // The record: stages, at record size; created on first use of a non-empty list.
    stages::Nv12ToRgba toRgba_;
    stages::RgbaToNv12 toNv12_;
    stages::RecordLut recordLut_; ///< a record list of one LUT, in one pass
    std::optional<stages::StageChain> chain_;
    gpu::Buffer scaled_; ///< RecordScale's output when the chain runs after it
    gpu::Buffer rgba_;   ///< the chain's working image
    uint32_t seed_ = 0;

    RecordRate rate_{30.0}; ///< pipeline thread
    std::optional<RecordPlan> plan_;
    uint32_t planWidth_ = 0, planHeight_ = 0;
    uint64_t startNs_ = 0;

    std::mutex pendingMutex_;
    std::optional<std::vector<StageParams>> pendingStages_;

    // The hand-over from the pipeline thread: at most one frame taken and not yet recorded.
    std::mutex frameMutex_;
    std::condition_variable_any frameTaken_;
    std::condition_variable frameDone_;
    /// Due frames waiting for the branch (their buffers stay out of the camera's hands).
    static constexpr size_t kWaitingFrames = 2;
    std::deque<CapturedFrame> taken_;
    bool busy_ = false;   ///< a frame is being recorded (taken_ holds those waiting after it)
    bool closed_ = false; ///< finish() was called: no more frames are taken

    // Counted by the pipeline thread without a lock (see offer()).
    std::atomic<bool> accepting_{true}; ///< false once the recorder has stopped by itself
    std::atomic<uint64_t> framesSelected_{0}, framesSkipped_{0};
    std::atomic<uint64_t> encoderDrops_{0}; ///< the recorder's framesDropped, as the branch last saw it

    mutable std::mutex statsMutex_;
    RecordingStats stats_;
    std::optional<Error> error_;
    RollingStats copyMs_;
    StageTimes stageTimes_;

    std::jthread thread_; ///< last: stopped and joined before the members above go
};

} // namespace rearview::viewfinder
