// SPDX-License-Identifier: MIT
// rearview-viewfinder: the rear-display selfie viewfinder against a camera (libcamera's
// virtual one on machines without a sensor), still photos, or a synthetic pattern. Shows a
// live one-line status and ends with a summary table. Run with --help for the options.
#include <rearview/camera.hpp>
#include <rearview/gpu.hpp>
#include <rearview/log.hpp>
#include <rearview/viewfinder.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <format>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <print>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <unistd.h>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

constexpr const char* kUsage = R"(usage: rearview-viewfinder [options]

source (one of):
  --camera ID          libcamera camera: main (default), ultrawide or an id from --list
  --source PATH        a PNG/JPEG or a directory of them, fed through the same pipeline
  --synthetic          a synthetic test pattern (benchmarks, machines without a camera)
  --size WxH           frame size asked of the source (camera default: its own)
  --fps N              source frame rate (default 30)
  --list               list the cameras and exit

processing:
  --pipeline FILE      pipeline file (pipelines/*.yaml); the window's 'p' key cycles
                       through the .yaml files next to it
  --zoom Z             digital zoom 1..10 (default 1)
  --rotate DEG         0, 90, 180 or 270 (default 0)
  --fit                letterbox the whole frame instead of filling the panel
  --no-mirror          do not mirror the preview
  --no-hud             start with the HUD hidden
  --no-faces           no face analysis for beauty

output:
  --target T           window, display or headless (default: window when DISPLAY or
                       WAYLAND_DISPLAY is set, headless otherwise)
  --display SPEC       for --target display: connector name or index[:WxH[@HZ]]
  --panel WxH          panel size (default 904x572)
  --refresh HZ         panel refresh rate (default 120)
  --duration S         stop after S seconds (default: until q/Esc/Ctrl-C; 5 without a window)
  --frames N           stop after N processed frames
  --snapshot PATH      write the last panel image to PATH (PNG) at the end
  --trace PATH         write a Chrome/Perfetto JSON trace of the frame timeline
  --stats-json PATH    write the summary's figures to PATH as JSON at the end

recording (in parallel with the viewfinder, from the same frames):
  --record PATH        record to PATH (.mp4) from the start until the end of the run
  --record-size S      8k, 4k or 1080p (default: the largest this device sustains, measured)
  --record-codec C     hevc (default) or h264
  --record-priority P  protected (default: above the panel's processing, below its refresh),
                       normal (as the panel's processing) or background (below everything)

photos (full resolution, the panel's looks, JPEG with EXIF):
  --photo PATH         take a photo at the end of the run (or at --photo-at) to PATH (.jpg)
  --photo-at S         take it S seconds into the run instead
  --photo-size S       full (default), binned or panel (the panel's aspect)
  --timer S            self-timer for photos, seconds (also the 't' key's)
  -v, --verbose        debug log
  -q, --quiet          no live status, warnings and errors only
  -h, --help           this text

window keys: c switch camera, p next pipeline, + / - zoom, s snapshot, h HUD,
             r start/stop recording (rearview-NNN.mp4, or --record's path),
             space take a photo (rearview-photo-NNN.jpg), t photo after the self-timer
             (--timer, default 3 s), q or Esc quit
)";

struct Args {
    ViewfinderOptions options;
    std::optional<double> duration;
    std::optional<uint64_t> frames;
    std::string snapshot;
    std::string statsJson;
    /// path empty: no recording at start; the size the device sustains unless --record-size
    RecordOptions record{.resolution = RecordResolution::Auto};
    /// --photo: taken at the end of the run, or `photoAt` seconds into it.
    PhotoOptions photo;
    std::optional<double> photoAt;
    double timer = 3.0; ///< the 't' key's self-timer (--timer)
    bool timerGiven = false;
    bool list = false;
    bool verbose = false;
    bool quiet = false;
};

struct UsageError {
    std::string message;
};

/// The value `text` names among `choices`; nullopt when it names none (or is missing).
template <typename T>
std::optional<T> choice(std::optional<std::string_view> text,
                        std::initializer_list<std::pair<std::string_view, T>> choices) {
    for (const auto& [name, value] : choices)
        if (text == name)
            return value;
    return std::nullopt;
}

template <typename T>
std::optional<T> number(std::string_view text) {
    T value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::optional<FrameSize> size(std::string_view text) {
    const size_t x = text.find('x');
    if (x == std::string_view::npos)
        return std::nullopt;
    auto w = number<uint32_t>(text.substr(0, x)), h = number<uint32_t>(text.substr(x + 1));
    if (!w || !h || *w == 0 || *h == 0)
        return std::nullopt;
    return FrameSize{*w, *h};
}

std::variant<Args, UsageError, bool> parse(int argc, char** argv) {
    Args a;
    bool sourceSet = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view opt = argv[i];
        auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string_view(argv[++i]);
        };
        auto bad = [&](std::string_view what) { return UsageError{std::format("{} {}", opt, what)}; };
        auto setSource = [&](SourceKind kind) -> bool {
            const bool ok = !sourceSet;
            sourceSet = true;
            a.options.source.kind = kind;
            return ok;
        };
        if (opt == "-h" || opt == "--help")
            return true;
        if (opt == "--list") {
            a.list = true;
        } else if (opt == "--camera") {
            auto v = value();
            if (!v || !setSource(SourceKind::Camera))
                return bad(v ? "conflicts with another source option" : "needs a camera id");
            a.options.source.cameraId = *v;
        } else if (opt == "--source") {
            auto v = value();
            if (!v || !setSource(SourceKind::Stills))
                return bad(v ? "conflicts with another source option" : "needs a file or directory");
            a.options.source.stillsPath = *v;
        } else if (opt == "--synthetic") {
            if (!setSource(SourceKind::Synthetic))
                return bad("conflicts with another source option");
        } else if (opt == "--size" || opt == "--panel") {
            auto v = value();
            auto s = v ? size(*v) : std::nullopt;
            if (!s)
                return bad("needs WxH, e.g. 2040x1530");
            if (opt == "--size")
                a.options.source.size = *s;
            else
                a.options.panelWidth = s->width, a.options.panelHeight = s->height;
        } else if (opt == "--fps" || opt == "--refresh" || opt == "--duration" || opt == "--zoom") {
            auto v = value();
            auto n = v ? number<double>(*v) : std::nullopt;
            if (!n || !(*n > 0))
                return bad("needs a positive number");
            if (opt == "--fps")
                a.options.source.frameRate = *n;
            else if (opt == "--refresh")
                a.options.refreshHz = *n;
            else if (opt == "--duration")
                a.duration = *n;
            else if (*n < 1 || *n > 10)
                return bad("must be between 1 and 10");
            else
                a.options.geometry.zoom = float(*n);
        } else if (opt == "--frames") {
            auto v = value();
            auto n = v ? number<uint64_t>(*v) : std::nullopt;
            if (!n || *n == 0)
                return bad("needs a positive whole number");
            a.frames = *n;
        } else if (opt == "--rotate") {
            auto v = value();
            auto n = v ? number<int>(*v) : std::nullopt;
            if (!n || (*n != 0 && *n != 90 && *n != 180 && *n != 270))
                return bad("must be 0, 90, 180 or 270");
            a.options.geometry.rotation = Rotation(*n);
        } else if (opt == "--fit") {
            a.options.geometry.fit = FitMode::Fit;
        } else if (opt == "--no-mirror") {
            a.options.geometry.mirror = false;
        } else if (opt == "--no-hud") {
            a.options.hud = false;
        } else if (opt == "--no-faces") {
            a.options.faceAnalysis = false;
        } else if (opt == "--pipeline" || opt == "--snapshot" || opt == "--trace" || opt == "--display" ||
                   opt == "--stats-json") {
            auto v = value();
            if (!v || v->empty())
                return bad("needs a value");
            (opt == "--pipeline"     ? a.options.pipelineFile
             : opt == "--snapshot"   ? a.snapshot
             : opt == "--trace"      ? a.options.tracePath
             : opt == "--stats-json" ? a.statsJson
                                     : a.options.display) = *v;
        } else if (opt == "--photo") {
            auto v = value();
            if (!v || v->empty())
                return bad("needs a file path (.jpg)");
            a.photo.path = *v;
        } else if (opt == "--photo-at" || opt == "--timer") {
            auto v = value();
            auto n = v ? number<double>(*v) : std::nullopt;
            if (!n || !(*n >= 0) || *n > kMaxPhotoTimer * 100)
                return bad("needs seconds (a number from 0)");
            if (opt == "--timer") {
                a.timer = *n;
                a.timerGiven = true;
            } else {
                a.photoAt = *n;
            }
        } else if (opt == "--photo-size") {
            auto c = choice<PhotoSize>(value(), {{"full", PhotoSize::Full}, {"binned", PhotoSize::Binned},
                                                 {"panel", PhotoSize::PanelAspect}});
            if (!c)
                return bad("must be full, binned or panel");
            a.photo.size = *c;
        } else if (opt == "--record") {
            auto v = value();
            if (!v || v->empty())
                return bad("needs a file path");
            a.record.path = *v;
        } else if (opt == "--record-size") {
            auto c = choice<RecordResolution>(value(), {{"8k", RecordResolution::Uhd8K},
                                                        {"4k", RecordResolution::Uhd4K},
                                                        {"1080p", RecordResolution::Fhd}});
            if (!c)
                return bad("must be 8k, 4k or 1080p");
            a.record.resolution = *c;
        } else if (opt == "--record-codec") {
            auto c = choice<RecordCodec>(value(), {{"hevc", RecordCodec::Hevc}, {"h264", RecordCodec::H264}});
            if (!c)
                return bad("must be hevc or h264");
            a.record.codec = *c;
        } else if (opt == "--record-priority") {
            auto c = choice<RecordPriority>(
                value(), {{"protected", RecordPriority::Protected},
                          {"normal", RecordPriority::Normal},
                          {"background", RecordPriority::Background}});
            if (!c)
                return bad("must be protected, normal or background");
            a.record.priority = *c;
        } else if (opt == "--target") {
            auto c = choice<PresentTarget>(value(), {{"window", PresentTarget::Window},
                                                     {"display", PresentTarget::Display},
                                                     {"headless", PresentTarget::Headless}});
            if (!c)
                return bad("must be window, display or headless");
            a.options.target = *c;
        } else if (opt == "-v" || opt == "--verbose") {
            a.verbose = true;
        } else if (opt == "-q" || opt == "--quiet") {
            a.quiet = true;
        } else {
            return UsageError{std::format("unknown option '{}'", opt)};
        }
    }
    return a;
}

std::atomic<bool> interrupted{false};

/// The .yaml files next to `current`, in name order, for the 'p' key.
std::vector<std::string> pipelinesBeside(const std::string& current) {
    std::vector<std::string> files;
    if (current.empty())
        return files;
    std::error_code ec;
    const auto dir = std::filesystem::path(current).parent_path();
    for (const auto& e : std::filesystem::directory_iterator(dir.empty() ? "." : dir, ec))
        if (e.path().extension() == ".yaml")
            files.push_back(e.path().string());
    std::ranges::sort(files);
    return files;
}

std::string statusLine(const ViewfinderStats& s) {
    std::string rec;
    if (s.recording && s.recording->active)
        rec = std::format("  REC {:.0f} s {} frames {:.1f} MB", s.recording->seconds, s.recording->encoder.framesEncoded,
                          double(s.recording->encoder.bytesWritten) / 1e6);
    else if (s.recording && s.recording->stoppedByItself)
        rec = "  REC STOPPED";
    return std::format("{:6.1f} s  {}  cam {:5.1f} fps  panel {:5.1f} Hz  latency {:5.1f}/{:5.1f} ms  "
                       "missed {}  stale {}  errors {}{}",
                       s.elapsedSeconds, s.camera, s.captureFps, s.presentFps, s.sensorToPresentedMs.p50,
                       s.sensorToPresentedMs.p99, s.missedRefreshes, s.staleFrames, s.frameErrors, rec);
}

/// The 'r' key's file names: --record's path for the first, then rearview-NNN.mp4 not yet taken.
std::string nextRecordingPath(const std::string& requested, int& taken) {
    if (!requested.empty() && taken++ == 0)
        return requested;
    std::string path;
    do
        path = std::format("rearview-{:03}.mp4", taken++);
    while (std::filesystem::exists(path));
    return path;
}

/// `text` as a JSON string literal.
std::string jsonString(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += std::format("\\{}", c);
        else if (uint8_t(c) < 0x20)
            out += std::format("\\u{:04x}", unsigned(uint8_t(c)));
        else
            out += c;
    }
    return out + "\"";
}

/// A finite number as JSON (NaN and infinities, which JSON lacks, as null).
std::string jsonNumber(double v) { return std::isfinite(v) ? std::format("{}", v) : "null"; }

std::string jsonPercentiles(const LatencyPercentiles& p) {
    return std::format(R"({{"p50": {}, "p99": {}}})", jsonNumber(p.p50), jsonNumber(p.p99));
}

std::string jsonStages(const std::vector<StageTime>& stages) {
    std::string out = "{";
    for (const StageTime& t : stages)
        out += std::format("{}{}: {}", out.size() > 1 ? ", " : "", jsonString(t.name), jsonNumber(t.p50Ms));
    return out + "}";
}

/// The summary's figures as one JSON object (--stats-json): what scripts read instead of the
/// table. Times in ms, as the field names say.
std::string statsJson(const ViewfinderStats& s, const GpuInfo& gpu) {
    const GovernorStats& g = s.governor;
    std::string out = std::format(
        R"({{"gpu": {{"name": {}, "type": {}, "driver": {}, "driver_info": {}, "vulkan": {}}}, "source": {}, "frame_width": {}, "frame_height": {}, "seconds": {}, "frames_captured": {}, )"
        R"("frames_processed": {}, "frame_errors": {}, "capture_fps": {}, "presented": {}, "missed_refreshes": {}, )"
        R"("present_fps": {}, "present_interval_ms": {}, "sensor_to_ready_ms": {}, "sensor_to_presented_ms": {}, )"
        R"("gpu_frame_ms": {}, "gpu_stage_ms": {}, "import_path": {}, "governor": {{"level": {}, "level_name": {}, )"
        R"("max_level": {}, "sheds": {}, "restores": {}, "frames_shed": {}, "frames_pipeline_full": {}}})",
        jsonString(gpu.name), jsonString(gpu.type), jsonString(gpu.driverName), jsonString(gpu.driverInfo),
        jsonString(gpu.apiVersion), jsonString(s.camera), s.frameWidth, s.frameHeight, jsonNumber(s.elapsedSeconds), s.framesCaptured,
        s.framesProcessed, s.frameErrors, jsonNumber(s.captureFps), s.presented, s.missedRefreshes,
        jsonNumber(s.presentFps), jsonPercentiles(s.presentIntervalMs), jsonPercentiles(s.sensorToReadyMs),
        jsonPercentiles(s.sensorToPresentedMs), jsonNumber(s.gpuFrameMs), jsonStages(s.gpuStages),
        jsonString(s.importPath), g.level, jsonString(g.levelName), g.maxLevelReached, g.sheds, g.restores,
        g.framesShed, g.framesPipelineFull);
    if (const auto& r = s.recording) {
        const RecordStats& e = r->encoder;
        out += std::format(
            R"(, "recording": {{"size": {}, "rate_fps": {}, "frames_due": {}, "frames_recorded": {}, )"
            R"("frames_skipped": {}, "frames_encoded": {}, "frames_dropped": {}, "encode_fps": {}, "gpu_ms": {}, )"
            R"("gpu_stage_ms": {}, "encoder": {}, "error": {}}})",
            jsonString(toString(r->plan.resolution)), jsonNumber(r->recordRate), r->framesSelected, r->framesRecorded,
            r->framesSkipped, e.framesEncoded, e.framesDropped, jsonNumber(e.encodeFps), jsonPercentiles(r->gpuMs),
            jsonStages(r->gpuStages), jsonString(e.encoder), jsonString(e.error));
    }
    if (s.lastError)
        out += std::format(R"(, "last_error": {})", jsonString(s.lastError->describe()));
    return out + "}\n";
}

void printSummary(const ViewfinderStats& s) {
    auto row = [](std::string_view name, const std::string& value) { std::println("  {:<38} {}", name, value); };
    std::println("\nrearview-viewfinder summary");
    row("source", std::format("{} ({}x{})", s.camera, s.frameWidth, s.frameHeight));
    row("run time", std::format("{:.2f} s", s.elapsedSeconds));
    row("frames captured / processed", std::format("{} / {}", s.framesCaptured, s.framesProcessed));
    row("frame errors", std::format("{}", s.frameErrors));
    row("capture rate", std::format("{:.1f} fps", s.captureFps));
    row("present target / timing", std::format("{} / {}", s.presentTarget, s.presentTiming));
    row("presented / missed refreshes", std::format("{} / {}", s.presented, s.missedRefreshes));
    row("present rate", std::format("{:.1f} Hz", s.presentFps));
    row("present interval p50 / p99", std::format("{:.2f} / {:.2f} ms", s.presentIntervalMs.p50, s.presentIntervalMs.p99));
    row("presents / refreshes per camera frame", std::format("{:.2f} / {:.2f}", s.repeatsPerFrame, s.refreshesPerFrame));
    row("stale presents", std::format("{}", s.staleFrames));
    row("frames never shown", std::format("{}", s.framesNeverShown));
    row("latency sensor->ready p50 / p99", std::format("{:.1f} / {:.1f} ms", s.sensorToReadyMs.p50, s.sensorToReadyMs.p99));
    row("latency sensor->presented p50 / p99",
        std::format("{:.1f} / {:.1f} ms", s.sensorToPresentedMs.p50, s.sensorToPresentedMs.p99));
    row("GPU per frame p50", std::format("{:.2f} ms", s.gpuFrameMs));
    for (const StageTime& t : s.gpuStages)
        row(std::format("  {}", t.name), std::format("{:.2f} ms", t.p50Ms));
    row("import path / bytes copied", std::format("{} / {}", s.importPath, s.bytesCopied));
    row("pipeline switches / snapshots", std::format("{} / {}", s.pipelineSwitches, s.snapshots));
    const GovernorStats& g = s.governor;
    row("governor level / max / sheds / restores",
        std::format("{} ({}) / {} / {} / {}", g.level, g.levelName, g.maxLevelReached, g.sheds, g.restores));
    row("frames shed / pipeline full", std::format("{} / {} (load {:.2f})", g.framesShed, g.framesPipelineFull, g.load));
    if (s.photo.requested) {
        const PhotoStats& p = s.photo;
        row("photos taken / failed / cancelled", std::format("{} / {} / {}{}", p.taken, p.failed, p.cancelled,
                                                             p.notZeroShutterLag ? std::format(" ({} not zero-lag)", p.notZeroShutterLag) : ""));
        row("  shutter lag p50 / p99", std::format("{:.0f} / {:.0f} ms (frame time - press)", p.shutterLagP50Ms, p.shutterLagP99Ms));
        row("  press to written p50 / p99", std::format("{:.0f} / {:.0f} ms", p.pressToWrittenP50Ms, p.pressToWrittenP99Ms));
        row("  GPU / encode p50", std::format("{:.0f} / {:.0f} ms, {:.1f} MB written", p.gpuP50Ms, p.encodeP50Ms, double(p.bytes) / 1e6));
    }
    if (const auto& r = s.recording) {
        const RecordStats& e = r->encoder;
        row("recording", std::format("{}{}", e.files.empty() ? std::string("-") : e.files.back(),
                                     r->stoppedByItself ? " (stopped by itself)" : ""));
        row("  encoder", std::format("{} ({})", e.encoder, e.hardware ? "hardware" : "software"));
        row("  why", e.encoderReason);
        row("  time / rate / priority", std::format("{:.1f} s / {:.0f} fps asked / {}", r->seconds, r->recordRate,
                                                    toString(r->priority)));
        row("  size / measured", std::format("{} / {}", toString(r->plan.resolution), r->plan.summary));
        row("  frames due / recorded / skipped", std::format("{} / {} / {} (branch busy)", r->framesSelected,
                                                             r->framesRecorded, r->framesSkipped));
        row("  frames encoded / dropped", std::format("{} / {} (+{} discarded)", e.framesEncoded, e.framesDropped,
                                                      e.framesDiscarded));
        row("  bytes written", std::format("{} ({:.1f} MB)", e.bytesWritten, double(e.bytesWritten) / 1e6));
        row("  encode fps / keeps up", std::format("{:.1f} / {}", e.encodeFps, e.keepsUp ? "yes" : "no"));
        row("  record GPU p50 / p99", std::format("{:.1f} / {:.1f} ms", r->gpuMs.p50, r->gpuMs.p99));
        for (const StageTime& t : r->gpuStages)
            row(std::format("    {}", t.name), std::format("{:.2f} ms", t.p50Ms));
        row("  readback copy p50 / bytes", std::format("{:.2f} ms / {}", r->copyMs.p50, r->bytesCopied));
        if (!e.error.empty())
            row("  error", e.error);
    }
    if (s.lastError)
        row("last error", s.lastError->describe());
}

} // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (std::holds_alternative<bool>(parsed)) {
        std::print("{}", kUsage);
        return 0;
    }
    if (auto* e = std::get_if<UsageError>(&parsed)) {
        std::println(stderr, "rearview-viewfinder: {}\nrun with --help for the options", e->message);
        return 2;
    }
    Args args = std::get<Args>(std::move(parsed));
    if (args.verbose)
        setLogLevel(LogLevel::Debug);
    else if (args.quiet)
        setLogLevel(LogLevel::Warning);

    if (args.list) {
        auto cameras = listCameras();
        if (!cameras) {
            std::println(stderr, "rearview-viewfinder: {}", cameras.error().describe());
            return 1;
        }
        for (const CameraInfo& c : *cameras)
            std::println("{:<12} {:<8} {}  {}x{}", c.id, toString(c.location), c.model, c.pixelArraySize.width,
                         c.pixelArraySize.height);
        return 0;
    }

    auto gpu = GpuContext::create({.validation = std::getenv("REARVIEW_VALIDATION") != nullptr});
    if (!gpu) {
        std::println(stderr, "rearview-viewfinder: {}", gpu.error().describe());
        return 1;
    }
    auto viewfinder = Viewfinder::create(*gpu, args.options);
    if (!viewfinder) {
        std::println(stderr, "rearview-viewfinder: {}", viewfinder.error().describe());
        return 1;
    }
    Viewfinder& vf = **viewfinder;
    const std::vector<std::string> pipelines = pipelinesBeside(args.options.pipelineFile);
    std::signal(SIGINT, [](int) { interrupted = true; });
    std::signal(SIGTERM, [](int) { interrupted = true; });
    if (auto started = vf.start(); !started) {
        std::println(stderr, "rearview-viewfinder: {}", started.error().describe());
        return 1;
    }
    int recordings = 0;
    auto toggleRecording = [&] {
        if (vf.recording()) {
            auto r = vf.stopRecording();
            if (r)
                std::println(stderr, "\nrecorded {} frames to {}", r->framesEncoded,
                             r->files.empty() ? std::string("?") : r->files.back());
            else
                std::println(stderr, "\nrecording: {}", r.error().describe());
            return true;
        }
        RecordOptions o = args.record;
        o.path = nextRecordingPath(args.record.path, recordings);
        auto plan = vf.startRecording(o);
        if (!plan) {
            std::println(stderr, "\nrecording: {}", plan.error().describe());
            return false;
        }
        std::println(stderr, "recording {}", plan->summary);
        return true;
    };
    if (!args.record.path.empty() && !toggleRecording()) {
        vf.stop();
        return 1;
    }
    // Photos: each is written while the viewfinder runs on; they are waited for at the end.
    int photos = 0;
    std::vector<std::future<Result<PhotoResult>>> pendingPhotos;
    auto takePhoto = [&](std::string path, double timer) {
        PhotoOptions o = args.photo;
        o.path = path.empty() ? std::format("rearview-photo-{:03}.jpg", photos) : std::move(path);
        o.timerSeconds = timer;
        ++photos;
        auto f = vf.capturePhoto(o);
        if (!f) {
            std::println(stderr, "\nphoto: {}", f.error().describe());
            return false;
        }
        pendingPhotos.push_back(std::move(*f));
        return true;
    };
    auto finishPhotos = [&] {
        bool ok = true;
        for (auto& f : pendingPhotos) {
            auto r = f.get();
            if (!r) {
                std::println(stderr, "rearview-viewfinder: photo: {}", r.error().describe());
                ok = false;
                continue;
            }
            for (const PhotoShot& shot : r->shots)
                std::println("photo written to {} ({}x{}, frame {}, shutter lag {:.0f} ms{}, GPU {:.0f} ms, "
                             "encode {:.0f} ms, {:.1f} MB)",
                             shot.path, shot.width, shot.height, shot.sequence, shot.shutterLagMs,
                             shot.zeroShutterLag ? "" : ", not zero-lag", shot.gpuMs, shot.encodeMs,
                             double(shot.bytes) / 1e6);
        }
        pendingPhotos.clear();
        return ok;
    };
    bool photoTaken = args.photo.path.empty();
    const double photoTimer = args.timerGiven ? args.timer : 0.0;
    // Without a window nothing else ends the run.
    const bool window = vf.stats().presentTarget == "window";
    if (!args.duration && !args.frames && !window)
        args.duration = 5.0;

    const bool tty = isatty(STDERR_FILENO);
    const auto start = std::chrono::steady_clock::now();
    auto lastStatus = start;
    int snapshots = 0;
    bool quit = false;
    while (!quit && !interrupted) {
        for (const ViewfinderEvent& e : vf.pollEvents()) {
            if (e.kind == ViewfinderEvent::Kind::Quit)
                quit = true;
            if (e.kind != ViewfinderEvent::Kind::Key)
                continue;
            switch (e.key) {
            case 'q':
            case ViewfinderEvent::kEscape: quit = true; break;
            case 'h': vf.setHudVisible(!vf.hudVisible()); break;
            case 'r': toggleRecording(); break;
            case ' ': takePhoto({}, 0.0); break;
            case 't': takePhoto({}, args.timer); break;
            case ViewfinderEvent::kPlus:
            case '=':
            case ViewfinderEvent::kMinus: {
                ViewGeometry g = vf.geometry();
                g.zoom = std::clamp(e.key == ViewfinderEvent::kMinus ? g.zoom / 1.25f : g.zoom * 1.25f, 1.0f, 10.0f);
                if (auto r = vf.setGeometry(g); !r)
                    std::println(stderr, "\nzoom: {}", r.error().describe());
                break;
            }
            case 'c': {
                const std::string to = vf.stats().camera == "main" ? "ultrawide" : "main";
                if (auto r = vf.switchCamera(to); !r)
                    std::println(stderr, "\nswitch camera: {}", r.error().describe());
                break;
            }
            case 'p': {
                if (pipelines.empty())
                    break;
                auto at = std::ranges::find(pipelines, vf.pipeline().source);
                const std::string next = at == pipelines.end() || at + 1 == pipelines.end() ? pipelines.front() : *(at + 1);
                if (auto r = vf.setPipeline(next); !r)
                    std::println(stderr, "\npipeline: {}", r.error().describe());
                break;
            }
            case 's': {
                const std::string path = std::format("rearview-snapshot-{:03}.png", snapshots++);
                if (auto r = vf.snapshot(path); !r)
                    std::println(stderr, "\nsnapshot: {}", r.error().describe());
                break;
            }
            default: break;
            }
        }
        const auto now = std::chrono::steady_clock::now();
        const double elapsed = std::chrono::duration<double>(now - start).count();
        const ViewfinderStats s = vf.stats();
        if (!photoTaken && args.photoAt && elapsed >= *args.photoAt) {
            photoTaken = true;
            if (!takePhoto(args.photo.path, photoTimer))
                quit = true;
        }
        if (args.duration && elapsed >= *args.duration)
            quit = true;
        if (args.frames && s.framesProcessed >= *args.frames)
            quit = true;
        if (!args.quiet && now - lastStatus >= (tty ? 250ms : 1000ms)) {
            lastStatus = now;
            if (tty)
                std::print(stderr, "\r{}\x1b[K", statusLine(s));
            else
                std::println(stderr, "{}", statusLine(s));
        }
        std::this_thread::sleep_for(5ms);
    }
    if (tty && !args.quiet)
        std::print(stderr, "\n");

    int rc = 0;
    if (interrupted)
        vf.cancelPhoto();
    // --photo without --photo-at: the last frame of the run.
    if (!photoTaken && !takePhoto(args.photo.path, photoTimer))
        rc = 1;
    if (!finishPhotos())
        rc = 1;
    if (!args.snapshot.empty()) {
        if (auto r = vf.snapshot(args.snapshot); !r) {
            std::println(stderr, "rearview-viewfinder: snapshot: {}", r.error().describe());
            rc = 1;
        } else {
            std::println("snapshot written to {}", args.snapshot);
        }
    }
    // stop() also finishes a recording still running, after the viewfinder's last frame.
    vf.stop();
    const ViewfinderStats s = vf.stats();
    if (s.recording && !s.recording->encoder.error.empty()) {
        std::println(stderr, "rearview-viewfinder: recording: {}", s.recording->encoder.error);
        rc = 1;
    }
    printSummary(s);
    if (!args.statsJson.empty()) {
        std::ofstream file(args.statsJson);
        file << statsJson(s, gpu->info());
        if (!file.flush()) {
            std::println(stderr, "rearview-viewfinder: cannot write {}", args.statsJson);
            rc = 1;
        }
    }
    if (!args.options.tracePath.empty())
        std::println("trace written to {} (open in https://ui.perfetto.dev or chrome://tracing)",
                     args.options.tracePath);
    if (s.framesProcessed == 0) {
        std::println(stderr, "rearview-viewfinder: no frame was processed{}",
                     s.lastError ? ": " + s.lastError->describe() : std::string());
        rc = 1;
    }
    return rc;
}
