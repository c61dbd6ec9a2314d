// SPDX-License-Identifier: MIT
#include <rearview/viewfinder.hpp>

#include "analysis/face_thread.hpp"
#include "capture/app_source.hpp"
#include "capture/camera_source.hpp"
#include "capture/still_source.hpp"
#include "capture/synthetic_source.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/panel_mapping.hpp"
#include "core/pipeline_file.hpp"
#include "core/thread_priority.hpp"
#include "core/trace.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "present/mailbox.hpp"
#include "present/presenter.hpp"
#include "viewfinder/frame_loop.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <format>

namespace rearview {

std::string_view toString(PresentTarget target) noexcept {
    switch (target) {
    case PresentTarget::Auto: return "auto";
    case PresentTarget::Window: return "window";
    case PresentTarget::Display: return "display";
    case PresentTarget::Headless: return "headless";
    }
    return "?";
}

namespace {

/// Window when a display server is reachable, else headless.
PresentTarget resolve(PresentTarget target) {
    if (target != PresentTarget::Auto)
        return target;
    auto set = [](const char* name) {
        const char* v = std::getenv(name);
        return v && *v;
    };
    return set("DISPLAY") || set("WAYLAND_DISPLAY") ? PresentTarget::Window : PresentTarget::Headless;
}

/// "<connector>[:<w>x<h>[@<hz>]]" into the presenter's options.
Result<void> parseDisplay(const std::string& spec, present::PresenterOptions& out) {
    const size_t colon = spec.find(':');
    out.connector = spec.substr(0, colon);
    if (colon == std::string::npos)
        return {};
    const std::string mode = spec.substr(colon + 1);
    unsigned w = 0, h = 0;
    double hz = 0;
    const char* p = mode.data();
    const char* end = p + mode.size();
    auto r1 = std::from_chars(p, end, w);
    bool ok = r1.ec == std::errc() && r1.ptr < end && *r1.ptr == 'x';
    if (ok) {
        auto r2 = std::from_chars(r1.ptr + 1, end, h);
        ok = r2.ec == std::errc();
        p = r2.ptr;
        if (ok && p < end) {
            auto r3 = *p == '@' ? std::from_chars(p + 1, end, hz) : std::from_chars_result{p, std::errc::invalid_argument};
            ok = r3.ec == std::errc() && r3.ptr == end && hz > 0;
        }
    }
    if (!ok || w == 0 || h == 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("display '{}': the mode must read <width>x<height>[@<hz>], e.g. 904x572@120", spec));
    out.width = w;
    out.height = h;
    if (hz > 0)
        out.refreshHz = hz;
    return {};
}

std::string cameraLabel(const SourceOptions& s) {
    switch (s.kind) {
    case SourceKind::Camera: return s.cameraId;
    case SourceKind::Stills: return "stills";
    case SourceKind::Synthetic: return "synthetic";
    case SourceKind::App: return "app";
    }
    return "?";
}

// The largest source frames and rates a viewfinder takes: beyond any sensor's, and where a
// synthetic or still source would allocate gigabytes per buffer.
constexpr uint32_t kMaxFrameSide = 16384;
constexpr double kMaxFrameRate = 1000;

/// A geometry's values are in range: a finite positive zoom (clamped to 1..10 later), a
/// finite centre (clamped into the frame later), a rotation and fit mode that exist.
Result<void> checkGeometry(const ViewGeometry& g) {
    if (!(std::isfinite(g.zoom) && g.zoom > 0))
        return fail(ErrorCode::InvalidArgument, std::format("zoom {} must be a positive number (1..10)", g.zoom));
    if (!std::isfinite(g.centerX) || !std::isfinite(g.centerY))
        return fail(ErrorCode::InvalidArgument,
                    std::format("zoom centre ({}, {}) must be finite (0..1 each)", g.centerX, g.centerY));
    switch (g.rotation) {
    case Rotation::R0:
    case Rotation::R90:
    case Rotation::R180:
    case Rotation::R270: break;
    default:
        return fail(ErrorCode::InvalidArgument,
                    std::format("rotation {} must be 0, 90, 180 or 270", unsigned(g.rotation)));
    }
    if (g.fit != FitMode::Fill && g.fit != FitMode::Fit)
        return fail(ErrorCode::InvalidArgument, std::format("unknown fit mode {} (fill or fit)", unsigned(g.fit)));
    return {};
}

} // namespace

struct [[gnu::visibility("hidden")]] Viewfinder::Impl {
    gpu::Device* device = nullptr; ///< the app's: the presenter's, and the record branch's primary
    /// The panel processing's own device (a companion of `device`, created at processing
    /// priority), or null when it runs on `device` (a driver without external host memory).
    /// Declared before everything that uses it, so it goes last.
    std::unique_ptr<gpu::Device> processing;
    ViewfinderOptions options;
    PresentTarget target = PresentTarget::Headless;
    std::unique_ptr<FrameSource> source;
    CameraSource* camera = nullptr; ///< `source` when it is a camera
    AppSource* app = nullptr;       ///< `source` when the app pushes its frames
    std::unique_ptr<Tracer> tracer;
    std::unique_ptr<analysis::FaceThread> faces;
    std::unique_ptr<present::Mailbox> mailbox;
    std::unique_ptr<present::Presenter> presenter;
    std::unique_ptr<viewfinder::FrameLoop> loop;

    mutable std::mutex mutex;
    Pipeline pipeline; ///< in use (both lists), as last set
    std::optional<RecordingStats> lastRecording; ///< after stopRecording()
    std::optional<Error> recordFailure; ///< what stopped the current recording by itself
    std::mutex recordMutex; ///< startRecording() and stopRecording() one at a time
    std::string cameraId;
    bool running = false;
    uint64_t startNs = 0, stopNs = 0;

    // HUD figures, refreshed a few times a second rather than every frame.
    uint64_t hudUpdatedNs = 0;
    std::vector<std::string> hudLines;

    std::vector<std::string> hudText();
    Result<void> openSource();
    /// Buffers a stills or synthetic source gets: the panel frames in flight, the record
    /// branch's three, and one being handed out (the photo ring's are among the newest of them).
    uint32_t sourceBuffers() const { return options.framesInFlight + 5; }
    std::optional<RecordingStats> recordingStats() const;
    /// Takes the record branch out of the frame loop and finishes its file (recordMutex held).
    Result<RecordStats> finishRecording();
};

Result<void> Viewfinder::Impl::openSource() {
    const SourceOptions& s = options.source;
    if (!(s.frameRate > 0 && s.frameRate <= kMaxFrameRate))
        return fail(ErrorCode::InvalidArgument,
                    std::format("source frame rate {} must be positive and at most {}", s.frameRate, kMaxFrameRate));
    const bool defaultSize = s.size.width == 0 && s.size.height == 0;
    if (!defaultSize && (s.size.width < 16 || s.size.height < 16 || s.size.width > kMaxFrameSide ||
                         s.size.height > kMaxFrameSide))
        return fail(ErrorCode::InvalidArgument,
                    std::format("source size {}x{} must be 16..{} on each side (or 0x0 for the source's default)",
                                s.size.width, s.size.height, kMaxFrameSide));
    switch (s.kind) {
    case SourceKind::Camera: {
        auto c = CameraSource::create({.cameraId = s.cameraId,
                                       .size = s.size,
                                       .role = CameraStreamRole::Viewfinder,
                                       .frameRate = s.frameRate});
        if (!c)
            return std::unexpected(c.error());
        auto owned = std::make_unique<CameraSource>(std::move(*c));
        camera = owned.get();
        source = std::move(owned);
        cameraId = s.cameraId;
        return {};
    }
    case SourceKind::Stills: {
        StillSourceOptions o{.path = s.stillsPath, .frameRate = s.frameRate, .secondsPerImage = s.stillSeconds,
                             .bufferCount = sourceBuffers()};
        if (s.size.width)
            o.width = s.size.width, o.height = s.size.height;
        auto still = StillSource::create(std::move(o));
        if (!still)
            return std::unexpected(still.error());
        source = std::make_unique<StillSource>(std::move(*still));
        cameraId = "stills";
        return {};
    }
    case SourceKind::Synthetic: {
        SyntheticSourceOptions o{.width = 2040, .height = 1530, .frameRate = s.frameRate,
                                 .bufferCount = sourceBuffers()};
        if (s.size.width)
            o.width = s.size.width, o.height = s.size.height;
        auto synthetic = SyntheticSource::create(std::move(o));
        if (!synthetic)
            return std::unexpected(synthetic.error());
        source = std::make_unique<SyntheticSource>(std::move(*synthetic));
        cameraId = "synthetic";
        return {};
    }
    case SourceKind::App: {
        auto pushed = AppSource::create(s.size, {});
        if (!pushed)
            return std::unexpected(pushed.error());
        app = pushed->get();
        source = std::move(*pushed);
        cameraId = "app";
        return {};
    }
    }
    return fail(ErrorCode::InvalidArgument,
                std::format("unknown source kind {} (camera, stills, synthetic or app)", unsigned(s.kind)));
}

std::vector<std::string> Viewfinder::Impl::hudText() {
    const uint64_t now = monotonicNs();
    if (!hudLines.empty() && now - hudUpdatedNs < 250'000'000)
        return hudLines;
    hudUpdatedNs = now;
    const viewfinder::FrameLoopStats f = loop->stats();
    const present::PresentStats p = presenter->stats();
    std::string label, look;
    {
        std::lock_guard lock(mutex);
        label = cameraId;
        look = pipeline.viewfinder.empty() && pipeline.record.empty() ? "no pipeline"
               : pipeline.source.empty()                              ? "pipeline"
                                                                      : std::filesystem::path(pipeline.source).stem().string();
    }
    const double seconds = double(now - startNs) / 1e9;
    hudLines = {
        std::format("{} {}x{}  {}", label, f.frameWidth, f.frameHeight, look),
        std::format("cam {:.1f} fps  panel {:.0f} Hz", f.captureFps, seconds > 0 ? double(p.presented) / seconds : 0.0),
        std::format("latency {:.0f} ms  ready {:.0f} ms", p.latencyP50Ms, f.sensorToReadyMs.p50),
        std::format("gpu {:.1f} ms  missed {}", f.gpuFrameMs, p.missedRefreshes),
        std::format("governor {} ({} shed)", f.governor.levelName, f.governor.framesShed),
    };
    if (const auto branch = loop->recordBranch()) {
        const RecordingStats r = branch->stats();
        const auto total = uint64_t(r.seconds);
        hudLines.push_back(r.stoppedByItself
                               ? std::string("REC stopped: ") + r.encoder.error
                               : std::format("REC {:02}:{:02}  {:.1f} MB", total / 60, total % 60,
                                             double(r.encoder.bytesWritten) / 1e6));
    }
    return hudLines;
}

std::optional<RecordingStats> Viewfinder::Impl::recordingStats() const {
    if (const auto branch = loop->recordBranch())
        return branch->stats();
    std::lock_guard lock(mutex);
    return lastRecording;
}

Viewfinder::Viewfinder(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Viewfinder::~Viewfinder() {
    if (impl_)
        stop();
}

Result<std::unique_ptr<Viewfinder>> Viewfinder::create(GpuContext& gpu, ViewfinderOptions options) {
    if (options.target != PresentTarget::Auto && options.target != PresentTarget::Window &&
        options.target != PresentTarget::Display && options.target != PresentTarget::Headless)
        return fail(ErrorCode::InvalidArgument, std::format("unknown present target {} (auto, window, display or "
                                                            "headless)",
                                                            unsigned(options.target)));
    RV_TRY(checkGeometry(options.geometry));
    if (options.faceEveryFrames == 0)
        return fail(ErrorCode::InvalidArgument, "faceEveryFrames 0: face analysis runs every 1 or more frames");
    if (options.panelWidth < 16 || options.panelHeight < 16 || options.panelWidth > 8192 || options.panelHeight > 8192)
        return fail(ErrorCode::InvalidArgument, std::format("panel size {}x{} must be 16..8192 on each side",
                                                            options.panelWidth, options.panelHeight));
    if (options.photoRingFrames > 8)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photoRingFrames {}: the photo ring holds 0..8 camera frames", options.photoRingFrames));
    if (!(options.refreshHz >= 1 && options.refreshHz <= 1000))
        return fail(ErrorCode::InvalidArgument,
                    std::format("refresh rate {} Hz must be between 1 and 1000", options.refreshHz));
    auto impl = std::make_unique<Impl>();
    impl->device = &deviceOf(gpu);
    impl->target = resolve(options.target);
    impl->options = std::move(options);
    const ViewfinderOptions& o = impl->options;

    if (!o.pipelineFile.empty()) {
        auto pipeline = loadPipeline(o.pipelineFile);
        if (!pipeline)
            return std::unexpected(pipeline.error());
        impl->pipeline = std::move(*pipeline);
    } else {
        impl->pipeline = o.pipeline;
        RV_TRY(preparePipeline(impl->pipeline));
    }
    if (!o.tracePath.empty()) {
        auto tracer = Tracer::open(o.tracePath);
        if (!tracer)
            return std::unexpected(tracer.error());
        impl->tracer = std::move(*tracer);
    }
    if (auto r = impl->openSource(); !r)
        return std::unexpected(r.error());

    // Checked before the devices and the mailbox are made for it.
    if (auto ok = viewfinder::FrameLoop::checkFramesInFlight(o.framesInFlight); !ok)
        return std::unexpected(ok.error());
    // The panel's refresh never waits behind frame processing: the presenter has the app's
    // device and queue to itself, and the processing runs on a companion whose driver
    // threads (on a CPU driver) run below the presenter's (docs/viewfinder.md).
    if (impl->device->extensions().externalMemoryHost) {
        Result<std::unique_ptr<gpu::Device>> processing = std::unexpected(Error{});
        runWithPriority(ThreadPriority::Processing, [&] {
            processing = gpu::Device::createCompanion(*impl->device, gpu::QueuePriority::Processing);
        });
        if (!processing)
            return std::unexpected(processing.error());
        impl->processing = std::move(*processing);
    } else {
        log::warn("GPU '{}' lacks VK_EXT_external_memory_host: the panel's refresh shares the queue with frame "
                  "processing", impl->device->info().name);
    }
    gpu::Device& processingDevice = impl->processing ? *impl->processing : *impl->device;
    auto mailbox = present::Mailbox::create(processingDevice, *impl->device, o.panelWidth, o.panelHeight,
                                            o.framesInFlight);
    if (!mailbox)
        return std::unexpected(mailbox.error());
    impl->mailbox = std::move(*mailbox);
    present::PresenterOptions po{.width = o.panelWidth, .height = o.panelHeight, .refreshHz = o.refreshHz,
                                 .title = "rearview viewfinder", .tracer = impl->tracer.get()};
    switch (impl->target) {
    case PresentTarget::Window: po.kind = present::SurfaceKind::Window; break;
    case PresentTarget::Display:
        po.kind = present::SurfaceKind::Display;
        if (auto r = parseDisplay(o.display, po); !r)
            return std::unexpected(r.error());
        break;
    default: po.kind = present::SurfaceKind::Headless; break;
    }
    auto presenter = present::Presenter::create(*impl->device, *impl->mailbox, po);
    if (!presenter)
        return std::unexpected(presenter.error());
    impl->presenter = std::move(*presenter);

    if (o.faceAnalysis) {
        // Beauty works without faces (it smooths skin everywhere); a missing detector is a
        // warning, not a reason to show nothing.
        if (auto faces = analysis::FaceThread::create())
            impl->faces = std::move(*faces);
        else
            log::warn("face analysis off: {}", faces.error().message);
    }
    Impl* raw = impl.get();
    auto loop = viewfinder::FrameLoop::create(processingDevice, *impl->mailbox,
                                              {.panelWidth = o.panelWidth,
                                               .panelHeight = o.panelHeight,
                                               .geometry = o.geometry,
                                               .hud = o.hud,
                                               .faces = impl->faces.get(),
                                               .faceEveryFrames = o.faceEveryFrames,
                                               .tracer = impl->tracer.get(),
                                               .hudText = [raw] { return raw->hudText(); },
                                               .framesInFlight = o.framesInFlight,
                                               .governor = o.governor,
                                               .photoRingFrames = o.photoRingFrames,
                                               .onPanel = [raw] { return raw->presenter->onPanel(); }});
    if (!loop)
        return std::unexpected(loop.error());
    impl->loop = std::move(*loop);
    impl->loop->requestStages(impl->pipeline.viewfinder);
    log::info("viewfinder: {} -> {}x{} @ {} Hz, {}", cameraLabel(o.source), o.panelWidth, o.panelHeight,
              o.refreshHz, impl->presenter->describe());
    return std::unique_ptr<Viewfinder>(new Viewfinder(std::move(impl)));
}

Result<void> Viewfinder::start() {
    Impl& m = *impl_;
    if (m.running)
        return {};
    if (m.camera)
        if (auto r = m.camera->start(); !r)
            return r;
    const uint64_t startNs = monotonicNs();
    if (auto r = m.presenter->start(); !r) {
        if (m.camera)
            m.camera->stop();
        return r;
    }
    {
        std::lock_guard lock(m.mutex);
        m.startNs = startNs;
        m.stopNs = 0;
        m.running = true;
    }
    m.loop->start(*m.source);
    return {};
}

void Viewfinder::stop() {
    Impl& m = *impl_;
    if (!m.running)
        return;
    // The pipeline stops first, so the panel shows its last frame; the run is the presenter's,
    // from its start to its stop.
    m.loop->stop();
    if (auto r = m.presenter->stop(); !r)
        log::warn("presenter: {}", r.error().message);
    {
        std::lock_guard lock(m.mutex);
        m.stopNs = monotonicNs();
        m.running = false;
    }
    if (m.camera)
        m.camera->stop();
    // A recording still running keeps every frame the loop recorded; the encoder finishes
    // after the viewfinder stopped, so the viewfinder's figures end with the recording.
    if (m.loop->recordBranch()) {
        std::lock_guard serial(m.recordMutex);
        if (auto r = m.finishRecording(); !r)
            log::warn("recording: {}", r.error().message);
    }
    if (m.tracer)
        if (auto r = m.tracer->close(); !r)
            log::warn("trace: {}", r.error().message);
}

bool Viewfinder::running() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->running;
}

Result<void> Viewfinder::switchCamera(const std::string& cameraId) {
    Impl& m = *impl_;
    if (!m.camera)
        return fail(ErrorCode::InvalidArgument,
                    std::format("cannot switch to camera '{}': the viewfinder reads {}, not a camera", cameraId,
                                cameraLabel(m.options.source)));
    if (m.tracer)
        m.tracer->instant(std::format("switch to {}", cameraId), "camera", monotonicNs(), "");
    if (auto r = m.camera->switchCamera(cameraId); !r)
        return r;
    std::lock_guard lock(m.mutex);
    m.cameraId = cameraId;
    return {};
}

Result<void> Viewfinder::setPipeline(const std::string& pipelineFile) {
    // "" is no pipeline, as in ViewfinderOptions: crop/scale only, nothing on the recording.
    if (pipelineFile.empty())
        return setPipeline(Pipeline{});
    auto pipeline = loadPipeline(pipelineFile);
    if (!pipeline)
        return std::unexpected(pipeline.error());
    return setPipeline(*pipeline);
}

Result<void> Viewfinder::setPipeline(Pipeline pipeline) {
    // Checked, and every LUT read, here: the frame thread only uploads what was accepted.
    RV_TRY(preparePipeline(pipeline));
    std::lock_guard lock(impl_->mutex);
    impl_->loop->requestStages(pipeline.viewfinder);
    if (const auto branch = impl_->loop->recordBranch())
        branch->requestStages(pipeline.record);
    impl_->pipeline = std::move(pipeline);
    return {};
}

Result<void> Viewfinder::setStageParams(PipelineList list, size_t index, StageParams params) {
    std::lock_guard lock(impl_->mutex);
    Pipeline pipeline = impl_->pipeline;
    auto& stages = list == PipelineList::Viewfinder ? pipeline.viewfinder : pipeline.record;
    if (index >= stages.size())
        return fail(ErrorCode::InvalidArgument,
                    std::format("setStageParams: the {} list has {} stages, so there is no stage {} (counted from 0)",
                                toString(list), stages.size(), index));
    if (params.index() != stages[index].index())
        return fail(ErrorCode::InvalidArgument,
                    std::format("setStageParams: {} stage {} is {}, not {}; setPipeline() changes which stages run",
                                toString(list), index, stageName(stages[index]), stageName(params)));
    stages[index] = std::move(params);
    RV_TRY(preparePipeline(pipeline));
    if (list == PipelineList::Viewfinder)
        impl_->loop->requestStages(pipeline.viewfinder);
    else if (const auto branch = impl_->loop->recordBranch())
        branch->requestStages(pipeline.record);
    impl_->pipeline = std::move(pipeline);
    return {};
}

namespace {

std::unexpected<Error> notACamera(const SourceOptions& source) {
    return fail(ErrorCode::Unsupported,
                std::format("camera controls need a camera; this viewfinder's source is {}", cameraLabel(source)));
}

} // namespace

Result<void> Viewfinder::setCameraControls(const CameraControls& controls) {
    if (!impl_->camera)
        return notACamera(impl_->options.source);
    std::optional<FramePoint> focus;
    if (controls.focusPoint) {
        const FrameFormat f = impl_->source->format();
        auto plan = planCrop(f.width, f.height, impl_->options.panelWidth, impl_->options.panelHeight, geometry());
        if (!plan)
            return std::unexpected(plan.error());
        auto point = panelToFrame(*plan, *controls.focusPoint);
        if (!point)
            return fail(point.error().code, "focus point: " + point.error().message);
        focus = *point;
    }
    return impl_->camera->setControls(controls, focus);
}

Result<std::vector<CameraControlInfo>> Viewfinder::cameraControls() const {
    if (!impl_->camera)
        return notACamera(impl_->options.source);
    return impl_->camera->controls();
}

Result<void> Viewfinder::pushFrame(AppFrame frame) {
    if (!impl_->app) {
        if (frame.release)
            frame.release();
        return fail(ErrorCode::InvalidArgument,
                    std::format("pushFrame: this viewfinder's source is {}, not SourceKind::App",
                                cameraLabel(impl_->options.source)));
    }
    return impl_->app->push(std::move(frame));
}

Result<void> Viewfinder::setFrameTap(FrameTapOptions tap) { return impl_->loop->setFrameTap(std::move(tap)); }

Pipeline Viewfinder::pipeline() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->pipeline;
}

Result<void> Viewfinder::setGeometry(const ViewGeometry& geometry) {
    RV_TRY(checkGeometry(geometry));
    impl_->loop->setGeometry(geometry);
    return {};
}
ViewGeometry Viewfinder::geometry() const { return impl_->loop->geometry(); }
void Viewfinder::setHudVisible(bool visible) { impl_->loop->setHudVisible(visible); }
bool Viewfinder::hudVisible() const { return impl_->loop->hudVisible(); }

Result<void> Viewfinder::snapshot(const std::string& pngPath, std::chrono::milliseconds timeout) {
    if (pngPath.empty())
        return fail(ErrorCode::InvalidArgument, "snapshot: the path is empty; name a .png file");
    if (std::error_code ec; std::filesystem::is_directory(pngPath, ec))
        return fail(ErrorCode::InvalidArgument,
                    std::format("snapshot '{}': a directory; name a .png file in it", pngPath));
    if (!running())
        return fail(ErrorCode::InvalidArgument,
                    std::format("snapshot '{}': the viewfinder is not running, so no frame is coming", pngPath));
    return impl_->loop->snapshot(pngPath, timeout);
}

ViewfinderStats Viewfinder::stats() const {
    const Impl& m = *impl_;
    const viewfinder::FrameLoopStats f = m.loop->stats();
    const present::PresentStats p = m.presenter->stats();
    ViewfinderStats s;
    {
        std::lock_guard lock(m.mutex);
        s.camera = m.cameraId;
        const uint64_t end = m.stopNs ? m.stopNs : m.running ? monotonicNs() : m.startNs;
        s.elapsedSeconds = double(end - m.startNs) / 1e9;
    }
    s.frameWidth = f.frameWidth;
    s.frameHeight = f.frameHeight;
    s.frameColorSpace = f.colorSpace;
    s.framesCaptured = f.framesCaptured;
    s.framesProcessed = f.framesProcessed;
    s.frameErrors = f.frameErrors;
    s.captureFps = f.captureFps;
    s.sensorToReadyMs = f.sensorToReadyMs;
    s.sensorToPresentedMs = {p.latencyP50Ms, p.latencyP99Ms};
    s.gpuStages = f.gpuStages;
    s.gpuFrameMs = f.gpuFrameMs;
    s.presentFps = s.elapsedSeconds > 0 ? double(p.presented) / s.elapsedSeconds : 0;
    s.presented = p.presented;
    s.missedRefreshes = p.missedRefreshes;
    s.staleFrames = p.stale;
    s.presentIntervalMs = {p.presentIntervalP50Ms, p.presentIntervalP99Ms};
    s.repeatsPerFrame = p.timesShownMean;
    s.refreshesPerFrame = p.refreshesOnScreenMean;
    s.framesNeverShown = p.framesDropped;
    s.presentTarget = std::string(toString(m.target));
    s.presentTiming = std::string(present::toString(p.timingSource));
    s.importPath = f.importPath;
    s.bytesCopied = f.bytesCopied;
    s.pipelineSwitches = f.pipelineSwitches;
    s.snapshots = f.snapshots;
    s.tap = impl_->loop->tapStats();
    s.photo = impl_->loop->photo().stats();
    if (impl_->app) {
        const AppSourceStats a = impl_->app->stats();
        s.appFramesPushed = a.pushed;
        s.appFramesDropped = a.dropped;
    }
    s.lastError = f.lastError;
    s.governor = f.governor;
    s.recording = m.recordingStats();
    std::lock_guard lock(m.mutex);
    if (m.recordFailure)
        s.lastError = m.recordFailure;
    return s;
}

Result<RecordingPlan> Viewfinder::startRecording(const RecordOptions& options) {
    Impl& m = *impl_;
    std::lock_guard serial(m.recordMutex);
    if (!running())
        return fail(ErrorCode::InvalidArgument,
                    std::format("cannot record to '{}': the viewfinder is not running", options.path));
    if (const auto branch = m.loop->recordBranch()) {
        if (branch->recorder().recording())
            return fail(ErrorCode::InvalidArgument,
                        std::format("cannot record to '{}': already recording to '{}'; stop that recording first",
                                    options.path, branch->options().path));
        // The previous recording stopped by itself and was not stopped since: finish it now.
        if (auto r = m.finishRecording(); !r)
            log::warn("previous recording: {}", r.error().message);
    }
    const FrameFormat format = m.source->format();
    const RecordSize size = sizeOf(options.resolution);
    if (options.resolution != RecordResolution::Auto)
        if (auto plan = planRecord(format.width, format.height, size.width, size.height); !plan)
            return fail(ErrorCode::InvalidArgument,
                        std::format("cannot record {} ({}x{}) from {}x{} frames: {}", toString(options.resolution),
                                    size.width, size.height, format.width, format.height, plan.error().message));
    std::vector<StageParams> stages;
    {
        std::lock_guard lock(m.mutex);
        stages = m.pipeline.record;
    }
    // The panel's processing gives way while the recording's capacity is measured, as the
    // governor makes it give way to the recording itself (the panel repeats its last image).
    m.loop->holdPanel(true);
    auto branch = viewfinder::RecordBranch::create(
        *m.device, {.record = options,
                    .stages = std::move(stages),
                    .colorSpace = format.colorSpace,
                    .frameWidth = format.width,
                    .frameHeight = format.height});
    m.loop->holdPanel(false);
    if (!branch)
        return std::unexpected(branch.error());
    {
        std::lock_guard lock(m.mutex);
        m.recordFailure.reset();
    }
    Impl* raw = &m;
    (*branch)->recorder().onStopped([raw](const Error& e) {
        log::error("recording stopped by itself: {}", e.message);
        std::lock_guard lock(raw->mutex);
        raw->recordFailure = e;
    });
    if (m.tracer)
        m.tracer->instant(std::format("record {}", options.path), "record", monotonicNs(), "");
    const RecordingPlan plan = (*branch)->plan();
    log::info("recording {} {} at {} fps to {} ({})", toString(plan.resolution), toString(options.codec),
              options.frameRate, options.path, (*branch)->recorder().stats().encoder);
    log::at(plan.sustained ? LogLevel::Info : LogLevel::Warning, "recording: {}", plan.summary);
    m.loop->attachRecording(std::move(*branch));
    return plan;
}

Result<RecordStats> Viewfinder::stopRecording() {
    std::lock_guard serial(impl_->recordMutex);
    return impl_->finishRecording();
}

Result<RecordStats> Viewfinder::Impl::finishRecording() {
    const auto branch = loop->detachRecording(std::chrono::seconds(10));
    if (!branch)
        return fail(ErrorCode::InvalidArgument, "stopRecording(): no recording was started");
    auto stopped = branch->recorder().stop();
    RecordingStats last = branch->stats();
    {
        std::lock_guard lock(mutex);
        lastRecording = last;
    }
    if (tracer)
        tracer->instant("record stop", "record", monotonicNs(), "");
    if (!stopped)
        return std::unexpected(stopped.error());
    return last.encoder;
}

bool Viewfinder::recording() const {
    const auto branch = impl_->loop->recordBranch();
    return branch && branch->recorder().recording();
}

std::vector<ViewfinderEvent> Viewfinder::pollEvents() {
    std::vector<ViewfinderEvent> out;
    for (const present::Event& e : impl_->presenter->pollEvents()) {
        switch (e.type) {
        case present::Event::Type::Quit: out.push_back({ViewfinderEvent::Kind::Quit}); break;
        case present::Event::Type::Resized:
            out.push_back({ViewfinderEvent::Kind::Resized, 0, e.width, e.height});
            break;
        case present::Event::Type::Key:
            if (e.key > 0 && e.key < 128)
                out.push_back({ViewfinderEvent::Kind::Key, char(std::tolower(int(e.key)))});
            break;
        default: break;
        }
    }
    return out;
}

Result<std::future<Result<PhotoResult>>> Viewfinder::capturePhoto(const PhotoOptions& options) {
    RV_TRY(validate(options));
    Impl& m = *impl_;
    std::string model;
    {
        std::lock_guard lock(m.mutex);
        if (!m.running)
            return fail(ErrorCode::InvalidArgument, "capturePhoto(): the viewfinder is not running (call start() first)");
        model = m.cameraId;
    }
    if (m.tracer)
        m.tracer->instant(options.timerSeconds > 0 ? "photo (self-timer)" : "shutter", "photo", monotonicNs(), "");
    return m.loop->photo().request(options, std::move(model));
}

uint32_t Viewfinder::cancelPhoto() { return impl_->loop->photo().cancel(); }

} // namespace rearview
