// SPDX-License-Identifier: MIT
// Thread priorities as the OS reports them back: each one on a thread of its own, since a
// priority once lowered cannot be raised again without privilege.
#include "core/thread_priority.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <thread>

using namespace rearview;

namespace {

struct Observed {
    Result<void> set;
    int policy = -1;
    int nice = 0;
};

Observed onThread(ThreadPriority p) {
    Observed o;
    std::thread([&] {
        o.set = setThreadPriority(p);
        o.policy = sched_getscheduler(0);
        errno = 0;
        o.nice = getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)));
    }).join();
    return o;
}

} // namespace

TEST_CASE("Lowering priorities always works and reads back as asked", "[thread]") {
    const Observed recording = onThread(ThreadPriority::Recording);
    REQUIRE(recording.set);
    CHECK(recording.policy == SCHED_OTHER);
    CHECK(recording.nice == 4);
    const Observed processing = onThread(ThreadPriority::Processing);
    REQUIRE(processing.set);
    CHECK(processing.nice == 10);
    const Observed photo = onThread(ThreadPriority::Photo);
    REQUIRE(photo.set);
    CHECK(photo.policy == SCHED_OTHER);
    CHECK(photo.nice == 19);
    const Observed background = onThread(ThreadPriority::Background);
    REQUIRE(background.set);
    CHECK(background.policy == SCHED_IDLE);
}

TEST_CASE("The refresh thread is real-time where allowed, else says why and falls back to the panel's nice",
          "[thread]") {
    const Observed refresh = onThread(ThreadPriority::Refresh);
    if (refresh.set) {
        CHECK(refresh.policy == SCHED_FIFO);
    } else {
        INFO(refresh.set.error().message);
        CHECK(refresh.set.error().code == ErrorCode::Unsupported);
        CHECK(refresh.set.error().message.find("SCHED_FIFO") != std::string::npos);
        CHECK(refresh.policy == SCHED_OTHER);
    }
    const Observed panel = onThread(ThreadPriority::Panel);
    if (panel.set)
        CHECK(panel.nice == -10);
    else
        CHECK(panel.set.error().message.find("CAP_SYS_NICE") != std::string::npos);
    CHECK(toString(ThreadPriority::Refresh) == "refresh");
}
