// SPDX-License-Identifier: MIT
// Live statistics for the frame loop: percentiles over the latest samples and event rates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

namespace rearview {

/// The p-th quantile (0..1) of `samples` by nearest rank (p = 0.5 is the median); 0 for no
/// samples. Reorders `samples`.
double percentile(std::vector<double>& samples, double p);

/// What a RollingStats window holds, computed in one pass and one sort.
struct StatsSummary {
    size_t count = 0; ///< samples in the window
    double mean = 0, p50 = 0, p99 = 0, min = 0, max = 0;
};

/// The latest `capacity` samples (older ones fall out) with their percentiles, mean, min and
/// max; 0 for an empty window. Adding never allocates. Single-threaded: one thread adds and
/// reads; use SharedRollingStats to add on one thread and read on another.
class RollingStats {
public:
    explicit RollingStats(size_t capacity = 1024);

    void add(double value);
    void clear();

    size_t count() const { return samples_.size(); }
    size_t capacity() const { return capacity_; }
    /// Samples ever added, including those that fell out of the window.
    uint64_t total() const { return total_; }
    double mean() const;
    double min() const;
    double max() const;
    /// The p-th quantile, `p` in 0..1 (0.99, not 99), by nearest rank.
    double percentile(double p) const;
    double p50() const { return percentile(0.50); }
    double p99() const { return percentile(0.99); }
    StatsSummary summary() const;

private:
    size_t capacity_;
    std::vector<double> samples_; ///< ring once full; next_ is the oldest
    size_t next_ = 0;
    uint64_t total_ = 0;
    mutable std::vector<double> scratch_; ///< reused by percentile queries
};

/// RollingStats behind a mutex: add() from one thread, summary() from any.
class SharedRollingStats {
public:
    explicit SharedRollingStats(size_t capacity = 1024) : stats_(capacity) {}
    void add(double value);
    void clear();
    StatsSummary summary() const;
    uint64_t total() const;

private:
    mutable std::mutex mutex_;
    RollingStats stats_;
};

/// Events per second over a sliding window of time (frames per second, say): with the
/// events of the last `windowNs` it is (n - 1) / (newest - oldest), exact for a steady
/// stream; 0 with fewer than two events in the window. Keeps at most `maxEvents` timestamps
/// (the oldest go first, which shortens the window). Timestamps are CLOCK_MONOTONIC ns
/// (core/clock.hpp), non-decreasing. Single-threaded.
class RateMeter {
public:
    explicit RateMeter(uint64_t windowNs = 1'000'000'000ull, size_t maxEvents = 1024);

    void tick(uint64_t nowNs);
    /// The rate as of `nowNs`: events older than nowNs - window no longer count.
    double rate(uint64_t nowNs) const;
    /// Events ever ticked.
    uint64_t total() const { return total_; }
    void clear();

private:
    uint64_t windowNs_;
    size_t maxEvents_;
    std::vector<uint64_t> times_; ///< ring once full; next_ is the oldest
    size_t next_ = 0;
    uint64_t total_ = 0;
};

} // namespace rearview
