// SPDX-License-Identifier: MIT
// The pipeline thread: each frame from the source through import, crop/scale, the stage
// chain and the HUD into the presenter's mailbox, in one submission, without waiting for the
// previous frames' GPU work; the governor decides which frames the panel processes, and every
// frame is offered to the record branch while recording.
#pragma once

#include "analysis/face_thread.hpp"
#include "capture/frame_source.hpp"
#include "core/rolling_stats.hpp"
#include "core/trace.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/frames_in_flight.hpp"
#include "gpu/submitter.hpp"
#include "present/mailbox.hpp"
#include "stages/overlay.hpp"
#include "stages/viewfinder_pass.hpp"
#include "viewfinder/frame_tap.hpp"
#include "viewfinder/governor.hpp"
#include "viewfinder/photo_branch.hpp"
#include "viewfinder/stage_times.hpp"
#include "viewfinder/record_branch.hpp"

#include <rearview/view_geometry.hpp>
#include <rearview/viewfinder.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <future>
#include <mutex>
#include <thread>

namespace rearview::viewfinder {

/// What the frame loop has done; a snapshot taken under its lock.
struct FrameLoopStats {
    uint64_t framesCaptured = 0;
    uint64_t framesProcessed = 0;
    uint64_t frameErrors = 0;
    double captureFps = 0;
    LatencyPercentiles sensorToReadyMs;
    std::vector<StageTime> gpuStages;
    double gpuFrameMs = 0;
    std::string importPath;
    uint64_t bytesCopied = 0;
    uint64_t pipelineSwitches = 0;
    uint64_t snapshots = 0;
    uint32_t frameWidth = 0, frameHeight = 0;
    ColorSpace colorSpace;
    GovernorStats governor;
    std::optional<Error> lastError;
};

/// Runs the viewfinder branch of every frame on its own thread ("rv-pipeline"). Each panel
/// frame is one submission; the loop does not wait for it but takes the next camera frame,
/// with at most Options::framesInFlight panel frames on the GPU. Finished frames (seen by
/// polling the timeline, in submission order) are published to the mailbox with their sensor
/// and ready times, and each frame goes back to its source only after the GPU finished
/// reading it. A Governor decides per camera frame whether the panel processes it; every
/// frame is offered to the record branch. Setters may be called from any thread and take
/// effect at the next frame.
class FrameLoop {
public:
    /// InvalidArgument unless 1..4 panel frames may be in flight.
    static Result<void> checkFramesInFlight(uint32_t framesInFlight);

    struct Options {
        uint32_t panelWidth = 904;
        uint32_t panelHeight = 572;
        ViewGeometry geometry;
        bool hud = true;
        analysis::FaceThread* faces = nullptr; ///< not owned; nullptr: no face analysis
        uint32_t faceEveryFrames = 4;
        Tracer* tracer = nullptr;              ///< not owned; nullptr: no trace
        /// HUD lines for the next frame, called on the pipeline thread.
        std::function<std::vector<std::string>()> hudText;
        uint32_t framesInFlight = 2; ///< 1..4
        GovernorOptions governor;
        /// Camera frames the photo ring holds for zero shutter lag (0: a photo takes the next
        /// frame), and the sequence the panel shows (the presenter's).
        uint32_t photoRingFrames = 3;
        std::function<std::optional<uint64_t>()> onPanel;
    };

    static Result<std::unique_ptr<FrameLoop>> create(gpu::Device& device, present::Mailbox& mailbox, Options options);
    ~FrameLoop();

    /// Starts the thread reading `source` (not owned; it must outlive stop()).
    void start(FrameSource& source);
    /// Stops the thread and waits for the GPU work of the frames it holds, so every buffer
    /// goes back to the source.
    void stop();

    void requestStages(std::vector<StageParams> stages);
    void setGeometry(const ViewGeometry& geometry);
    ViewGeometry geometry() const;
    void setHudVisible(bool visible);
    bool hudVisible() const { return hudVisible_.load(); }

    /// From any thread: frames also go through `branch` from the next one on.
    void attachRecording(std::shared_ptr<RecordBranch> branch);
    /// From any thread: takes the record branch out of the loop, after its frames still on
    /// the GPU (waited for up to `timeout`) were handed to its recorder. nullptr when none.
    std::shared_ptr<RecordBranch> detachRecording(std::chrono::milliseconds timeout);
    /// The attached record branch, if any (for its stats and stage list).
    std::shared_ptr<RecordBranch> recordBranch() const;

    /// The next panel image (as published) to a PNG; waits up to `timeout`.
    Result<void> snapshot(const std::string& path, std::chrono::milliseconds timeout);
    /// Viewfinder::setFrameTap(); any thread.
    Result<void> setFrameTap(FrameTapOptions tap) { return tap_->set(std::move(tap)); }
    FrameTapStats tapStats() const { return tap_->stats(); }
    /// Photos (Viewfinder::capturePhoto()); any thread.
    PhotoBranch& photo() { return *photo_; }
    const PhotoBranch& photo() const { return *photo_; }

    FrameLoopStats stats() const;

    /// From any thread: while held, the panel processes no camera frame (they count as shed;
    /// the panel repeats its last image) — while a recording's capacity is measured.
    void holdPanel(bool held) { panelHeld_ = held; }

    /// Extra GPU time for every panel frame, as a slower device would take (for tests of the
    /// governor; 0 by default). From any thread. A frame is taken as finished that much later
    /// than its GPU work, one after the other as a device's queue runs them, and its cost
    /// counts that much more; the pipeline thread does not wait for it.
    void setSimulatedFrameCost(std::chrono::microseconds cost) { simulatedCostUs_ = cost.count(); }

private:
    /// A panel frame submitted and not yet published.
    struct PanelFrame {
        uint32_t slot = 0;
        uint64_t value = 0;
        uint64_t sequence = 0, sensorNs = 0, startNs = 0, submittedNs = 0;
        double cpuMs = 0;
        uint64_t simulatedNs = 0;   ///< setSimulatedFrameCost() and an injected stage delay when submitted
        uint64_t injectedStageNs = 0; ///< of which REARVIEW_TEST_STAGE_DELAY (core/test_hooks.hpp)
        uint64_t simulatedDoneNs = 0; ///< not finished before then (0: no simulated cost)
        uint64_t generation = 0;
        bool snapshot = false;
        std::optional<uint32_t> tapBuffer; ///< the frame tap's buffer it is copied into
        bool tapHud = false;
    };

    FrameLoop() = default;
    void run(std::stop_token stop, FrameSource& source);
    /// Governor, panel processing (when admitted and not full), record branch.
    Result<void> handleFrame(CapturedFrame frame);
    Result<void> processFrame(CapturedFrame& frame);
    /// Publishes the panel frames whose GPU work has finished, oldest first; with `wait`,
    /// waits for all of them.
    void completeFrames(bool wait);
    void complete(const PanelFrame& frame);
    void finishSnapshot(const present::ReadyFrame& ready);
    void recordError(const Error& error);

    gpu::Device* device_ = nullptr;
    present::Mailbox* mailbox_ = nullptr;
    Options options_;
    std::optional<gpu::FrameImporter> importer_;
    std::optional<gpu::Submitter> submitter_;
    std::optional<gpu::FramesInFlight> inFlight_;
    std::optional<stages::ViewfinderPass> pass_;
    std::optional<stages::Overlay> overlay_;
    gpu::Buffer snapshotBuffer_;
    bool snapshotInFlight_ = false;
    std::unique_ptr<FrameTap> tap_;
    std::unique_ptr<PhotoBranch> photo_;
    /// The stage list frames ran with, shared with the photos taken of them; remade when a
    /// new list is applied (generation).
    std::shared_ptr<const std::vector<StageParams>> stages_;
    uint64_t stagesGeneration_ = 0;
    std::atomic<bool> hudVisible_{true};
    std::deque<PanelFrame> panelFrames_; ///< pipeline thread
    std::optional<Governor> governor_;   ///< pipeline thread
    std::atomic<int64_t> simulatedCostUs_{0};
    uint64_t simulatedDoneNs_ = 0; ///< when the last frame with a simulated cost finishes
    std::atomic<bool> panelHeld_{false};

    mutable std::mutex geometryMutex_;
    ViewGeometry geometry_;
    std::optional<CropPlan> plan_; ///< for planFor_
    ViewGeometry planGeometry_;
    FrameFormat planFormat_;

    std::mutex snapshotMutex_;
    struct SnapshotRequest {
        std::string path;
        std::promise<Result<void>> done;
    };
    std::vector<SnapshotRequest> snapshotRequests_;

    // Read under branchMutex_, held only to copy the pointer.
    mutable std::mutex branchMutex_;
    std::shared_ptr<RecordBranch> branch_;

    mutable std::mutex statsMutex_;
    FrameLoopStats stats_;
    RollingStats sensorToReady_;
    StageTimes stageTimes_;
    RateMeter captureRate_;
    uint64_t stoppedNs_ = 0; ///< when the thread stopped taking frames; 0 while running

    std::jthread thread_;
};

} // namespace rearview::viewfinder
