// SPDX-License-Identifier: MIT
#include "present/present_stats.hpp"

#include <algorithm>

namespace rearview::present {
namespace {

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    size_t k = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    std::ranges::nth_element(v, v.begin() + ptrdiff_t(k));
    return v[k];
}

} // namespace

std::string_view toString(TimingSource source) noexcept {
    switch (source) {
    case TimingSource::OwnClock: return "own clock";
    case TimingSource::PresentWait: return "VK_KHR_present_wait";
    case TimingSource::DisplayTiming: return "VK_GOOGLE_display_timing";
    }
    return "?";
}

void StatsRecorder::push(std::vector<double>& ring, size_t& next, double v) {
    if (ring.size() < kWindow)
        ring.push_back(v);
    else
        ring[next] = v;
    next = (next + 1) % kWindow;
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
        ++s_.framesShown;
    }
    ++currentShown_;
    s_.timesShownMax = std::max(s_.timesShownMax, currentShown_);
}

void StatsRecorder::presentTime(uint64_t presentNs, bool fresh, uint64_t sensorNs) {
    std::lock_guard l(m_);
    if (lastPresentNs_ && presentNs > lastPresentNs_)
        push(intervals_, intervalNext_, double(presentNs - lastPresentNs_) * 1e-6);
    lastPresentNs_ = presentNs;
    if (fresh && sensorNs && presentNs > sensorNs)
        push(latencies_, latencyNext_, double(presentNs - sensorNs) * 1e-6);
}

PresentStats StatsRecorder::snapshot(uint64_t published, uint64_t dropped) const {
    std::lock_guard l(m_);
    PresentStats s = s_;
    s.refreshes = s.presented + s.missedRefreshes + s.minimisedSkips;
    s.framesPublished = published;
    s.framesDropped = dropped;
    s.presentIntervalP50Ms = percentile(intervals_, 0.50);
    s.presentIntervalP99Ms = percentile(intervals_, 0.99);
    s.latencyP50Ms = percentile(latencies_, 0.50);
    s.latencyP99Ms = percentile(latencies_, 0.99);
    if (s.framesShown)
        s.timesShownMean = double(shownSum_ + currentShown_) / double(s.framesShown);
    return s;
}

} // namespace rearview::present
