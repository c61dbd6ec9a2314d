// SPDX-License-Identifier: MIT
#include "core/thread_priority.hpp"

#include "core/log.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <format>
#include <thread>

namespace rearview {

std::string_view toString(ThreadPriority priority) noexcept {
    switch (priority) {
    case ThreadPriority::Refresh: return "refresh";
    case ThreadPriority::Panel: return "panel";
    case ThreadPriority::Recording: return "recording";
    case ThreadPriority::Processing: return "processing";
    case ThreadPriority::Photo: return "photo";
    case ThreadPriority::Background: return "background";
    }
    return "?";
}

Result<void> setThreadPriority(ThreadPriority priority) {
    if (priority == ThreadPriority::Background) {
        sched_param param{};
        if (sched_setscheduler(0, SCHED_IDLE, &param) != 0)
            return fail(ErrorCode::Internal,
                        std::format("could not move the thread to SCHED_IDLE: {}", std::strerror(errno)));
        return {};
    }
    if (priority == ThreadPriority::Refresh) {
        sched_param param{};
        param.sched_priority = 1;
        if (sched_setscheduler(0, SCHED_FIFO, &param) == 0)
            return {};
        const int fifoErrno = errno;
        const auto panel = setThreadPriority(ThreadPriority::Panel);
        return fail(ErrorCode::Unsupported,
                    std::format("could not give the refresh thread SCHED_FIFO: {} (needs CAP_SYS_NICE or "
                                "RLIMIT_RTPRIO); {}",
                                std::strerror(fifoErrno),
                                panel ? std::string("it runs at the panel's nice -10") : panel.error().message));
    }
    const int nice = priority == ThreadPriority::Panel       ? -10
                     : priority == ThreadPriority::Recording ? 4
                     : priority == ThreadPriority::Photo     ? 19
                                                             : 10;
    // On Linux, PRIO_PROCESS with a thread id sets that one thread's nice value.
    const auto tid = id_t(syscall(SYS_gettid));
    if (setpriority(PRIO_PROCESS, tid, nice) != 0)
        return fail(ErrorCode::Unsupported,
                    std::format("could not give the {} thread nice {}: {} (raising a priority needs CAP_SYS_NICE "
                                "or RLIMIT_NICE)",
                                toString(priority), nice, std::strerror(errno)));
    return {};
}

void runWithPriority(ThreadPriority priority, const std::function<void()>& work) {
    std::thread([&] {
        if (auto r = setThreadPriority(priority); !r)
            log::info("{}", r.error().message);
        work();
    }).join();
}

} // namespace rearview
