// SPDX-License-Identifier: MIT
#pragma once

#include "core/rolling_stats.hpp"

#include <cstdint>
#include <mutex>
#include <string_view>
#include <vector>

namespace rearview::present {

/// Where a presenter's present times come from.
enum class TimingSource {
    OwnClock,      ///< CLOCK_MONOTONIC read when vkQueuePresentKHR returns (no driver timing)
    PresentWait,   ///< VK_KHR_present_id + VK_KHR_present_wait: when the driver says the present happened
    DisplayTiming, ///< VK_GOOGLE_display_timing: the actual present time the display reports
};
std::string_view toString(TimingSource source) noexcept;

/// A snapshot of a presenter's frame pacing, in the spirit of a frame-pacing library
/// (Swappy): what was shown, when, and how often the presenter missed the panel's refresh.
struct PresentStats {
    uint64_t refreshes = 0;          ///< refresh deadlines gone by: presented + missed + minimised
    uint64_t presented = 0;          ///< images presented
    uint64_t missedRefreshes = 0;    ///< deadlines that passed without a present (the presenter was late)
    uint64_t minimisedSkips = 0;     ///< deadlines skipped because the surface had a zero extent
    uint64_t stale = 0;              ///< presents of a frame older than the newest completed one (must stay 0)
    uint64_t framesPublished = 0;    ///< frames the pipeline published to the mailbox
    uint64_t framesShown = 0;        ///< distinct frames presented at least once
    uint64_t framesDropped = 0;      ///< published frames replaced before the presenter took them
    double presentIntervalP50Ms = 0; ///< time between consecutive presents
    double presentIntervalP99Ms = 0;
    double timesShownMean = 0;       ///< presents per camera frame (1 = shown once, 4 = 30 fps on 120 Hz)
    uint64_t timesShownMax = 0;
    /// Refreshes each frame stayed on the panel, mean: its presents plus the refreshes missed
    /// while it was current (the panel scans the last image out again). 30 fps on 120 Hz: 4.
    double refreshesOnScreenMean = 0;
    double latencyP50Ms = 0;         ///< sensor timestamp -> first present of the frame
    double latencyP99Ms = 0;
    TimingSource timingSource = TimingSource::OwnClock;
    uint64_t swapchainRecreations = 0; ///< after out-of-date, suboptimal, resize or restore
    uint32_t width = 0;                ///< current swapchain extent (0 while minimised)
    uint32_t height = 0;
    bool copyPath = false;             ///< blit through a buffer copy (no storage swapchain images)
};

/// Collects PresentStats on the presenter thread; stats() may be called from any thread.
/// Percentiles are over the latest kWindow samples.
class StatsRecorder {
public:
    static constexpr size_t kWindow = 4096;

    void missed(uint64_t n) {
        std::lock_guard l(m_);
        s_.missedRefreshes += n;
        if (s_.framesShown)
            currentOnScreen_ += n;
    }
    void minimised() { std::lock_guard l(m_); ++s_.minimisedSkips; }
    void stale() { std::lock_guard l(m_); ++s_.stale; }
    void recreated() { std::lock_guard l(m_); ++s_.swapchainRecreations; }
    void extent(uint32_t w, uint32_t h, bool copyPath);
    void timingSource(TimingSource t) { std::lock_guard l(m_); s_.timingSource = t; }
    /// One present (of a frame when `hasFrame`; `fresh` when it is that frame's first).
    void presented(bool hasFrame, bool fresh);
    /// When a present happened (reported with presented(), or later by the driver).
    void presentTime(uint64_t presentNs, bool fresh, uint64_t sensorNs);
    PresentStats snapshot(uint64_t published, uint64_t dropped) const;

private:
    mutable std::mutex m_;
    PresentStats s_;
    uint64_t lastPresentNs_ = 0;
    RollingStats intervals_{kWindow}, latencies_{kWindow};
    uint64_t shownSum_ = 0;      ///< presents of all frames before the current one
    uint64_t currentShown_ = 0;
    uint64_t onScreenSum_ = 0;     ///< refreshes on screen of all frames before the current one
    uint64_t currentOnScreen_ = 0; ///< refreshes on screen of the current frame  ///< presents of the current frame
};

} // namespace rearview::present
