// SPDX-License-Identifier: MIT
// The clock frames are stamped with.
#pragma once

#include <cstdint>
#include <cerrno>
#include <ctime>

namespace rearview {

/// Now on CLOCK_MONOTONIC in nanoseconds: the clock V4L2 drivers and libcamera stamp frames
/// with (std::chrono::steady_clock reads the same clock on Linux), so sensor timestamps,
/// fallbacks and synthetic frames all compare.
inline uint64_t monotonicNs() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

/// Sleeps until monotonicNs() reaches `ns` (an absolute deadline: no drift from wake-ups).
inline void sleepUntilNs(uint64_t ns) {
    timespec ts{time_t(ns / 1'000'000'000ull), long(ns % 1'000'000'000ull)};
    while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

} // namespace rearview
