// SPDX-License-Identifier: MIT
#pragma once

#include "core/clock.hpp"

#include <cerrno>
#include <cstdint>
#include <ctime>

namespace rearview::present {

/// The panel's refresh as absolute deadlines on CLOCK_MONOTONIC: deadline k is start + k *
/// period, so sleeping late never shifts the later ones (no drift), and a wake-up past a
/// whole period reports the deadlines that went by without a present.
class Pacer {
public:
    Pacer() = default;
    Pacer(double hz, uint64_t startNs) : periodNs_(uint64_t(1e9 / hz + 0.5)), startNs_(startNs) {}

    uint64_t periodNs() const { return periodNs_; }
    /// The deadline the next present is for.
    uint64_t deadline() const { return startNs_ + index_ * periodNs_; }

    /// Sleeps until the next deadline. Returns how many earlier deadlines were missed: when
    /// the caller comes back more than one period after a deadline, those deadlines passed
    /// without a present; the pacer moves on to the latest one that has not been missed.
    uint64_t wait() {
        const uint64_t target = deadline();
        sleepUntilNs(target);
        const uint64_t now = monotonicNs();
        uint64_t missed = 0;
        if (now >= target + periodNs_) {
            missed = (now - target) / periodNs_;
            index_ += missed;
        }
        return missed;
    }
    /// Deadlines up to `nowNs` not yet presented or counted: what a stop in the middle of a
    /// late present leaves behind.
    uint64_t overdue(uint64_t nowNs) const {
        const uint64_t next = deadline();
        return nowNs >= next ? (nowNs - next) / periodNs_ + 1 : 0;
    }
    /// The present for deadline() was made (or skipped); the next one is one period later.
    void advance() { ++index_; }

private:
    uint64_t periodNs_ = 8'333'333;
    uint64_t startNs_ = 0;
    uint64_t index_ = 1;
};

} // namespace rearview::present
