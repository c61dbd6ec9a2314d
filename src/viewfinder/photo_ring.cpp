// SPDX-License-Identifier: MIT
#include "viewfinder/photo_ring.hpp"

namespace rearview::viewfinder {

void PhotoRing::push(const CapturedFrame& frame, const CropPlan& panelPlan, const ViewGeometry& geometry,
                     const std::shared_ptr<const std::vector<StageParams>>& stages,
                     const std::vector<analysis::FaceBox>& faces) {
    if (slots_.empty())
        return;
    RingFrame& slot = slots_[next_];
    slot.frame = frame; // the frame it replaces goes back to the camera here
    slot.panelPlan = panelPlan;
    slot.geometry = geometry;
    slot.stages = stages;
    slot.faces.assign(faces.begin(), faces.end());
    next_ = (next_ + 1) % capacity();
    if (size() < capacity())
        held_.fetch_add(1, std::memory_order_relaxed);
}

const RingFrame* PhotoRing::find(uint64_t sequence) const {
    for (const RingFrame& slot : slots_)
        if (slot.frame.release && slot.frame.sequence == sequence)
            return &slot;
    return nullptr;
}

void PhotoRing::clear() {
    for (RingFrame& slot : slots_)
        slot = {};
    next_ = 0;
    held_.store(0, std::memory_order_relaxed);
}

} // namespace rearview::viewfinder
