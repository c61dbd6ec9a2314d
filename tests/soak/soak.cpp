// SPDX-License-Identifier: MIT
// The soak: the viewfinder on the virtual camera at 50 MP for a long run, through the public
// API, with everything a user does changing all the time: the pipeline every second, the
// camera every 5 s, the geometry every frame (30 times a second), recordings in 10-s segments,
// a snapshot every 5 s. After a warm-up it checks what a long run must not do: resident memory
// grows by less than 2 %, file descriptors and threads stay as they were, no validation message
// and no frame error; every recorded segment plays (ffprobe counts its frames).
//
// Memory is read at the start of every segment. Resident memory rises for about the first
// minute (both cameras' 50 MP buffers, every pipeline's LUTs, the encoder's and the drivers'
// pools) and then moves by about +-2 % from one segment to the next, so a run of 5 minutes or
// more compares the median of its first three readings after a 60-s warm-up with the median of
// its last three against 2 %; a shorter run (CI's minute) is still warming up, so it holds
// resident memory only to 25 % after 20 s (a gross leak), and fds, threads, errors and
// segments exactly.
//
//   rearview-soak --seconds S --pipelines DIR --out DIR [--size WxH] [--without PART ...]
//
// --without record|cameras|pipelines|geometry|snapshots leaves that change out (to find
// which one a failing check comes from).
//
// Prints one line per segment and a summary; exit 0 when every check holds, 1 otherwise.
#include <rearview/viewfinder.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <format>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

/// What a long run must keep constant, read from /proc.
struct Footprint {
    long rssKb = 0;
    size_t fds = 0;
    size_t threads = 0;
};

size_t entries(const char* dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir))
        ++n;
    return n;
}

Footprint footprint() {
    Footprint f;
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:"))
            f.rssKb = std::atol(line.c_str() + 6);
    f.fds = entries("/proc/self/fd");
    f.threads = entries("/proc/self/task");
    return f;
}

/// Frames ffprobe decodes in `path` (0 when it cannot read the file).
long playableFrames(const fs::path& path) {
    const std::string cmd = std::format("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                                        "stream=nb_read_frames -of csv=p=0 '{}' 2>/dev/null",
                                        path.string());
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p)
        return 0;
    char buf[64] = {};
    const bool read = std::fgets(buf, sizeof buf, p) != nullptr;
    ::pclose(p);
    return read ? std::atol(buf) : 0;
}

int usage() {
    std::fputs("usage: rearview-soak --seconds S --pipelines DIR --out DIR [--size WxH] "
               "[--without record|cameras|pipelines|geometry|snapshots ...]\n",
               stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    double seconds = 60;
    fs::path pipelinesDir, outDir;
    rearview::FrameSize size{8160, 6120};
    std::vector<std::string> without;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (i + 1 >= argc)
            return usage();
        if (a == "--seconds")
            seconds = std::atof(argv[++i]);
        else if (a == "--pipelines")
            pipelinesDir = argv[++i];
        else if (a == "--out")
            outDir = argv[++i];
        else if (a == "--size" && std::sscanf(argv[++i], "%ux%u", &size.width, &size.height) == 2)
            continue;
        else if (a == "--without")
            without.emplace_back(argv[++i]);
        else
            return usage();
    }
    if (seconds < 30 || pipelinesDir.empty() || outDir.empty())
        return usage();
    const auto with = [&](std::string_view part) { return std::ranges::find(without, part) == without.end(); };
    for (const std::string& part : without)
        if (part != "record" && part != "cameras" && part != "pipelines" && part != "geometry" && part != "snapshots")
            return usage();
    fs::create_directories(outDir);
    std::vector<std::string> pipelines;
    for (const auto& e : fs::directory_iterator(pipelinesDir))
        if (e.path().extension() == ".yaml")
            pipelines.push_back(e.path().string());
    std::ranges::sort(pipelines);
    pipelines.push_back(""); // and none

    int failures = 0;
    auto check = [&](bool ok, const std::string& what) {
        std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
        failures += !ok;
    };
    {
        auto gpu = rearview::GpuContext::create({.validation = true, .applicationName = "rearview-soak"});
        if (!gpu) {
            std::printf("FAIL GpuContext: %s\n", gpu.error().describe().c_str());
            return 1;
        }
        rearview::ViewfinderOptions o;
        o.source = {.kind = rearview::SourceKind::Camera, .cameraId = "main", .size = size, .frameRate = 30};
        o.target = rearview::PresentTarget::Headless;
        o.pipelineFile = pipelines.front();
        auto created = rearview::Viewfinder::create(*gpu, o);
        if (!created) {
            std::printf("FAIL Viewfinder::create: %s\n", created.error().describe().c_str());
            return 1;
        }
        rearview::Viewfinder& vf = **created;
        if (auto r = vf.start(); !r) {
            std::printf("FAIL start: %s\n", r.error().describe().c_str());
            return 1;
        }

        const auto t0 = Clock::now();
        const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
        // Footprints at the start of every segment after the warm-up: the same moment of the
        // cycle, so the figures compare like with like.
        const bool longRun = seconds >= 300;
        const double warmup = longRun ? std::max(60.0, seconds / 5) : 20.0;
        const double memoryBound = longRun ? 2.0 : 25.0;
        std::vector<Footprint> marks;
        std::vector<fs::path> segments;
        std::string camera = "main";
        size_t pipeline = 0;
        uint64_t geometryChanges = 0, snapshots = 0, cameraSwitches = 0, pipelineSwitches = 0;
        int nextSecond = 1, nextSegmentAt = 0;
        bool recording = false;
        while (elapsed() < seconds) {
            const double t = elapsed();
            if (t >= nextSegmentAt && !with("record")) { // the footprint's moments without segments
                const Footprint now = footprint();
                std::printf("at %.0f s: resident %ld kB, %zu fds, %zu threads\n", t, now.rssKb, now.fds, now.threads);
                if (t >= warmup)
                    marks.push_back(now);
                nextSegmentAt += 10;
            }
            if (t >= nextSegmentAt && with("record")) { // a new 10-s segment
                if (recording) {
                    auto stopped = vf.stopRecording();
                    check(bool(stopped), std::format("segment {} stopped{}", segments.back().filename().string(),
                                                     stopped ? "" : ": " + stopped.error().describe()));
                }
                const Footprint now = footprint();
                std::printf("segment %zu at %.0f s: resident %ld kB, %zu fds, %zu threads\n", segments.size(), t,
                            now.rssKb, now.fds, now.threads);
                if (t >= warmup)
                    marks.push_back(now);
                rearview::RecordOptions rec;
                rec.path = (outDir / std::format("segment-{:03}.mp4", segments.size())).string();
                rec.resolution = rearview::RecordResolution::Fhd;
                rec.codec = rearview::RecordCodec::H264;
                auto started = vf.startRecording(rec);
                recording = bool(started);
                if (started)
                    segments.push_back(rec.path);
                else
                    check(false, "startRecording: " + started.error().describe());
                nextSegmentAt += 10;
            }
            if (t >= nextSecond) {
                if (nextSecond % 5 == 0 && with("cameras")) {
                    camera = camera == "main" ? "ultrawide" : "main";
                    if (auto r = vf.switchCamera(camera); r)
                        ++cameraSwitches;
                    else
                        check(false, "switchCamera: " + r.error().describe());
                }
                if (nextSecond % 5 == 0 && with("snapshots")) {
                    if (auto r = vf.snapshot((outDir / "snapshot.png").string()); r)
                        ++snapshots;
                    else
                        check(false, "snapshot: " + r.error().describe());
                }
                pipeline = (pipeline + 1) % pipelines.size();
                if (!with("pipelines")) {
                } else if (auto r = vf.setPipeline(pipelines[pipeline]); r) {
                    ++pipelineSwitches;
                } else {
                    check(false, "setPipeline: " + r.error().describe());
                }
                ++nextSecond;
            }
            rearview::ViewGeometry g = vf.geometry();
            g.zoom = float(1.5 + 0.5 * std::sin(t * 0.7));
            g.centerX = float(0.5 + 0.1 * std::cos(t * 0.3));
            if (with("geometry") && vf.setGeometry(g))
                ++geometryChanges;
            std::this_thread::sleep_for(33ms);
        }
        if (recording)
            (void)vf.stopRecording();
        vf.stop();
        const rearview::ViewfinderStats s = vf.stats();

        std::printf("soak: %.0f s, %llu frames captured, %llu processed, %llu presented, %llu missed refreshes, "
                    "%llu pipeline / %llu camera switches, %llu geometry changes, %llu snapshots, %zu segments\n",
                    s.elapsedSeconds, static_cast<unsigned long long>(s.framesCaptured),
                    static_cast<unsigned long long>(s.framesProcessed), static_cast<unsigned long long>(s.presented),
                    static_cast<unsigned long long>(s.missedRefreshes), static_cast<unsigned long long>(pipelineSwitches),
                    static_cast<unsigned long long>(cameraSwitches), static_cast<unsigned long long>(geometryChanges),
                    static_cast<unsigned long long>(snapshots), segments.size());
        check(s.frameErrors == 0, std::format("frame errors: {}{}", s.frameErrors,
                                              s.lastError ? " (last: " + s.lastError->message + ")" : ""));
        check(s.framesProcessed > 0, "frames reached the panel");
        for (const fs::path& seg : segments) {
            const long frames = playableFrames(seg);
            check(frames > 0, std::format("{} plays: {} frames", seg.filename().string(), frames));
        }
        if (marks.size() >= 2) {
            const Footprint& a = marks.front();
            const Footprint& b = marks.back();
            // Medians of the first and the last three readings (fewer in a short run).
            const size_t n = std::min<size_t>(3, marks.size() / 2);
            auto median = [&](size_t from) {
                std::vector<long> v;
                for (size_t i = from; i < from + n; ++i)
                    v.push_back(marks[i].rssKb);
                std::ranges::sort(v);
                return v[v.size() / 2];
            };
            const long first = median(0), last = median(marks.size() - n);
            const double growth = 100.0 * double(last - first) / double(first);
            check(growth < memoryBound,
                  std::format("resident memory {} -> {} kB ({:+.2f} %, under {} %; medians of {} of {} readings)", first,
                              last, growth, memoryBound, n, marks.size()));
            check(b.fds == a.fds, std::format("file descriptors {} -> {}", a.fds, b.fds));
            check(b.threads == a.threads, std::format("threads {} -> {}", a.threads, b.threads));
        } else {
            check(false, "the run was too short to compare footprints after the warm-up");
        }
        check(gpu->validationMessages() == 0, std::format("validation messages: {}", gpu->validationMessages()));
    }
    std::printf("%s\n", failures ? "soak FAILED" : "soak passed");
    return failures ? 1 : 0;
}
