// SPDX-License-Identifier: MIT
#include "core/rolling_stats.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

namespace rearview {

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    const size_t k = std::min(v.size() - 1, size_t(std::clamp(p, 0.0, 1.0) * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

RollingStats::RollingStats(size_t capacity) : capacity_(std::max<size_t>(1, capacity)) {
    samples_.reserve(capacity_);
    scratch_.reserve(capacity_);
}

void RollingStats::add(double value) {
    ++total_;
    if (samples_.size() < capacity_) {
        samples_.push_back(value);
        return;
    }
    samples_[next_] = value;
    next_ = (next_ + 1) % capacity_;
}

void RollingStats::clear() {
    samples_.clear();
    next_ = 0;
    total_ = 0;
}

double RollingStats::mean() const {
    return samples_.empty() ? 0 : std::accumulate(samples_.begin(), samples_.end(), 0.0) / double(samples_.size());
}

double RollingStats::min() const { return samples_.empty() ? 0 : *std::ranges::min_element(samples_); }

double RollingStats::max() const { return samples_.empty() ? 0 : *std::ranges::max_element(samples_); }

double RollingStats::percentile(double p) const {
    assert(p >= 0.0 && p <= 1.0 && "a quantile is in 0..1 (0.99, not 99)");
    scratch_.assign(samples_.begin(), samples_.end());
    return rearview::percentile(scratch_, p);
}

StatsSummary RollingStats::summary() const {
    StatsSummary s;
    s.count = samples_.size();
    if (samples_.empty())
        return s;
    scratch_.assign(samples_.begin(), samples_.end());
    std::ranges::sort(scratch_);
    auto rank = [&](double p) { return scratch_[std::min(scratch_.size() - 1, size_t(p * double(scratch_.size() - 1) + 0.5))]; };
    s.mean = mean();
    s.p50 = rank(0.50);
    s.p99 = rank(0.99);
    s.min = scratch_.front();
    s.max = scratch_.back();
    return s;
}

void SharedRollingStats::add(double value) {
    std::lock_guard lock(mutex_);
    stats_.add(value);
}

void SharedRollingStats::clear() {
    std::lock_guard lock(mutex_);
    stats_.clear();
}

StatsSummary SharedRollingStats::summary() const {
    std::lock_guard lock(mutex_);
    return stats_.summary();
}

uint64_t SharedRollingStats::total() const {
    std::lock_guard lock(mutex_);
    return stats_.total();
}

RateMeter::RateMeter(uint64_t windowNs, size_t maxEvents)
    : windowNs_(std::max<uint64_t>(1, windowNs)), maxEvents_(std::max<size_t>(2, maxEvents)) {
    times_.reserve(maxEvents_);
}

void RateMeter::tick(uint64_t nowNs) {
    ++total_;
    if (times_.size() < maxEvents_) {
        times_.push_back(nowNs);
        return;
    }
    times_[next_] = nowNs;
    next_ = (next_ + 1) % maxEvents_;
}

double RateMeter::rate(uint64_t nowNs) const {
    if (times_.empty())
        return 0;
    const uint64_t since = nowNs > windowNs_ ? nowNs - windowNs_ : 0;
    const size_t n = times_.size();
    const uint64_t newest = times_[(next_ + n - 1) % n];
    // Timestamps are in order from next_ on: find the oldest still inside the window.
    size_t inWindow = 0;
    uint64_t oldest = newest;
    for (size_t i = n; i-- > 0;) {
        const uint64_t t = times_[(next_ + i) % n];
        if (t < since)
            break;
        oldest = t;
        ++inWindow;
    }
    if (inWindow < 2 || newest == oldest)
        return 0;
    return double(inWindow - 1) * 1e9 / double(newest - oldest);
}

void RateMeter::clear() {
    times_.clear();
    next_ = 0;
    total_ = 0;
}

} // namespace rearview
