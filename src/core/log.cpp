// SPDX-License-Identifier: MIT
#include "core/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string_view>

namespace rearview {
namespace {

LogLevel levelFromEnv() {
    const char* env = std::getenv("REARVIEW_LOG");
    std::string_view v = env ? env : "";
    if (v == "debug") return LogLevel::Debug;
    if (v == "warning" || v == "warn") return LogLevel::Warning;
    if (v == "error") return LogLevel::Error;
    if (v == "off") return LogLevel::Off;
    return LogLevel::Info;
}

std::atomic<LogLevel>& level() {
    static std::atomic<LogLevel> l{levelFromEnv()};
    return l;
}

struct Sink {
    std::mutex mutex;
    std::function<void(LogLevel, std::string_view)> fn;
};
Sink& sink() {
    static Sink s;
    return s;
}

std::string_view prefix(LogLevel l) {
    switch (l) {
    case LogLevel::Debug: return "debug: ";
    case LogLevel::Warning: return "warning: ";
    case LogLevel::Error: return "error: ";
    default: return "";
    }
}

} // namespace

void setLogLevel(LogLevel l) { level() = l; }
LogLevel logLevel() { return level(); }

void setLogSink(std::function<void(LogLevel, std::string_view)> fn) {
    std::lock_guard lock(sink().mutex);
    sink().fn = std::move(fn);
}

namespace log {

bool enabled(LogLevel l) { return l >= level().load() && l != LogLevel::Off; }

void write(LogLevel l, std::string_view message) {
    std::lock_guard lock(sink().mutex);
    if (sink().fn) {
        sink().fn(l, message);
        return;
    }
    std::fprintf(stderr, "[rearview] %.*s%.*s\n", int(prefix(l).size()), prefix(l).data(), int(message.size()),
                 message.data());
}

} // namespace log
} // namespace rearview
