// SPDX-License-Identifier: MIT
// The trace writer's output is checked by Python's json module, the way a viewer reads it.
#include "core/clock.hpp"
#include "core/trace.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <cstdio>
#include <format>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <unistd.h>

using namespace rearview;
namespace fs = std::filesystem;

namespace {

fs::path tempPath(const std::string& name) {
    return fs::temp_directory_path() / std::format("rearview-trace-{}-{}", ::getpid(), name);
}

/// Runs the Python statements `check` with `t` the parsed trace file, `ev` its events other
/// than metadata and `tracks` its thread names by tid, after checking every event's common
/// fields. Returns "" when every assert holds, else what Python printed.
std::string checkWithPython(const fs::path& trace, const std::string& check) {
    const fs::path script = tempPath("check.py"), output = tempPath("check.out");
    std::ofstream(script) << R"(import json, sys
def no_constants(c): raise ValueError("not JSON: " + c)
t = json.load(open(sys.argv[1], encoding="utf-8"), parse_constant=no_constants)
tracks = {e["tid"]: e["args"]["name"] for e in t["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
ev = [e for e in t["traceEvents"] if e["ph"] != "M"]
for e in t["traceEvents"]:
    assert isinstance(e["name"], str) and e["ph"] in "XiCM", e
    assert isinstance(e["pid"], int) and isinstance(e["tid"], int), e
    if e["ph"] != "M":
        assert isinstance(e["ts"], (int, float)) and e["tid"] in tracks or e["ph"] == "C", e
    if e["ph"] == "X":
        assert isinstance(e["dur"], (int, float)) and e["dur"] >= 0, e
assert [e["ts"] for e in ev] == sorted(e["ts"] for e in ev)
)" << check << "\n";
    const int rc = std::system(std::format("python3 '{}' '{}' > '{}' 2>&1", script.string(), trace.string(),
                                           output.string())
                                   .c_str());
    std::stringstream out;
    out << std::ifstream(output).rdbuf();
    fs::remove(script);
    fs::remove(output);
    return rc == 0 ? std::string() : std::format("exit {}: {}", rc, out.str());
}

} // namespace

TEST_CASE("Tracer writes complete, instant and counter events on named tracks as valid JSON", "[unit][trace]") {
    const fs::path path = tempPath("events.json");
    Tracer tracer(1000);
    tracer.setThreadName("pipeline");
    const uint64_t t0 = tracer.startNs();
    tracer.complete("crop_scale", "gpu", t0 + 1'500, 2'250'000, "GPU", {{"frame", 7}, {"ms", 2.25}});
    tracer.complete("beauty", "gpu", t0 + 2'251'500, 1'000'000, "GPU", {{"frame", uint64_t(7)}});
    tracer.instant("shutter", "camera", t0 + 3'000'000, "", {{"ok", true}, {"path", "dmabuf"}});
    tracer.counter("fps", 29.97, t0 + 4'000'000);
    REQUIRE(tracer.writeTo(path));
    CHECK(checkWithPython(path, R"(
by_name = {e["name"]: e for e in ev}
x = by_name["crop_scale"]
assert x["ph"] == "X" and x["cat"] == "gpu" and x["ts"] == 1.5 and x["dur"] == 2250.0, x
assert tracks[x["tid"]] == "GPU" and by_name["beauty"]["tid"] == x["tid"]
assert x["args"] == {"frame": 7, "ms": 2.25}, x
i = by_name["shutter"]
assert i["ph"] == "i" and i["s"] == "t" and tracks[i["tid"]] == "pipeline" and i["args"] == {"ok": True, "path": "dmabuf"}
c = by_name["fps"]
assert c["ph"] == "C" and c["args"] == {"value": 29.97} and c["ts"] == 4000.0
assert t["otherData"]["droppedEvents"] == 0
assert len(ev) == 4
)") == "");
    fs::remove(path);
}

TEST_CASE("Tracer escapes quotes, backslashes and control characters", "[unit][trace]") {
    const fs::path path = tempPath("escape.json");
    Tracer tracer(100);
    const uint64_t t0 = tracer.startNs();
    tracer.complete("say \"cheese\"\nnow\t\\ \x01 caf\xC3\xA9", "c\"at", t0, 1, "track \"1\"",
                    {{"file", "C:\\dcim\n\"a\".jpg"}, {"nan", std::nan("")}});
    REQUIRE(tracer.writeTo(path));
    CHECK(checkWithPython(path, R"(
e = ev[0]
assert e["name"] == "say \"cheese\"\nnow\t\\ \x01 caf\u00e9", repr(e["name"])
assert e["cat"] == "c\"at" and tracks[e["tid"]] == "track \"1\""
assert e["args"] == {"file": "C:\\dcim\n\"a\".jpg", "nan": None}, e["args"]
)") == "");
    fs::remove(path);
}

TEST_CASE("Tracer orders events by time with enclosing spans first and nests scopes", "[unit][trace]") {
    const fs::path path = tempPath("nesting.json");
    Tracer tracer(100);
    {
        TraceScope frame(&tracer, "frame", "loop");
        {
            TraceScope record(&tracer, "record", "loop");
            TraceScope inner(&tracer, "barrier", "loop");
        }
        TraceScope submit(&tracer, "submit", "loop");
    }
    const uint64_t t0 = tracer.startNs();
    // Recorded out of order, with a child starting with its parent.
    tracer.complete("child", "gpu", t0 + 5'000, 1'000, "GPU");
    tracer.complete("parent", "gpu", t0 + 5'000, 3'000, "GPU");
    tracer.complete("early", "gpu", t0 + 1'000, 1'000, "GPU");
    CHECK(tracer.size() == 7);
    REQUIRE(tracer.writeTo(path));
    CHECK(checkWithPython(path, R"(
gpu = [e["name"] for e in ev if tracks[e["tid"]] == "GPU"]
assert gpu == ["early", "parent", "child"], gpu
loop = {e["name"]: e for e in ev if e["cat"] == "loop"}
def inside(a, b): return loop[b]["ts"] <= loop[a]["ts"] and loop[a]["ts"] + loop[a]["dur"] <= loop[b]["ts"] + loop[b]["dur"]
assert inside("record", "frame") and inside("barrier", "record") and inside("submit", "frame")
assert loop["submit"]["ts"] >= loop["record"]["ts"] + loop["record"]["dur"]
assert len({e["tid"] for e in loop.values()}) == 1
)") == "");
    fs::remove(path);
}

TEST_CASE("Tracer holds at most maxEvents and counts the ones it drops", "[unit][trace]") {
    const fs::path path = tempPath("bounded.json");
    Tracer tracer(10);
    for (int i = 0; i < 25; ++i)
        tracer.instant("tick", "t", tracer.startNs() + uint64_t(i), "", {{"i", i}});
    CHECK(tracer.size() == 10);
    CHECK(tracer.dropped() == 15);
    REQUIRE(tracer.writeTo(path));
    CHECK(checkWithPython(path, R"(
assert len(ev) == 10 and [e["args"]["i"] for e in ev] == list(range(10))
assert t["otherData"]["droppedEvents"] == 15
)") == "");
    fs::remove(path);
}

TEST_CASE("Tracer gives each thread its own track and takes events from all of them", "[unit][trace]") {
    const fs::path path = tempPath("threads.json");
    Tracer tracer(10'000);
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            if (t > 0) // thread 0 stays unnamed
                tracer.setThreadName(std::format("worker {}", t));
            for (int i = 0; i < 200; ++i) {
                TraceScope s(&tracer, "work", "w");
                tracer.counter("depth", i, monotonicNs());
            }
        });
    threads.clear();
    CHECK(tracer.size() == 4 * 400);
    REQUIRE(tracer.writeTo(path));
    CHECK(checkWithPython(path, R"(
work = [e for e in ev if e["name"] == "work"]
assert len(work) == 800
names = sorted(tracks[tid] for tid in {e["tid"] for e in work})
assert names[0].startswith("thread ") and names[1:] == ["worker 1", "worker 2", "worker 3"], names
)") == "");
    fs::remove(path);
}

TEST_CASE("A disabled tracer records and writes nothing; an open one writes its file", "[unit][trace]") {
    Tracer off;
    CHECK_FALSE(off.enabled());
    off.setEnabled(true); // stays off: it was made without room for events
    off.complete("x", "c", 0, 1, "GPU");
    off.instant("x", "c", 0, "");
    off.counter("x", 1, 0);
    { TraceScope s(&off, "x", "c"); }
    { TraceScope s(nullptr, "x", "c"); }
    CHECK(off.size() == 0);
    CHECK(off.dropped() == 0);
    REQUIRE(off.flush());

    const fs::path path = tempPath("open.json");
    {
        auto tracer = Tracer::open(path);
        REQUIRE(tracer);
        CHECK(fs::exists(path)); // an empty trace, written at once
        CHECK(checkWithPython(path, "assert ev == []") == "");
        (*tracer)->setEnabled(false);
        (*tracer)->complete("paused", "c", (*tracer)->startNs(), 1, "");
        (*tracer)->setEnabled(true);
        (*tracer)->complete("kept", "c", (*tracer)->startNs(), 1, "");
        CHECK((*tracer)->size() == 1);
    } // written on destruction
    CHECK(checkWithPython(path, R"(assert [e["name"] for e in ev] == ["kept"])") == "");

    auto tracer = Tracer::open(path);
    REQUIRE(tracer);
    (*tracer)->complete("closed", "c", (*tracer)->startNs(), 1, "");
    REQUIRE((*tracer)->close());
    (*tracer)->complete("after close", "c", (*tracer)->startNs(), 1, "");
    fs::remove(path);
    tracer->reset(); // closed: writes nothing more
    CHECK_FALSE(fs::exists(path));

    auto bad = Tracer::open("/nonexistent-dir/trace.json");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::Io);
    CHECK(bad.error().message.find("/nonexistent-dir/trace.json") != std::string::npos);
}
