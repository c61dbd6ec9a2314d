// SPDX-License-Identifier: MIT
#include "present/present_stats.hpp"

#include <algorithm>

namespace rearview::present {
std::string_view toString(TimingSource source) noexcept {
    switch (source) {
    case TimingSource::OwnClock: return "own clock";
    case TimingSource::PresentWait: return "VK_KHR_present_wait";
    case TimingSource::DisplayTiming: return "VK_GOOGLE_display_timing";
    }
    return "?";
}

void StatsRecorder::extent(uint32_t w, uint32_t h, bool copyPath) {
    std::lock_guard l(m_);
    s_.width = w;
    s_.height = h;
    s_.copyPath = copyPath;
}

void StatsRecorder::presented(bool hasFrame, bool fresh) {
    std::lock_guard l(m_);
    ++s_.presented;
    if (!hasFrame)
        return;
    if (fresh) {
        shownSum_ += currentShown_;
        currentShown_ = 0;
        onScreenSum_ += currentOnScreen_;
        currentOnScreen_ = 0;
        ++s_.framesShown;
    }
    ++currentShown_;
    ++currentOnScreen_;
    s_.timesShownMax = std::max(s_.timesShownMax, currentShown_);
}

void StatsRecorder::presentTime(uint64_t presentNs, bool fresh, uint64_t sensorNs) {
    std::lock_guard l(m_);
    if (lastPresentNs_ && presentNs > lastPresentNs_)
        intervals_.add(double(presentNs - lastPresentNs_) * 1e-6);
    lastPresentNs_ = presentNs;
    if (fresh && sensorNs && presentNs > sensorNs)
        latencies_.add(double(presentNs - sensorNs) * 1e-6);
}

PresentStats StatsRecorder::snapshot(uint64_t published, uint64_t dropped) const {
    std::lock_guard l(m_);
    PresentStats s = s_;
    s.refreshes = s.presented + s.missedRefreshes + s.minimisedSkips;
    s.framesPublished = published;
    s.framesDropped = dropped;
    s.presentIntervalP50Ms = intervals_.p50();
    s.presentIntervalP99Ms = intervals_.p99();
    s.latencyP50Ms = latencies_.p50();
    s.latencyP99Ms = latencies_.p99();
    if (s.framesShown) {
        s.timesShownMean = double(shownSum_ + currentShown_) / double(s.framesShown);
        s.refreshesOnScreenMean = double(onScreenSum_ + currentOnScreen_) / double(s.framesShown);
    }
    return s;
}

} // namespace rearview::present
