// SPDX-License-Identifier: MIT
// GPU time per stage over recent submissions, from their timestamp spans.
#pragma once

#include "core/rolling_stats.hpp"
#include "gpu/submitter.hpp"

#include <rearview/viewfinder.hpp>

#include <map>
#include <span>
#include <string>
#include <vector>

namespace rearview::viewfinder {

/// The spans of each submission, kept per stage name (in the order names first appeared)
/// and as the submission's total. Single-threaded: guard it with the owner's lock.
class StageTimes {
public:
    /// The spans of one submission.
    void add(std::span<const gpu::GpuSpan> spans);
    /// Median per stage, in first-seen order.
    std::vector<StageTime> medians() const;
    /// Sum of each submission's spans.
    const RollingStats& total() const { return total_; }

private:
    std::map<std::string, RollingStats> byName_;
    std::vector<std::string> order_;
    RollingStats total_;
};

} // namespace rearview::viewfinder
