// SPDX-License-Identifier: MIT
// The whole viewfinder chain per frame at 50 MP (8160x6120 NV12) from the synthetic source:
// import, crop/scale to the 904x572 panel, a shipped pipeline's stages (selfie-beauty,
// vivid, or none), the HUD, and publishing to the mailbox, with face analysis on its thread
// and a headless presenter taking frames at 120 Hz, as the viewfinder runs them. One
// iteration is one frame and its time is that frame's sensor→ready latency. The recording
// pair runs the vivid chain from a sensor at 15 fps without and with an 8K recording (the
// largest size the frames allow; skipped for frames below 1080p). Counters:
// p50/p99 of that latency, GPU ms per frame and per stage (medians), and the panel side:
// present interval p50/p99, missed refreshes per second and sensor→presented p50. The
// anchors are crop_scale's, in the same binary and run; scripts/bench-ratios sets these
// figures beside them.
#include "analysis/face_thread.hpp"
#include "bench_support.hpp"
#include "capture/synthetic_source.hpp"
#include "core/clock.hpp"
#include "core/pipeline_file.hpp"
#include "present/mailbox.hpp"
#include "present/presenter.hpp"
#include "core/record_plan.hpp"
#include "core/thread_priority.hpp"
#include "viewfinder/frame_loop.hpp"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <format>
#include <map>
#include <mutex>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;
constexpr double kRefreshHz = 120;
// The first frames create the stages' pipelines and upload the LUTs: not a steady frame.
constexpr int kWarmUpFrames = 3;
// Enough frames for a p99 that is not just the maximum of a handful; about 10 s per
// repetition at 50 MP on a 2-core CPU driver.
constexpr int kFrames = 30;
// A 50 MP frame on a CPU driver takes a fraction of a second; far longer means it failed.
constexpr auto kFrameTimeout = std::chrono::seconds(20);

/// A sensor, filled once per process and rate (about 0.1 s per 50 MP buffer). Rate 0: frames
/// are handed out as the loop asks for them, so a frame's sensor→ready time is its own cost,
/// not time spent waiting for a sensor slot.
Result<SyntheticSource>& sensor(double fps) {
    static std::map<double, Result<SyntheticSource>> sources;
    auto it = sources.find(fps);
    if (it == sources.end()) {
        SyntheticSourceOptions o;
        bench::frameSize(o.width, o.height);
        o.frameRate = fps;
        o.bufferCount = 4;
        o.colorSpace = {YcbcrMatrix::Bt709, YcbcrRange::Limited};
        it = sources.emplace(fps, SyntheticSource::create(std::move(o))).first;
    }
    return it->second;
}

/// One viewfinder benchmark: a pipeline file (empty: none), the sensor's rate, and whether
/// a 1080p recording runs beside the viewfinder.
struct Chain {
    std::string pipelineFile;
    double sensorFps = 0;
    bool record = false;
};

// The sensor at the rate the viewfinder is specified for: 50 MP at 30 fps. The governor sheds
// what the device cannot process; the figures say how much.
constexpr double kSensorFps = 30;

/// The loop's frame source, passed through. The loop asks for a frame at least every
/// millisecond while frames are in flight and publishes between requests, so each request is
/// where newly published frames are noticed (two published between the same two requests
/// count as the newer one), without polling the mailbox.
class PublishedFrames final : public FrameSource {
public:
    PublishedFrames(FrameSource& inner, const present::Mailbox& mailbox) : inner_(inner), mailbox_(mailbox) {}

    Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) override {
        if (const uint64_t published = mailbox_.published(); published != seen_) {
            seen_ = published;
            if (auto ready = mailbox_.newestPublished()) {
                std::lock_guard lock(mutex_);
                frames_.push_back(*ready);
                cv_.notify_one();
            }
        }
        return inner_.nextFrame(timeout);
    }
    FrameFormat format() const override { return inner_.format(); }

    /// The next frame published since the last call, waiting up to `timeout`.
    std::optional<present::ReadyFrame> next(std::chrono::steady_clock::duration timeout) {
        std::unique_lock lock(mutex_);
        if (!cv_.wait_for(lock, timeout, [&] { return !frames_.empty(); }))
            return std::nullopt;
        const present::ReadyFrame ready = frames_.front();
        frames_.pop_front();
        return ready;
    }

private:
    FrameSource& inner_;
    const present::Mailbox& mailbox_;
    uint64_t seen_ = 0; // loop thread only
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<present::ReadyFrame> frames_;
};

// The viewfinder's HUD carries live figures refreshed a few times a second; lines of the same
// shape cost the overlay the same per frame.
std::vector<std::string> hudLines() {
    return {"synthetic 8160x6120  selfie-beauty", "cam 30.0 fps  panel 120 Hz", "latency 100 ms  ready 80 ms",
            "gpu 50.0 ms  missed 0"};
}

/// The shipped pipeline files: REARVIEW_PIPELINES_DIR when set (a packed benchmark sets it to
/// the copies beside it), else the source tree's.
std::filesystem::path pipelinesDir() {
    const char* dir = std::getenv("REARVIEW_PIPELINES_DIR");
    return dir && *dir ? std::filesystem::path(dir) : std::filesystem::path(REARVIEW_PIPELINES_DIR);
}

std::string failure(std::string_view what, const Error& e) { return std::format("{}: {}", what, e.message); }

// The portable benchmark (REARVIEW_PORTABLE_BENCH) is built without FFmpeg: no recording.
#ifndef REARVIEW_BENCH_NO_RECORDING
/// A 1080p H.264 recording (otherwise the default RecordOptions: protected priority) of the
/// loop's frames into a temporary file, through the pipeline's record: stages.
Result<std::shared_ptr<viewfinder::RecordBranch>> startRecording(gpu::Device& device, std::vector<StageParams> stages,
                                                                 ColorSpace colorSpace) {
    RecordOptions o;
    o.path = (std::filesystem::temp_directory_path() / "rearview-bench-recording.mp4").string();
    o.resolution = RecordResolution::Fhd;
    o.codec = RecordCodec::H264;
    auto branch = viewfinder::RecordBranch::create(
        device, {.record = std::move(o), .stages = std::move(stages), .colorSpace = colorSpace});
    if (!branch)
        return std::unexpected(branch.error());
    return std::shared_ptr<viewfinder::RecordBranch>(std::move(*branch));
}
#endif

constexpr uint32_t kFramesInFlight = 2; ///< the viewfinder's default

void viewfinderChain(benchmark::State& state, const Chain& chain) {
    const std::string& pipelineFile = chain.pipelineFile;
    GpuContext* g = bench::gpu();
    if (!g) {
        state.SkipWithError("no Vulkan device");
        return;
    }
    gpu::Device& device = deviceOf(*g);
    Result<SyntheticSource>& source = sensor(chain.sensorFps);
    if (!source) {
        state.SkipWithError(failure("synthetic source", source.error()));
        return;
    }
    std::vector<StageParams> stages, recordStages;
    if (!pipelineFile.empty()) {
        auto pipeline = loadPipeline(pipelinesDir() / pipelineFile);
        if (!pipeline) {
            state.SkipWithError(failure(pipelineFile, pipeline.error()));
            return;
        }
        stages = std::move(pipeline->viewfinder);
        recordStages = std::move(pipeline->record);
    }

    // Declared in the order the viewfinder needs them torn down in reverse: the loop stops
    // first, then the presenter, before the mailbox and the face thread they use go.
    auto faces = analysis::FaceThread::create();
    // As the viewfinder runs it: the presenter on the context's device, the frames on a
    // companion created at the processing priority (docs/viewfinder.md).
    Result<std::unique_ptr<gpu::Device>> processing = std::unexpected(Error{});
    runWithPriority(ThreadPriority::Processing,
                    [&] { processing = gpu::Device::createCompanion(device, gpu::QueuePriority::Processing); });
    if (!processing) {
        state.SkipWithError(failure("processing device", processing.error()));
        return;
    }
    auto mailbox = present::Mailbox::create(**processing, device, kPanelW, kPanelH, kFramesInFlight);
    if (!mailbox) {
        state.SkipWithError(failure("mailbox", mailbox.error()));
        return;
    }
    auto presenter = present::Presenter::create(
        device, **mailbox,
        {.kind = present::SurfaceKind::Headless, .width = kPanelW, .height = kPanelH, .refreshHz = kRefreshHz});
    if (!presenter) {
        state.SkipWithError(failure("headless presenter", presenter.error()));
        return;
    }
    PublishedFrames published(*source, **mailbox);
    auto loop = viewfinder::FrameLoop::create(**processing, **mailbox,
                                              {.panelWidth = kPanelW,
                                               .panelHeight = kPanelH,
                                               // beauty runs without faces, as in the viewfinder
                                               .faces = faces ? faces->get() : nullptr,
                                               .hudText = hudLines,
                                               .framesInFlight = kFramesInFlight});
    if (!loop) {
        state.SkipWithError(failure("frame loop", loop.error()));
        return;
    }
    (*loop)->requestStages(std::move(stages));
#ifndef REARVIEW_BENCH_NO_RECORDING
    if (chain.record) {
        const FrameFormat format = source->format();
        const RecordSize fhd = sizeOf(RecordResolution::Fhd);
        if (!planRecord(format.width, format.height, fhd.width, fhd.height)) {
            state.SkipWithMessage(std::format("{}x{} frames are smaller than a 1080p recording", format.width,
                                              format.height));
            return;
        }
        auto branch = startRecording(device, std::move(recordStages), format.colorSpace);
        if (!branch) {
            state.SkipWithError(failure("recording", branch.error()));
            return;
        }
        (*loop)->attachRecording(std::move(*branch));
    }
#endif
    if (auto r = (*presenter)->start(); !r) {
        state.SkipWithError(failure("headless presenter", r.error()));
        return;
    }
    (*loop)->start(published);

    auto lastError = [&] {
        const auto s = (*loop)->stats();
        return std::format("no frame within {} s ({} errors{}{})", kFrameTimeout.count(), s.frameErrors,
                           s.lastError ? ": " : "", s.lastError ? s.lastError->message : "");
    };
    for (int i = 0; i < kWarmUpFrames; ++i)
        if (!published.next(kFrameTimeout)) {
            state.SkipWithError(lastError());
            return;
        }

    const present::PresentStats before = (*presenter)->stats();
    const uint64_t startNs = monotonicNs();
    std::vector<double> ms;
    for (auto _ : state) {
        const auto ready = published.next(kFrameTimeout);
        if (!ready) {
            state.SkipWithError(lastError());
            break;
        }
        ms.push_back(double(ready->readyNs - std::min(ready->readyNs, ready->sensorTimestampNs)) / 1e6);
        state.SetIterationTime(ms.back() / 1000.0);
    }
    const double seconds = double(monotonicNs() - startNs) / 1e9;
    (*loop)->stop();
#ifndef REARVIEW_BENCH_NO_RECORDING
    if (const auto branch = (*loop)->detachRecording(std::chrono::seconds(30))) {
        auto stopped = branch->recorder().stop();
        const RecordingStats r = branch->stats();
        const RecordStats& e = r.encoder;
        state.counters["rec_frames_due"] = double(r.framesSelected);
        state.counters["rec_frames_recorded"] = double(r.framesRecorded);
        state.counters["rec_frames_skipped"] = double(r.framesSkipped);
        state.counters["rec_gpu_ms"] = r.gpuMs.p50;
        // A frame the branch could not record fails the benchmark, as a viewfinder frame would.
        if (auto error = branch->takeError(); error && !state.error_occurred())
            state.SkipWithError(failure("recording", *error));
        state.counters["rec_frames_encoded"] = double(e.framesEncoded);
        state.counters["rec_encoded_per_due"] =
            r.framesSelected ? double(e.framesEncoded) / double(r.framesSelected) : 0;
        state.counters["rec_frames_dropped"] = double(e.framesDropped);
        state.counters["rec_encode_fps"] = e.encodeFps;
        for (const std::string& file : e.files)
            std::filesystem::remove(file);
        if (!stopped && !state.error_occurred())
            state.SkipWithError(failure("recording", stopped.error()));
    }
#endif
    const viewfinder::FrameLoopStats frames = (*loop)->stats();
    const present::PresentStats after = (*presenter)->stats();
    if (auto r = (*presenter)->stop(); !r && !state.error_occurred())
        state.SkipWithError(failure("headless presenter", r.error()));

    state.counters["p50_ms"] = bench::percentile(ms, 0.50);
    state.counters["p99_ms"] = bench::percentile(ms, 0.99);
    state.counters["gpu_ms"] = frames.gpuFrameMs;
    for (const StageTime& stage : frames.gpuStages)
        state.counters["gpu_" + stage.name + "_ms"] = stage.p50Ms;
    state.counters["present_interval_p50_ms"] = after.presentIntervalP50Ms;
    state.counters["present_interval_p99_ms"] = after.presentIntervalP99Ms;
    state.counters["missed_refreshes_per_s"] =
        seconds > 0 ? double(after.missedRefreshes - before.missedRefreshes) / seconds : 0;
    state.counters["sensor_to_presented_p50_ms"] = after.latencyP50Ms;
    state.counters["sensor_to_presented_p99_ms"] = after.latencyP99Ms;
    const uint64_t refreshes = (after.presented - before.presented) + (after.missedRefreshes - before.missedRefreshes);
    state.counters["missed_refreshes_pct"] =
        refreshes ? 100.0 * double(after.missedRefreshes - before.missedRefreshes) / double(refreshes) : 0;
    state.counters["governor_level"] = double(frames.governor.level);
    state.counters["governor_max_level"] = double(frames.governor.maxLevelReached);
    state.counters["frames_shed"] = double(frames.governor.framesShed + frames.governor.framesPipelineFull);
    state.SetLabel(std::format("{}, {}, {}x{}{}", g->info().name, frames.importPath, frames.frameWidth,
                               frames.frameHeight, faces ? "" : ", no face analysis"));
}

// One iteration per frame, timed by the frame's own sensor→ready latency.
void registerChain(const char* name, Chain chain) {
    benchmark::RegisterBenchmark(name, [chain](benchmark::State& state) { viewfinderChain(state, chain); })
        ->Iterations(kFrames)
        ->Unit(benchmark::kMillisecond)
        ->UseManualTime();
}

#ifdef REARVIEW_BENCH_NO_RECORDING
constexpr bool kRecordingChoices[] = {false};
#else
constexpr bool kRecordingChoices[] = {false, true};
#endif

// Each shipped pipeline (and none: crop/scale and the HUD only), recording off and 1080p on,
// from the same run, so the recording's cost to the panel reads beside the panel alone.
const bool registered = [] {
    for (const auto& [name, file] : {std::pair{"selfie-beauty", "selfie-beauty.yaml"}, std::pair{"vivid", "vivid.yaml"},
                                     std::pair{"no-pipeline", ""}})
        for (const bool record : kRecordingChoices)
            registerChain(std::format("viewfinder/{}/{}", name, record ? "recording-1080p" : "recording-off").c_str(),
                          {.pipelineFile = file, .sensorFps = kSensorFps, .record = record});
    return true;
}();

} // namespace
