// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_detector.hpp"
#include "analysis/face_tracker.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <variant>
#include <vector>

namespace rearview::analysis {

/// What the face thread has done, for the viewfinder's stats.
struct FaceAnalysisStats {
    uint64_t submitted = 0; ///< images handed in
    uint64_t analysed = 0;  ///< images the detector ran on
    uint64_t replaced = 0;  ///< images replaced by a newer one before the thread took them
    uint64_t failures = 0;  ///< detector errors (the previous faces stay)
    double lastLatencyMs = 0; ///< frame timestamp -> faces published, last image
    double meanLatencyMs = 0;
    double lastDetectMs = 0;  ///< detector run time, last image
    double rateHz = 0;        ///< analyses per second since the first one started
};

/// Face detection off the frame loop: submit() hands over the newest working image and
/// never blocks (an image not yet taken is replaced: latest wins), a named thread runs the
/// detector on it and the tracker over its results, and faces() returns the latest smoothed
/// boxes without waiting. The viewfinder submits every N frames and reads faces() each
/// frame.
class FaceThread {
public:
    static Result<std::unique_ptr<FaceThread>> create(const FaceDetectorOptions& detector = {},
                                                      const FaceTrackerOptions& tracker = {});
    ~FaceThread();
    FaceThread(const FaceThread&) = delete;
    FaceThread& operator=(const FaceThread&) = delete;

    /// Hands over `image` (panel-sized RGBA) stamped with its frame's CLOCK_MONOTONIC time.
    void submit(RgbaImage image, uint64_t frameTimestampNs);
    /// A grey thumbnail of the panel image instead (what the GPU analysis tap writes):
    /// `width` x `height` bytes, rows `stride` apart, of a `panelWidth` x `panelHeight` panel.
    struct Thumbnail {
        std::vector<uint8_t> grey;
        uint32_t width = 0, height = 0, stride = 0, panelWidth = 0, panelHeight = 0;
    };
    void submit(Thumbnail thumbnail, uint64_t frameTimestampNs);
    /// The latest smoothed face boxes (panel coordinates).
    std::vector<FaceBox> faces() const;
    /// The same into `out`, reusing its storage (per frame, without allocating).
    void copyFaces(std::vector<FaceBox>& out) const;
    FaceAnalysisStats stats() const;
    /// Waits until `analysed` reaches `count` or `timeoutMs` passes (tests, shutdown).
    bool waitAnalysed(uint64_t count, int timeoutMs) const;

private:
    FaceThread(FaceDetector detector, const FaceTrackerOptions& tracker);
    void run();

    FaceDetector detector_;
    FaceTracker tracker_; ///< used by the thread only
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;
    struct Job {
        std::variant<RgbaImage, Thumbnail> input;
        uint64_t timestampNs = 0;
    };
    void enqueue(Job job);
    std::optional<Job> pending_;
    std::vector<FaceBox> faces_;
    FaceAnalysisStats stats_;
    bool stop_ = false;
    uint64_t firstStartNs_ = 0; ///< when the first analysis started
    std::thread thread_;
};

} // namespace rearview::analysis
