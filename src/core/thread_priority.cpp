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
    case ThreadPriority::Panel: return "panel";
    case ThreadPriority::Recording: return "recording";
    case ThreadPriority::Processing: return "processing";
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
    const int nice = priority == ThreadPriority::Panel ? -10 : priority == ThreadPriority::Recording ? 4 : 10;
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
