// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_box.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace rearview::analysis {

/// How FaceTracker smooths and holds faces.
struct FaceTrackerOptions {
    float smoothing = 0.5f;   ///< 0..1: weight of the old box when a detection updates a track
    uint32_t holdUpdates = 3; ///< updates a face is kept after its last detection
    float matchIou = 0.3f;    ///< a detection continues a track when they overlap this much
};

/// Temporal smoothing of face boxes between detections: each detection continues the track
/// it overlaps most (exponential smoothing of its coordinates) or starts a new one; a track
/// without a detection is held unchanged for a few updates (a face briefly lost to motion
/// blur or a turn of the head), then dropped. Plain data, no threads: the caller calls
/// update() once per detection result.
class FaceTracker {
public:
    /// One tracked face.
    struct Track {
        FaceBox box;
        uint32_t missed = 0; ///< updates since its last detection
        uint32_t hits = 0;   ///< detections it has had
    };

    explicit FaceTracker(FaceTrackerOptions options = {}) : options_(options) {}

    /// Folds in one detection result (possibly empty).
    void update(std::span<const FaceBox> detections);
    /// The current boxes, held ones included.
    std::vector<FaceBox> boxes() const;
    std::span<const Track> tracks() const { return tracks_; }
    void clear() { tracks_.clear(); }

private:
    FaceTrackerOptions options_;
    std::vector<Track> tracks_;
};

} // namespace rearview::analysis
