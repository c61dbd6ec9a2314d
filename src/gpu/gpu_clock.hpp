// SPDX-License-Identifier: MIT
// GPU timestamps on the CPU's timeline: the device's timestamp ticks converted to
// CLOCK_MONOTONIC nanoseconds (core/clock.hpp), so a GPU span lands in a trace where it ran.
#pragma once

#include "gpu/vulkan.hpp"

#include <cstdint>
#include <mutex>
#include <string_view>

namespace rearview::gpu {

class Device;

/// Where a device's tick-to-CPU offset comes from.
enum class GpuClockSource : uint8_t {
    None,           ///< the queue has no timestamps
    Calibrated,     ///< VK_KHR/EXT_calibrated_timestamps, device and CLOCK_MONOTONIC sampled together
    MeasuredOffset, ///< a timestamp written by a one-off submission, set between the CPU times around it
};

std::string_view toString(GpuClockSource source);

/// Converts a device's timestamp ticks to CLOCK_MONOTONIC nanoseconds. Calibrated clocks are
/// sampled again at most once a second, so drift between the two clocks stays below what a
/// trace shows; a measured offset is taken once, with an uncertainty of the submission's
/// round trip (uncertaintyNs()). Thread-safe.
class GpuClock {
public:
    GpuClock() = default;
    /// Calibrates against `device` (which must outlive the clock): calibrated timestamps where
    /// the device has them, a measured offset otherwise.
    static GpuClock create(Device& device);
    /// A measured offset even where calibrated timestamps exist (to check one against the other).
    static GpuClock measured(Device& device);
    GpuClock(GpuClock&& other) noexcept { *this = std::move(other); }
    GpuClock& operator=(GpuClock&& other) noexcept;

    GpuClockSource source() const { return source_; }
    /// Half the width of the CPU interval the last calibration was taken in, in ns.
    uint64_t uncertaintyNs() const { return uncertaintyNs_; }
    /// `ticks` (a timestamp query result) on CLOCK_MONOTONIC; 0 when the source is None.
    uint64_t toMonotonicNs(uint64_t ticks);

private:
    explicit GpuClock(Device& device); ///< no source yet
    bool calibrate();
    bool measureOffset();

    Device* device_ = nullptr;
    GpuClockSource source_ = GpuClockSource::None;
    PFN_vkGetCalibratedTimestampsKHR getCalibrated_ = nullptr;
    std::mutex mutex_;
    double periodNs_ = 0;
    double offsetNs_ = 0; ///< monotonic ns = ticks * periodNs_ + offsetNs_
    uint64_t calibratedAtNs_ = 0;
    uint64_t uncertaintyNs_ = 0;
};

} // namespace rearview::gpu
