// SPDX-License-Identifier: MIT
#include "core/trace.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <format>
#include <fstream>
#include <numeric>

#include <unistd.h>

namespace rearview {
namespace {

void appendEscaped(std::string& out, std::string_view s) {
    out += '"';
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20)
                out += std::format("\\u{:04x}", c);
            else
                out += ch;
        }
    }
    out += '"';
}

/// Nanoseconds relative to the trace start as microseconds with three exact decimals.
void appendMicros(std::string& out, int64_t ns) {
    const uint64_t a = ns < 0 ? uint64_t(-ns) : uint64_t(ns);
    out += std::format("{}{}.{:03}", ns < 0 ? "-" : "", a / 1000, a % 1000);
}

} // namespace

void TraceValue::appendJson(std::string& out) const {
    switch (kind_) {
    case Kind::Int: out += std::format("{}", i_); break;
    case Kind::Uint: out += std::format("{}", u_); break;
    case Kind::Bool: out += u_ ? "true" : "false"; break;
    case Kind::Double: out += std::isfinite(d_) ? std::format("{}", d_) : "null"; break;
    case Kind::String: appendEscaped(out, s_); break;
    }
}

Tracer::Tracer(size_t maxEvents) : enabled_(true), startNs_(monotonicNs()), maxEvents_(maxEvents) {
    events_.reserve(std::min<size_t>(maxEvents_, 4096));
}

Result<std::unique_ptr<Tracer>> Tracer::open(const std::filesystem::path& path, size_t maxEvents) {
    auto t = std::make_unique<Tracer>(maxEvents);
    t->path_ = path;
    if (auto r = t->writeTo(path); !r) {
        t->path_.clear();
        return std::unexpected(r.error());
    }
    return t;
}

Tracer::~Tracer() {
    if (auto r = flush(); !r)
        log::error("trace: {}", r.error().message);
}

void Tracer::setEnabled(bool enabled) {
    if (maxEvents_ > 0) // a default-constructed tracer has no clock origin and no room
        enabled_.store(enabled, std::memory_order_relaxed);
}

uint32_t Tracer::trackLocked(std::string_view name) {
    for (size_t i = 0; i < tracks_.size(); ++i)
        if (tracks_[i] == name)
            return uint32_t(i + 1);
    tracks_.emplace_back(name);
    unnamed_.push_back(false);
    return uint32_t(tracks_.size());
}

uint32_t Tracer::threadTrackLocked() {
    const auto id = std::this_thread::get_id();
    if (auto it = threads_.find(id); it != threads_.end())
        return it->second;
    const uint32_t tid = trackLocked(std::format("thread {}", threads_.size() + 1));
    unnamed_[tid - 1] = true;
    threads_.emplace(id, tid);
    return tid;
}

void Tracer::setThreadName(std::string_view name) {
    if (!enabled())
        return;
    std::lock_guard lock(mutex_);
    const auto id = std::this_thread::get_id();
    auto it = threads_.find(id);
    const bool exists = std::ranges::find(tracks_, name) != tracks_.end();
    if (it != threads_.end() && !exists && unnamed_[it->second - 1]) {
        tracks_[it->second - 1] = name; // names its track, keeping the events already on it
        unnamed_[it->second - 1] = false;
        return;
    }
    threads_[id] = trackLocked(name);
}

void Tracer::record(char phase, std::string_view name, std::string_view cat, uint64_t tsNs, uint64_t durNs,
                    std::string_view track, std::string args) {
    std::lock_guard lock(mutex_);
    if (events_.size() >= maxEvents_) {
        ++dropped_;
        return;
    }
    const uint32_t tid = track.empty() ? threadTrackLocked() : trackLocked(track);
    events_.push_back(Event{phase, tid, tsNs, durNs, std::string(name), std::string(cat), std::move(args)});
}

namespace {

std::string argsJson(TraceArgs args) {
    std::string out;
    for (const TraceArg& a : args) {
        if (!out.empty())
            out += ',';
        appendEscaped(out, a.key);
        out += ':';
        a.value.appendJson(out);
    }
    return out;
}

} // namespace

void Tracer::complete(std::string_view name, std::string_view cat, uint64_t startNs, uint64_t durNs,
                      std::string_view track, TraceArgs args) {
    if (!enabled())
        return;
    record('X', name, cat, startNs, durNs, track, argsJson(args));
}

void Tracer::instant(std::string_view name, std::string_view cat, uint64_t tsNs, std::string_view track,
                     TraceArgs args) {
    if (!enabled())
        return;
    record('i', name, cat, tsNs, 0, track, argsJson(args));
}

void Tracer::counter(std::string_view name, double value, uint64_t tsNs) {
    if (!enabled())
        return;
    record('C', name, {}, tsNs, 0, {}, argsJson({{"value", value}}));
}

size_t Tracer::size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
}

uint64_t Tracer::dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
}

std::string Tracer::json() const {
    std::lock_guard lock(mutex_);
    const int pid = int(::getpid());
    std::string out;
    out.reserve(256 + events_.size() * 120);
    out += std::format(R"({{"displayTimeUnit":"ms","otherData":{{"clock":"CLOCK_MONOTONIC","startNs":{},)"
                       R"("droppedEvents":{}}},"traceEvents":[)",
                       startNs_, dropped_);
    out += std::format(R"({{"name":"process_name","ph":"M","pid":{},"tid":0,"args":{{"name":"rearview"}}}})", pid);
    for (size_t i = 0; i < tracks_.size(); ++i) {
        out += std::format(R"(,{{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":)", pid, i + 1);
        appendEscaped(out, tracks_[i]);
        out += std::format(R"(}}}},{{"name":"thread_sort_index","ph":"M","pid":{},"tid":{},"args":{{"sort_index":{}}}}})",
                           pid, i + 1, i + 1);
    }
    std::vector<size_t> order(events_.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::ranges::stable_sort(order, [&](size_t a, size_t b) {
        const Event &ea = events_[a], &eb = events_[b];
        return ea.tsNs != eb.tsNs ? ea.tsNs < eb.tsNs : ea.durNs > eb.durNs;
    });
    for (size_t i : order) {
        const Event& e = events_[i];
        out += R"(,{"name":)";
        appendEscaped(out, e.name);
        if (!e.cat.empty()) {
            out += R"(,"cat":)";
            appendEscaped(out, e.cat);
        }
        out += std::format(R"(,"ph":"{}","ts":)", e.phase);
        appendMicros(out, int64_t(e.tsNs - startNs_));
        if (e.phase == 'X') {
            out += R"(,"dur":)";
            appendMicros(out, int64_t(e.durNs));
        }
        if (e.phase == 'i')
            out += R"(,"s":"t")";
        out += std::format(R"(,"pid":{},"tid":{})", pid, e.tid);
        if (!e.args.empty())
            out += R"(,"args":{)" + e.args + "}";
        out += '}';
    }
    out += "]}\n";
    return out;
}

Result<void> Tracer::writeTo(const std::filesystem::path& path) const {
    const std::string text = json();
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (f)
            f.write(text.data(), std::streamsize(text.size()));
        if (!f)
            return fail(ErrorCode::Io, std::format("cannot write the trace file '{}': {}", tmp.string(),
                                                   std::strerror(errno)));
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return fail(ErrorCode::Io, std::format("cannot write the trace file '{}': {}", path.string(), ec.message()));
    if (const uint64_t d = dropped(); d > 0)
        log::warn("trace: {} events were dropped after the first {}; the trace '{}' is incomplete", d,
                  maxEvents_, path.string());
    return {};
}

Result<void> Tracer::flush() {
    if (path_.empty())
        return {};
    return writeTo(path_);
}

Result<void> Tracer::close() {
    auto r = flush();
    enabled_.store(false, std::memory_order_relaxed);
    path_.clear();
    return r;
}

TraceScope::TraceScope(Tracer* tracer, std::string_view name, std::string_view cat) noexcept
    : tracer_(tracer && tracer->enabled() ? tracer : nullptr), name_(name), cat_(cat) {
    if (tracer_)
        startNs_ = monotonicNs();
}

TraceScope::~TraceScope() {
    if (tracer_)
        tracer_->complete(name_, cat_, startNs_, monotonicNs() - startNs_, {});
}

} // namespace rearview
