// SPDX-License-Identifier: MIT
// CPU priorities of rearview's threads, in the order of docs/viewfinder.md ("Priorities under
// load"): the panel's refresh first, then a recording, then the panel's processing of new
// camera frames. On a CPU Vulkan driver (lavapipe) a device's shader workers are started on
// the thread that creates the device and inherit its priority, so the device of each part is
// created on a thread that already has that part's priority.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>
#include <functional>
#include <string_view>

namespace rearview {

/// From highest to lowest.
enum class ThreadPriority : uint8_t {
    Refresh,    ///< the presenter's own thread: SCHED_FIFO 1 where the process may, else as Panel
    Panel,      ///< the presenter's device: nice -10 where the process may raise priorities, else unchanged
    Recording,  ///< the record branch and its encoder: nice 4
    Processing, ///< the pipeline thread and the processing device's workers: nice 10
    Photo,      ///< a photo's GPU work and encode: nice 19, with the panel's processing shed
                ///< to its deepest level while it runs (docs/governor.md)
    Background, ///< SCHED_IDLE: only CPU time nothing else wants
};

/// "refresh", "panel", "recording", "processing", "photo", "background".
std::string_view toString(ThreadPriority priority) noexcept;

/// Gives the calling thread `priority` (threads it starts later inherit it). Lowering always
/// works; raising (Refresh, Panel) needs CAP_SYS_NICE or an RLIMIT_RTPRIO / RLIMIT_NICE that
/// allows it, and the error says so when it is refused (the thread keeps the priority it had;
/// a refused Refresh still gets Panel where that is allowed). Refresh is a real-time class so
/// that a sleeping presenter preempts a core busy with frame processing or an encode at once:
/// with nice values alone a 2-core machine wakes it several milliseconds late, past a 120 Hz
/// refresh (docs/viewfinder.md). Its work per refresh is a blit's submission, well under 1 ms.
Result<void> setThreadPriority(ThreadPriority priority);

/// Runs `work` on a new thread of `priority` and waits for it: what `work` creates (a
/// device's driver threads) inherits that priority while the caller keeps its own.
void runWithPriority(ThreadPriority priority, const std::function<void()>& work);

} // namespace rearview
