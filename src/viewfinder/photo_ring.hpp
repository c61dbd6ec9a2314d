// SPDX-License-Identifier: MIT
// Zero shutter lag: the last few camera frames, held with what a photo of each needs, so the
// frame that was on the panel when the shutter was pressed can still be taken.
#pragma once

#include "analysis/face_box.hpp"
#include "core/crop_plan.hpp"
#include "core/frame.hpp"

#include <rearview/pipeline.hpp>
#include <rearview/view_geometry.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace rearview::viewfinder {

/// A camera frame with the panel's view of it: what its photo is made with.
struct RingFrame {
    CapturedFrame frame;     ///< a copy sharing the release handle: the buffer stays out of the camera's hands
    CropPlan panelPlan;      ///< the panel's crop plan for the frame
    ViewGeometry geometry;   ///< the geometry that plan was made with
    std::shared_ptr<const std::vector<StageParams>> stages; ///< the panel's stage list at the frame
    std::vector<analysis::FaceBox> faces; ///< the face boxes (panel pixels) beauty used
};

/// The newest `capacity` frames, oldest first. Pipeline thread only, except size(), which any
/// thread may read. Each slot's storage is reused, so keeping a frame allocates nothing once
/// the ring has filled; a frame pushed out gives its buffer back to the camera at once.
class PhotoRing {
public:
    explicit PhotoRing(uint32_t capacity) : slots_(capacity) {}

    uint32_t capacity() const { return uint32_t(slots_.size()); }
    /// Keeps `frame` (copied), letting the oldest go when the ring is full; nothing when the
    /// capacity is 0.
    void push(const CapturedFrame& frame, const CropPlan& panelPlan, const ViewGeometry& geometry,
              const std::shared_ptr<const std::vector<StageParams>>& stages,
              const std::vector<analysis::FaceBox>& faces);
    /// The held frame with `sequence`, if any.
    const RingFrame* find(uint64_t sequence) const;
    /// Lets every frame go (their buffers go back to the camera).
    void clear();
    /// Frames held now; any thread.
    uint32_t size() const { return held_.load(std::memory_order_relaxed); }

private:
    std::vector<RingFrame> slots_;
    uint32_t next_ = 0;   ///< slot the next push writes
    std::atomic<uint32_t> held_{0};
};

} // namespace rearview::viewfinder
