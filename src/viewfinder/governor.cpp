// SPDX-License-Identifier: MIT
#include "viewfinder/governor.hpp"

#include <algorithm>
#include <array>
#include <format>

namespace rearview::viewfinder {
namespace {

constexpr std::array<uint32_t, Governor::kMaxLevel + 1> kPanelEvery = {1, 1, 2, 3, 4, 6, 8, 12};
constexpr uint32_t kFaceSlowdown = 4; ///< face analysis rate divided by this from level 1 on
/// Windows in a row without a recording loss (or a shed) before a level is restored: 2 s.
constexpr uint32_t kCalmWindowsToRestore = 8;

} // namespace

Governor::Governor(const GovernorOptions& options, uint32_t faceEveryFrames)
    : options_(options), faceEvery_(faceEveryFrames) {
    options_.maxLevel = std::min(options_.maxLevel, kMaxLevel);
    options_.windowMs = std::max<uint32_t>(options_.windowMs, 50);
    stats_.levelName = levelName(0);
}

uint32_t Governor::effectiveLevel() const {
    return photo_ && options_.enabled ? std::max(level_, options_.maxLevel) : level_;
}

uint32_t Governor::panelEveryFrames(uint32_t level) { return kPanelEvery[std::min(level, kMaxLevel)]; }

uint32_t Governor::faceEveryFrames() const { return level_ >= 1 ? faceEvery_ * kFaceSlowdown : faceEvery_; }

std::string Governor::levelName(uint32_t level) {
    if (level == 0)
        return "full";
    if (level == 1)
        return std::format("faces 1/{}", kFaceSlowdown);
    return std::format("panel 1/{}", panelEveryFrames(level));
}

bool Governor::admit(uint64_t nowNs) {
    if (windowStartNs_ == 0)
        windowStartNs_ = nowNs;
    if (nowNs - windowStartNs_ >= uint64_t(options_.windowMs) * 1'000'000)
        decide(nowNs);
    const bool take = admitted_++ % panelEveryFrames(effectiveLevel()) == 0 && !held_;
    if (!take) {
        ++stats_.framesShed;
        if (photo_)
            ++stats_.framesForPhoto;
    }
    return take;
}

void Governor::pipelineFull() {
    full_ = true;
    ++stats_.framesPipelineFull;
}

void Governor::frameCost(double gpuMs, double cpuMs) { busyMs_ += std::max(gpuMs, cpuMs); }

void Governor::recordLosses(uint64_t total) { recordLosses_ = total; }

void Governor::decide(uint64_t nowNs) {
    const double windowMs = double(nowNs - windowStartNs_) / 1e6;
    load_ = busyMs_ / windowMs;
    const bool lost = recordLosses_ > lossesAtWindow_;
    calmWindows_ = lost ? 0 : calmWindows_ + 1;
    lossesAtWindow_ = recordLosses_;
    const uint32_t before = level_;
    if (options_.enabled) {
        if ((load_ > options_.shedAbove || full_ || lost) && level_ < options_.maxLevel) {
            // One level, or as many as the measured load says are needed to fit (a heavy
            // look or a recording starting must not take seconds to make room).
            uint32_t next = level_ + 1;
            const double perFrame = load_ * double(panelEveryFrames(level_));
            while (next < options_.maxLevel && perFrame / double(panelEveryFrames(next)) > options_.shedAbove)
                ++next;
            level_ = next;
        } else if (level_ > 0 && !full_ && calmWindows_ >= kCalmWindowsToRestore) {
            // The load the level above would bring: the panel would process proportionally
            // more frames (face analysis runs on its own thread and is not in the load).
            const double projected = load_ * double(panelEveryFrames(level_)) / double(panelEveryFrames(level_ - 1));
            if (projected < options_.restoreBelow)
                --level_;
        }
    }
    if (level_ > before) {
        ++stats_.sheds;
        calmWindows_ = 0;
    } else if (level_ < before) {
        ++stats_.restores;
    }
    if (level_ != before) {
        admitted_ = 0;
        stats_.levelName = levelName(level_);
    }
    stats_.maxLevelReached = std::max(stats_.maxLevelReached, level_);
    windowStartNs_ = nowNs;
    busyMs_ = 0;
    full_ = false;
}

GovernorStats Governor::stats() const {
    GovernorStats s = stats_;
    s.level = level_;
    s.load = load_;
    s.panelEveryFrames = panelEveryFrames(effectiveLevel());
    s.photoWorking = photo_;
    if (effectiveLevel() != level_)
        s.levelName = levelName(effectiveLevel()) + " (photo)";
    s.faceEveryFrames = faceEveryFrames();
    return s;
}

} // namespace rearview::viewfinder
