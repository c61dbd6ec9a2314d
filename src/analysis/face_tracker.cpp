// SPDX-License-Identifier: MIT
#include "analysis/face_tracker.hpp"

#include <algorithm>
#include <cstdint>

namespace rearview::analysis {

void FaceTracker::update(std::span<const FaceBox> detections) {
    std::vector<bool> trackMatched(tracks_.size(), false), detectionUsed(detections.size(), false);
    // Greedy by overlap: the best-overlapping pair first, so two nearby faces keep their tracks.
    for (;;) {
        float best = options_.matchIou;
        size_t bt = SIZE_MAX, bd = SIZE_MAX;
        for (size_t t = 0; t < tracks_.size(); ++t)
            for (size_t d = 0; d < detections.size(); ++d)
                if (!trackMatched[t] && !detectionUsed[d])
                    if (const float iou = intersectionOverUnion(tracks_[t].box, detections[d]); iou >= best) {
                        best = iou;
                        bt = t;
                        bd = d;
                    }
        if (bt == SIZE_MAX)
            break;
        trackMatched[bt] = detectionUsed[bd] = true;
        Track& track = tracks_[bt];
        const float k = options_.smoothing;
        const FaceBox& d = detections[bd];
        track.box = {k * track.box.x + (1 - k) * d.x, k * track.box.y + (1 - k) * d.y,
                     k * track.box.width + (1 - k) * d.width, k * track.box.height + (1 - k) * d.height};
        track.missed = 0;
        ++track.hits;
    }
    for (size_t t = 0; t < tracks_.size(); ++t)
        if (!trackMatched[t])
            ++tracks_[t].missed;
    std::erase_if(tracks_, [&](const Track& t) { return t.missed > options_.holdUpdates; });
    for (size_t d = 0; d < detections.size(); ++d)
        if (!detectionUsed[d])
            tracks_.push_back({detections[d], 0, 1});
}

std::vector<FaceBox> FaceTracker::boxes() const {
    std::vector<FaceBox> out;
    out.reserve(tracks_.size());
    for (const Track& t : tracks_)
        out.push_back(t.box);
    return out;
}

} // namespace rearview::analysis
