// SPDX-License-Identifier: MIT
// The frame-budget governor: decides, per camera frame, whether the panel processes it and
// how often face analysis runs, from what the panel processing costs against the time the
// frames leave it and whether a recording is losing frames (docs/governor.md).
#pragma once

#include <rearview/viewfinder.hpp>

#include <cstdint>
#include <string>

namespace rearview::viewfinder {

/// Single-threaded (the pipeline thread's). Time is CLOCK_MONOTONIC nanoseconds, passed in so
/// tests can drive it with their own clock.
class Governor {
public:
    /// Deepest level there is.
    static constexpr uint32_t kMaxLevel = 7;

    /// `faceEveryFrames`: the face analysis rate at level 0 (0: no face analysis).
    explicit Governor(const GovernorOptions& options, uint32_t faceEveryFrames = 4);

    /// Every camera frame, before anything else: whether the panel processes this one.
    /// Decides a level change first when a measuring window has ended.
    bool admit(uint64_t nowNs);
    /// A frame admit() let in found the panel's frames in flight at their bound, so it was not
    /// processed: an overload signal (the next decision sheds).
    void pipelineFull();
    /// A panel frame's costs once its GPU work finished: GPU time and the pipeline thread's
    /// time recording it (they overlap across frames in flight; the larger one is the limit).
    void frameCost(double gpuMs, double cpuMs);
    /// While held, no camera frame is processed for the panel (each counts as shed): a
    /// recording's capacity is being measured, and the panel gives way to it as it would to
    /// the recording itself.
    void hold(bool held) { held_ = held; }
    /// While set (a photo's work runs: PhotoBranch::working()), the panel processes camera
    /// frames as at the deepest level the options allow: the photo runs below the panel's
    /// processing priority and takes the time this frees, and a recording keeps its own. Not
    /// while the governor is pinned off.
    void yieldToPhoto(bool yield) { photo_ = yield; }
    /// The recording's total of frames lost so far (due frames skipped, encoder drops), or
    /// nothing while no recording that the governor protects runs.
    void recordLosses(uint64_t total);

    uint32_t level() const { return level_; }
    /// The level admit() applies: level(), or the deepest allowed while yielding to a photo.
    uint32_t effectiveLevel() const;
    /// The panel processes every Nth camera frame at `level`.
    static uint32_t panelEveryFrames(uint32_t level);
    /// Face analysis every N processed frames at this level (0: off).
    uint32_t faceEveryFrames() const;
    static std::string levelName(uint32_t level);
    GovernorStats stats() const;

private:
    void decide(uint64_t nowNs);

    GovernorOptions options_;
    uint32_t faceEvery_ = 4;
    uint32_t level_ = 0;
    bool held_ = false;
    bool photo_ = false;
    uint64_t admitted_ = 0; ///< camera frames seen at the current level
    uint64_t windowStartNs_ = 0;
    double busyMs_ = 0;       ///< summed per-frame cost in the window
    bool full_ = false;       ///< the pipeline was full in the window
    uint64_t recordLosses_ = 0, lossesAtWindow_ = 0;
    uint32_t calmWindows_ = 0; ///< windows in a row without a recording loss
    double load_ = 0;
    GovernorStats stats_;
};

} // namespace rearview::viewfinder
