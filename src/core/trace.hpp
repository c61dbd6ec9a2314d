// SPDX-License-Identifier: MIT
// A Chrome / Perfetto trace of the frame timeline: JSON trace events that ui.perfetto.dev
// and chrome://tracing open. Timestamps are CLOCK_MONOTONIC ns (core/clock.hpp) like every
// frame's, so spans measured elsewhere (GPU timestamps converted to CPU time, sensor
// timestamps) go in as complete events with an explicit start and duration.
#pragma once

#include <rearview/error.hpp>

#include <atomic>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace rearview {

/// A value in a trace event's args: an integer, a bool, a number or a string (copied when
/// the event is recorded).
class TraceValue {
public:
    template <std::integral T>
    TraceValue(T v) { // implicit, so args read {{"frame", 12}, {"path", "dmabuf"}}
        if constexpr (std::same_as<T, bool>) {
            kind_ = Kind::Bool;
            u_ = v;
        } else if constexpr (std::signed_integral<T>) {
            kind_ = Kind::Int;
            i_ = v;
        } else {
            kind_ = Kind::Uint;
            u_ = v;
        }
    }
    TraceValue(double v) : kind_(Kind::Double), d_(v) {}
    TraceValue(float v) : kind_(Kind::Double), d_(v) {}
    TraceValue(std::string_view v) : kind_(Kind::String), s_(v) {}
    TraceValue(const char* v) : kind_(Kind::String), s_(v) {}
    TraceValue(const std::string& v) : kind_(Kind::String), s_(v) {}

    /// Appends the value as JSON (a string escaped; NaN and infinities as null).
    void appendJson(std::string& out) const;

private:
    enum class Kind : uint8_t { Int, Uint, Bool, Double, String } kind_;
    union {
        int64_t i_;
        uint64_t u_;
        double d_;
    };
    std::string_view s_;
};

/// One named value of an event's args.
struct TraceArg {
    std::string_view key;
    TraceValue value;
};
using TraceArgs = std::initializer_list<TraceArg>;

/// Records trace events from any thread and writes them as a Chrome JSON trace
/// ({"traceEvents": [...]}): complete spans ("X"), instants ("i"), counters ("C") and the
/// names of the tracks ("M" thread_name). Events go on tracks: each thread gets its own
/// (named with setThreadName()), and a span measured elsewhere can go on a named virtual
/// track such as "GPU"; a track name means one track (one tid), whoever uses it.
///
/// A disabled tracer (default-constructed, or setEnabled(false)) records nothing and costs
/// one branch per call; callers that may have no tracer hold a Tracer* and TraceScope takes
/// a null one. Memory is bounded: after `maxEvents` events further ones are dropped and
/// counted (dropped(), and "droppedEvents" under "otherData" in the file).
class Tracer {
public:
    static constexpr size_t kDefaultMaxEvents = 1'000'000; ///< about an hour of a busy frame loop

    /// A disabled tracer: records and writes nothing.
    Tracer() = default;
    /// An enabled tracer in memory (json(), writeTo()); time 0 is now.
    explicit Tracer(size_t maxEvents);
    /// An enabled tracer that writes to `path` on flush(), close() and destruction. The file
    /// is created (as an empty trace) now, so a path that cannot be written fails here.
    static Result<std::unique_ptr<Tracer>> open(const std::filesystem::path& path,
                                                size_t maxEvents = kDefaultMaxEvents);
    /// Writes the file if open() made it and close() did not (an error is logged).
    ~Tracer();
    Tracer(const Tracer&) = delete;
    Tracer& operator=(const Tracer&) = delete;

    bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }
    /// Pauses or resumes recording (a default-constructed tracer stays disabled).
    void setEnabled(bool enabled);
    /// CLOCK_MONOTONIC ns of the trace's time 0.
    uint64_t startNs() const { return startNs_; }

    /// Names the calling thread's track (a thread not named is "thread N").
    void setThreadName(std::string_view name);
    /// A span from `startNs` lasting `durNs` (CLOCK_MONOTONIC ns) on track `track` (empty:
    /// the calling thread's).
    void complete(std::string_view name, std::string_view cat, uint64_t startNs, uint64_t durNs,
                  std::string_view track, TraceArgs args = {});
    /// A point in time on track `track` (empty: the calling thread's).
    void instant(std::string_view name, std::string_view cat, uint64_t tsNs, std::string_view track,
                 TraceArgs args = {});
    /// A sample of the counter `name` (a graph of its own in the viewer).
    void counter(std::string_view name, double value, uint64_t tsNs);

    /// Events recorded and held.
    size_t size() const;
    /// Events dropped because `maxEvents` were held.
    uint64_t dropped() const;
    /// The whole trace so far as JSON, events in time order (longer first at equal times,
    /// so spans enclose the spans nested in them).
    std::string json() const;
    /// Writes json() to `path` (through a temporary file, so the file is always whole).
    Result<void> writeTo(const std::filesystem::path& path) const;
    /// Writes the trace so far to open()'s path; nothing without one.
    Result<void> flush();
    /// flush(), then stops recording; later flushes and destruction write nothing more.
    Result<void> close();

private:
    struct Event {
        char phase;
        uint32_t tid;
        uint64_t tsNs, durNs;
        std::string name, cat;
        std::string args; ///< the args object's members as JSON, or empty
    };
    void record(char phase, std::string_view name, std::string_view cat, uint64_t tsNs, uint64_t durNs,
                std::string_view track, std::string args);
    uint32_t trackLocked(std::string_view name);
    uint32_t threadTrackLocked();

    std::atomic<bool> enabled_{false};
    uint64_t startNs_ = 0;
    size_t maxEvents_ = 0;
    std::filesystem::path path_;
    mutable std::mutex mutex_;
    std::vector<Event> events_;
    uint64_t dropped_ = 0;
    std::vector<std::string> tracks_; ///< tid - 1 -> name
    std::vector<bool> unnamed_;       ///< tid - 1 -> a thread's track setThreadName() may still name
    std::unordered_map<std::thread::id, uint32_t> threads_;
};

/// Times the enclosing scope as a complete event on the calling thread's track. `tracer`
/// may be null or disabled (then it costs a branch and reads no clock); `name` and `cat`
/// must outlive the scope (string literals, typically).
class TraceScope {
public:
    TraceScope(Tracer* tracer, std::string_view name, std::string_view cat) noexcept;
    ~TraceScope();
    TraceScope(const TraceScope&) = delete;
    TraceScope& operator=(const TraceScope&) = delete;

private:
    Tracer* tracer_;
    std::string_view name_, cat_;
    uint64_t startNs_ = 0;
};

} // namespace rearview
