// SPDX-License-Identifier: MIT
#include "gpu/gpu_clock.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "gpu/device.hpp"
#include "gpu/submitter.hpp"

#include <array>

namespace rearview::gpu {

namespace {
// A calibration is redone when older than this: device and CPU clocks drift apart by parts
// per million, well under a trace's resolution over a second.
constexpr uint64_t kRecalibrateNs = 1'000'000'000;
// The measured offset's submission: far longer means the device is stuck, not slow.
constexpr uint64_t kMeasureTimeoutNs = 2'000'000'000;
} // namespace

std::string_view toString(GpuClockSource source) {
    switch (source) {
    case GpuClockSource::None: return "none";
    case GpuClockSource::Calibrated: return "calibrated";
    case GpuClockSource::MeasuredOffset: return "measured offset";
    }
    return "?";
}

GpuClock& GpuClock::operator=(GpuClock&& other) noexcept {
    if (this != &other) {
        std::scoped_lock lock(mutex_, other.mutex_);
        device_ = other.device_;
        source_ = other.source_;
        getCalibrated_ = other.getCalibrated_;
        periodNs_ = other.periodNs_;
        offsetNs_ = other.offsetNs_;
        calibratedAtNs_ = other.calibratedAtNs_;
        uncertaintyNs_ = other.uncertaintyNs_;
    }
    return *this;
}

GpuClock::GpuClock(Device& device) : device_(&device), periodNs_(device.timestampPeriodNs()) {}

GpuClock GpuClock::create(Device& device) {
    GpuClock clock(device);
    if (clock.periodNs_ <= 0)
        return clock;
    if (device.extensions().calibratedTimestamps) {
        clock.getCalibrated_ = vkGetCalibratedTimestampsKHR ? vkGetCalibratedTimestampsKHR
                                                            : vkGetCalibratedTimestampsEXT;
        if (clock.getCalibrated_ && clock.calibrate()) {
            clock.source_ = GpuClockSource::Calibrated;
            return clock;
        }
    }
    if (clock.measureOffset())
        clock.source_ = GpuClockSource::MeasuredOffset;
    else
        log::warn("GPU '{}': no GPU-to-CPU clock offset; GPU spans are laid back to back in traces",
                  device.info().name);
    return clock;
}

GpuClock GpuClock::measured(Device& device) {
    GpuClock clock(device);
    if (clock.periodNs_ > 0 && clock.measureOffset())
        clock.source_ = GpuClockSource::MeasuredOffset;
    return clock;
}

bool GpuClock::calibrate() {
    const std::array<VkCalibratedTimestampInfoKHR, 2> domains{
        VkCalibratedTimestampInfoKHR{VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_KHR, nullptr,
                                     VK_TIME_DOMAIN_DEVICE_KHR},
        VkCalibratedTimestampInfoKHR{VK_STRUCTURE_TYPE_CALIBRATED_TIMESTAMP_INFO_KHR, nullptr,
                                     VK_TIME_DOMAIN_CLOCK_MONOTONIC_KHR}};
    std::array<uint64_t, 2> stamps{};
    uint64_t maxDeviationNs = 0;
    if (getCalibrated_(device_->device(), uint32_t(domains.size()), domains.data(), stamps.data(), &maxDeviationNs) !=
        VK_SUCCESS)
        return false;
    offsetNs_ = double(stamps[1]) - double(stamps[0]) * periodNs_;
    uncertaintyNs_ = maxDeviationNs;
    calibratedAtNs_ = monotonicNs();
    return true;
}

bool GpuClock::measureOffset() {
    VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qci.queryCount = 1;
    VkQueryPool created = VK_NULL_HANDLE;
    if (device_->vk().vkCreateQueryPool(device_->device(), &qci, nullptr, &created) != VK_SUCCESS)
        return false;
    const Owned<VkQueryPool> queries = device_->own(created);
    auto submitter = Submitter::create(*device_, 1, 1);
    if (!submitter)
        return false;
    auto cmd = submitter->begin();
    if (!cmd)
        return false;
    device_->vk().vkCmdResetQueryPool(*cmd, created, 0, 1);
    device_->vk().vkCmdWriteTimestamp2(*cmd, VK_PIPELINE_STAGE_2_TOP_OF_PIPE_BIT, created, 0);
    const uint64_t beforeNs = monotonicNs();
    auto value = submitter->submit();
    if (!value || !device_->waitTimeline(*value, kMeasureTimeoutNs))
        return false;
    const uint64_t afterNs = monotonicNs();
    uint64_t ticks = 0;
    if (device_->vk().vkGetQueryPoolResults(device_->device(), created, 0, 1, sizeof ticks, &ticks, sizeof ticks,
                              VK_QUERY_RESULT_64_BIT) != VK_SUCCESS)
        return false;
    // The timestamp was written somewhere between submission and completion: the middle.
    offsetNs_ = double(beforeNs + afterNs) / 2 - double(ticks) * periodNs_;
    uncertaintyNs_ = (afterNs - beforeNs) / 2;
    calibratedAtNs_ = afterNs;
    return true;
}

uint64_t GpuClock::toMonotonicNs(uint64_t ticks) {
    std::lock_guard lock(mutex_);
    if (source_ == GpuClockSource::None)
        return 0;
    if (source_ == GpuClockSource::Calibrated && monotonicNs() - calibratedAtNs_ > kRecalibrateNs)
        calibrate(); // on failure the previous offset stays
    const double ns = double(ticks) * periodNs_ + offsetNs_;
    return ns > 0 ? uint64_t(ns) : 0;
}

} // namespace rearview::gpu
