// SPDX-License-Identifier: MIT
// The rear-display viewfinder as one object: a camera (or stills, or a synthetic source)
// through crop/scale, beauty and looks on the GPU to the panel at its refresh rate.
#pragma once

#include <rearview/export.hpp>
#include <rearview/camera.hpp>
#include <rearview/camera_controls.hpp>
#include <rearview/color_space.hpp>
#include <rearview/error.hpp>
#include <rearview/gpu.hpp>
#include <rearview/photo.hpp>
#include <rearview/pipeline.hpp>
#include <rearview/record.hpp>
#include <rearview/view_geometry.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rearview {

/// Where frames come from.
enum class SourceKind : uint8_t {
    Camera,    ///< a libcamera camera (SourceOptions::cameraId)
    Stills,    ///< a PNG/JPEG or a directory of them (SourceOptions::stillsPath), shown in turn
    Synthetic, ///< a test pattern at a fixed rate, for benchmarks and tests
    App,       ///< frames the app captures itself and hands over with Viewfinder::pushFrame()
};

/// What the viewfinder captures.
struct SourceOptions {
    SourceKind kind = SourceKind::Camera;
    /// Camera: "main", "ultrawide" or a libcamera id (see listCameras()).
    std::string cameraId = "main";
    /// Camera: requested NV12 size ({0,0}: the camera's default, 8160x6120 on the virtual
    /// rig). Stills and Synthetic: the frame size the images are delivered at
    /// ({0,0}: 4080x3060 for stills, 2040x1530 for synthetic). App: the size of every frame
    /// the app pushes (required).
    FrameSize size;
    /// Frames per second asked of the camera or delivered by stills/synthetic sources.
    double frameRate = 30.0;
    /// Stills: one image file, or a directory whose .png/.jpg/.jpeg files are shown in name
    /// order, each for `stillSeconds`.
    std::string stillsPath;
    double stillSeconds = 2.0;
};

/// One NV12 frame the app captured (SourceKind::App, Viewfinder::pushFrame()): both planes in
/// one piece of memory, a dma-buf or host memory, read by the GPU where it lies when the
/// device can import it (dma-buf import, or host-pointer import of page-aligned memory), else
/// copied once (counted in ViewfinderStats::bytesCopied), exactly as camera frames are.
struct AppFrame {
    uint32_t width = 0;   ///< SourceOptions::size
    uint32_t height = 0;
    uint32_t stride = 0;  ///< bytes per row of both planes: at least `width`, a multiple of 4
    size_t uvOffset = 0;  ///< where the CbCr plane starts, from the start of the memory (>= stride * height)
    /// A dma-buf holding the frame from offset 0 (rearview takes its own reference: the app
    /// may close its fd after the call), or -1 for host memory at `data`.
    int fd = -1;
    const uint8_t* data = nullptr; ///< host memory (fd -1); page-aligned memory imports without a copy
    size_t size = 0;               ///< bytes of the memory: at least uvOffset + stride * height / 2
    /// 0: the memory is this frame's only; it is imported for this frame and let go when
    /// `release` is called. Non-zero: the app's name for one of a set of buffers it reuses
    /// (a buffer pool, as a camera has), the same memory for the same id until the
    /// viewfinder stops; its import is kept for later frames, so `release` then means only
    /// that the buffer's contents may be overwritten.
    uint64_t bufferId = 0;
    ColorSpace colorSpace{};
    /// Sensor timestamp, CLOCK_MONOTONIC ns (libcamera's SensorTimestamp); 0: the push time.
    uint64_t timestampNs = 0;
    /// Called once, on any rearview thread, when nothing reads the memory any more: the
    /// panel's and a recording's GPU work on it finished (or the frame was dropped), and for a
    /// frame without a buffer id its import is gone. Keep it short (requeue a buffer).
    std::function<void()> release;
};

/// Where the panel image goes.
enum class PresentTarget : uint8_t {
    Auto,     ///< Window when DISPLAY or WAYLAND_DISPLAY is set, else Headless
    Window,   ///< an SDL3 window at panel size (X11 or Wayland)
    Display,  ///< a display the GPU drives directly (VK_KHR_display), e.g. the rear panel
    Headless, ///< no output; paced by the viewfinder's own clock at the panel rate
};
REARVIEW_API std::string_view toString(PresentTarget target) noexcept;

/// The frame-budget governor (docs/governor.md): when the device cannot both keep the panel's
/// processing of new camera frames and everything else going, it sheds that processing in a
/// declared order, one level at a time with hysteresis, and restores it when load falls:
///   level 0  everything
///   level 1  face analysis at a quarter of its rate
///   level 2+ the panel processes every Nth camera frame (N = 2, 3, 4, 6, 8, 12 for levels
///            2..7); the panel keeps refreshing, repeating the newest finished image, and a
///            recording still gets every frame
/// It sheds when the panel processing's load (GPU time and pipeline-thread time per second of
/// frames) passes `shedAbove`, when a frame finds the pipeline full, or when a recording
/// (RecordPriority Protected or Normal) skipped a frame; it restores one level when the load
/// projected at the level above stays under `restoreBelow` and no recording frame was skipped.
struct GovernorOptions {
    bool enabled = true;       ///< false: pinned at level 0, sheds nothing
    uint32_t maxLevel = 7;     ///< the deepest level it may take (0..7)
    double shedAbove = 0.9;    ///< load (busy fraction of the time) above which it sheds
    double restoreBelow = 0.6; ///< projected load under which it restores a level
    /// How long the load is measured before each decision, milliseconds. A decision sheds
    /// one level, or at once as many as the measured load needs to fit under `shedAbove`.
    uint32_t windowMs = 250;
};

/// What the governor has done (ViewfinderStats::governor).
struct GovernorStats {
    uint32_t level = 0;             ///< 0 = nothing shed
    std::string levelName;          ///< "full", "faces 1/4", "panel 1/2", ...
    uint32_t maxLevelReached = 0;
    uint64_t sheds = 0;             ///< steps down taken
    uint64_t restores = 0;          ///< steps back up taken
    uint64_t framesShed = 0;        ///< camera frames the panel did not process because of the level
    uint64_t framesPipelineFull = 0;///< camera frames that found the panel's frames in flight at the bound
    /// Of framesShed, those while a photo's work ran: the panel's processing gives way to a
    /// photo as deep as GovernorOptions::maxLevel allows (docs/governor.md).
    uint64_t framesForPhoto = 0;
    bool photoWorking = false;      ///< a photo's work runs now (levelName ends in "(photo)")
    double load = 0;                ///< the panel processing's load in the last window
    uint32_t panelEveryFrames = 1;  ///< the panel processes every Nth camera frame
    uint32_t faceEveryFrames = 0;   ///< face analysis every N processed frames (0: off)
};

/// Everything a viewfinder is created with. Defaults are the rear panel of the reference
/// phone: 904x572 at 120 Hz, mirrored, filled.
struct ViewfinderOptions {
    SourceOptions source;
    /// A pipeline file (pipelines/*.yaml, read with loadPipeline()); empty: `pipeline`.
    std::string pipelineFile;
    /// The pipeline when `pipelineFile` is empty: built in code or from parsePipeline(); the
    /// default is crop/scale only.
    Pipeline pipeline;
    PresentTarget target = PresentTarget::Auto;
    /// PresentTarget::Display: "" (first display, its preferred mode), or
    /// "<connector name or index>[:<width>x<height>[@<hz>]]".
    std::string display;
    uint32_t panelWidth = 904;
    uint32_t panelHeight = 572;
    double refreshHz = 120.0;
    ViewGeometry geometry;
    /// Draws fps, latency, camera and recording state onto the panel image (after
    /// mirroring, so it reads correctly). Toggle with setHudVisible().
    bool hud = true;
    /// Runs face detection on a thumbnail every `faceEveryFrames` frames for beauty.
    bool faceAnalysis = true;
    uint32_t faceEveryFrames = 4;
    /// Writes a Chrome/Perfetto JSON trace (capture, each GPU stage, present) here on stop().
    std::string tracePath;
    /// Panel frames whose GPU work may run at once (1..4): the pipeline thread takes the next
    /// camera frame without waiting for the previous one's GPU work.
    uint32_t framesInFlight = 2;
    GovernorOptions governor;
    /// Zero shutter lag: the last this many camera frames the panel processed are held (their
    /// buffers kept from the camera) so a photo can take the one that was on the panel at the
    /// press (0..8; 0: a photo takes the next frame). The default, framesInFlight + 1, holds the
    /// frame shown and those in flight after it. See docs/photo.md.
    uint32_t photoRingFrames = 3;
};

/// Percentiles of a latency, milliseconds (0 when there are no samples).
struct LatencyPercentiles {
    double p50 = 0;
    double p99 = 0;
};

/// GPU time of one stage, median over recent frames.
struct StageTime {
    std::string name;
    double p50Ms = 0;
};

/// A recording made from the viewfinder's frames (Viewfinder::startRecording()): the record
/// branch's figures and the encoder's. See docs/recording.md, "Recording from the viewfinder".
struct RecordingStats {
    RecordStats encoder;           ///< the recorder's figures: encoder and why, frames encoded/dropped, bytes
    double seconds = 0;            ///< since startRecording() (until stopRecording())
    double recordRate = 0;         ///< frames per second taken from the sensor (RecordOptions::frameRate)
    RecordPriority priority = RecordPriority::Protected; ///< RecordOptions::priority
    RecordingPlan plan;            ///< what startRecording() measured and chose
    uint64_t framesSelected = 0;   ///< sensor frames due at the record rate
    uint64_t framesRecorded = 0;   ///< of those, scaled on the GPU and handed to the encoder
    /// Due frames not taken because the record branch was still busy with an earlier one: it
    /// cannot keep up with the record rate at its priority (the viewfinder never waits for it).
    uint64_t framesSkipped = 0;
    uint64_t bytesCopied = 0;      ///< the one CPU copy per frame: GPU readback into the encoder's frame
    /// GPU time of the record branch per recorded frame, on its own device and queue (see
    /// RecordPriority).
    LatencyPercentiles gpuMs;
    std::vector<StageTime> gpuStages; ///< record_scale, the record: stages, conversions
    LatencyPercentiles copyMs;     ///< the readback copy on the record branch's thread
    bool active = false;           ///< frames are being recorded
    /// The recording stopped by itself (disk full, a write or encoder error); encoder.error
    /// and ViewfinderStats::lastError say why.
    bool stoppedByItself = false;
};

/// A finished panel image handed to a frame tap (Viewfinder::setFrameTap()).
struct PanelImage {
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t stride = 0;             ///< bytes per row (width * 4)
    /// RGBA8, top row first, as the panel shows it (mirrored when the geometry mirrors).
    /// Valid only during the callback: copy what is kept.
    const uint8_t* pixels = nullptr;
    uint64_t sequence = 0;           ///< the camera frame's sequence number
    uint64_t sensorTimestampNs = 0;  ///< the camera frame's sensor timestamp (CLOCK_MONOTONIC)
    uint64_t readyNs = 0;            ///< when its GPU work was seen finished (CLOCK_MONOTONIC)
    bool hud = false;                ///< the HUD is drawn on it
};

/// A frame tap: the app's code that receives finished panel images.
struct FrameTapOptions {
    /// Called on the viewfinder's own tap thread ("rv-tap"), one image at a time, never on
    /// the pipeline or presenter thread. Empty: no tap.
    std::function<void(const PanelImage&)> callback;
    /// false: the image under the HUD (the app draws its own UI); true: as shown, HUD included
    /// while it is visible.
    bool withHud = false;
};

/// What the frame tap has done (ViewfinderStats::tap).
struct FrameTapStats {
    uint64_t delivered = 0; ///< images the callback was called with
    /// Finished images that a newer one replaced before the callback could take them (the
    /// callback is slower than the frames: the newest wins).
    uint64_t replaced = 0;
    /// Processed frames not copied for the tap because every tap buffer was in use (the
    /// callback held one while others were pending on the GPU).
    uint64_t skipped = 0;
    LatencyPercentiles callbackMs; ///< how long the callback took
};

/// What the viewfinder has done since start(); see docs/viewfinder.md for each figure.
struct ViewfinderStats {
    std::string camera;          ///< camera id, "stills: <path>" or "synthetic"
    uint32_t frameWidth = 0;     ///< sensor frame size
    uint32_t frameHeight = 0;
    ColorSpace frameColorSpace;  ///< the sensor frames' YCbCr encoding (a recording's colour tags)
    double elapsedSeconds = 0;   ///< since start()
    uint64_t framesCaptured = 0; ///< frames taken from the source
    uint64_t framesProcessed = 0;///< frames whose GPU work finished and were offered to the panel
    uint64_t frameErrors = 0;    ///< frames that failed on the way (see lastError)
    double captureFps = 0;       ///< recent frames per second from the source
    /// Sensor timestamp to the GPU having finished the panel image.
    LatencyPercentiles sensorToReadyMs;
    /// Sensor timestamp to the present of the first refresh that showed it.
    LatencyPercentiles sensorToPresentedMs;
    std::vector<StageTime> gpuStages;
    double gpuFrameMs = 0;       ///< all GPU work of a frame, median

    // Panel side.
    double presentFps = 0;            ///< refreshes presented per second
    uint64_t presented = 0;           ///< refreshes that presented an image
    uint64_t missedRefreshes = 0;     ///< refresh deadlines that passed without a present
    uint64_t staleFrames = 0;         ///< presents that showed an older image while a newer one was finished
    LatencyPercentiles presentIntervalMs;
    double repeatsPerFrame = 0;       ///< presents per camera frame shown, mean
    /// Refreshes each camera frame stayed on the panel, mean: its presents plus refreshes
    /// missed while it was current (the panel shows the last image again); 30 fps on 120 Hz: 4.
    double refreshesPerFrame = 0;
    uint64_t framesNeverShown = 0;    ///< finished frames replaced before any refresh showed them
    std::string presentTarget;        ///< "window", "display", "headless"
    std::string presentTiming;        ///< where present times come from ("present_wait", "own clock", ...)

    // Capture side.
    std::string importPath;      ///< "dma-buf import", "host-pointer import" or "staging copy"
    uint64_t bytesCopied = 0;    ///< CPU copies made to get frames to the GPU
    uint64_t pipelineSwitches = 0; ///< pipeline changes applied after the one the viewfinder started with
    uint64_t snapshots = 0;
    FrameTapStats tap;           ///< setFrameTap()'s deliveries
    uint64_t appFramesPushed = 0;  ///< SourceKind::App: frames pushFrame() accepted
    uint64_t appFramesDropped = 0; ///< of those, replaced by newer ones before the pipeline took them
    /// What the frame-budget governor has shed (GovernorOptions).
    GovernorStats governor;
    /// Photos taken with capturePhoto().
    PhotoStats photo;
    /// The recording in progress, or the last one after stopRecording() or after it stopped
    /// by itself; nothing before the first startRecording().
    std::optional<RecordingStats> recording;
    std::optional<Error> lastError;
};

/// Something the viewfinder's window reported (PresentTarget::Window); see pollEvents().
struct ViewfinderEvent {
    enum class Kind : uint8_t {
        Quit,    ///< the window was closed
        Key,     ///< a key was pressed: `key` is its lower-case ASCII character, or one of the
                 ///< named keys below
        Resized, ///< the window changed size (`width` x `height`)
    };
    Kind kind = Kind::Key;
    char key = 0;
    uint32_t width = 0;
    uint32_t height = 0;
    static constexpr char kEscape = 27;
    static constexpr char kPlus = '+';
    static constexpr char kMinus = '-';
};

/// The viewfinder engine. A pipeline thread takes each frame from the source, runs
/// crop/scale, the pipeline's stages and the HUD on the GPU and offers the result to a
/// latest-frame-wins mailbox; a presenter thread shows the newest finished image at every
/// refresh. The camera rate and the panel rate are independent.
///
/// Threads: create, start, stop, pollEvents and destruction from one (the app's) thread;
/// the setters, snapshot() and stats() from any thread.
class REARVIEW_API Viewfinder {
public:
    /// Opens the source, loads the pipeline file and creates the presenter, so every error a
    /// bad option can cause comes from here: NotFound (camera, file, display, a LUT file), Parse
    /// (pipeline file, with file:line:column), Unsupported (presenter unavailable, e.g. no
    /// display server for a window), InvalidArgument (sizes, rates).
    static Result<std::unique_ptr<Viewfinder>> create(GpuContext& gpu, ViewfinderOptions options);
    ~Viewfinder();
    Viewfinder(const Viewfinder&) = delete;
    Viewfinder& operator=(const Viewfinder&) = delete;

    /// Starts capturing and presenting.
    Result<void> start();
    /// Stops both threads, gives every buffer back to the camera and writes the trace; the
    /// frame tap is removed (a callback in progress has returned; none comes later).
    /// Idempotent; stats() stays readable.
    void stop();
    bool running() const;

    /// Switches to another camera while streaming (the panel keeps showing the last frame
    /// until the new camera's first one). Camera sources only.
    Result<void> switchCamera(const std::string& cameraId);
    /// Loads another pipeline file ("" for none: crop/scale only); it takes effect at the next
    /// frame. On error the current pipeline stays and the error says what is wrong with the
    /// file (loadPipeline()'s errors).
    Result<void> setPipeline(const std::string& pipelineFile);
    /// Another pipeline, built in code or parsed, from the next frame on (the panel's list; a
    /// recording in progress takes the record list from its next frame). LUT files it names
    /// and does not carry are read here; validate()'s errors, and on error the current
    /// pipeline stays. Nothing is rebuilt on the GPU: a LUT is uploaded once and kept while
    /// recently used (switching back and forth between looks uploads nothing).
    Result<void> setPipeline(Pipeline pipeline);
    /// Changes the parameters of one stage (`index` from 0 in `list`) from the next frame on,
    /// e.g. a beauty or LUT strength slider: no file is read unless a LUT's file changes, and
    /// nothing is rebuilt. InvalidArgument for an index past the list or a stage of another
    /// kind (setPipeline() changes which stages run), validate()'s errors; on error nothing
    /// changes.
    Result<void> setStageParams(PipelineList list, size_t index, StageParams params);
    /// The pipeline in use (its `source` is the file it came from, "" when made in code).
    Pipeline pipeline() const;
    /// Crop, zoom, rotation and mirror from the next frame on. InvalidArgument, and the
    /// geometry in use unchanged, for a zoom that is not a positive number, a centre that is not
    /// finite, or a rotation or fit mode that does not exist.
    Result<void> setGeometry(const ViewGeometry& geometry);
    ViewGeometry geometry() const;
    void setHudVisible(bool visible);
    bool hudVisible() const;

    /// Writes the next panel image (as shown, HUD included when visible) to a PNG, waiting
    /// up to `timeout` for it.
    Result<void> snapshot(const std::string& pngPath,
                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

    /// Hands every finished panel image to `tap.callback` on the tap thread, from the next
    /// frame on, without the pipeline ever waiting for it: each processed frame is copied (in
    /// its own GPU submission) into one of a few host-visible buffers, and when the callback
    /// is still busy the newest finished image replaces the one waiting (counted in
    /// stats().tap). An empty callback removes the tap; the call returns once a callback in
    /// progress has returned, so what it uses may then be destroyed. Any thread but the tap's
    /// own (Internal from inside the callback); OutOfMemory when the buffers cannot be made.
    Result<void> setFrameTap(FrameTapOptions tap);

    ViewfinderStats stats() const;

    /// Records the frames the viewfinder shows, in parallel: at options.frameRate by sensor
    /// timestamp, cropped 16:9 and scaled to options.resolution on the GPU, through the
    /// pipeline's record: stages (no HUD, not mirrored), to options.path. Needs the viewfinder
    /// running. Errors, before anything is recorded: InvalidArgument (already recording, not
    /// running, frames smaller than the resolution), Io/NotFound (path not writable), NotFound
    /// or Unsupported (no encoder opens), the record stage list's error. The viewfinder never
    /// waits for the encoder; a recording that stops by itself (disk full) keeps what was
    /// written and is reported in stats().lastError and stats().recording->stoppedByItself.
    ///
    /// Before it starts it measures what the device sustains (RecordingPlan, also in the log
    /// and in stats().recording->plan): for a fixed resolution that size, and when that falls
    /// short the smaller ones too, so the plan says what can be sustained; for
    /// RecordResolution::Auto the sizes from 1080p up, choosing the largest that sustains the
    /// frame rate. The measurement takes a few GPU runs and encoded frames of each size (well
    /// under a second at 1080p on a 2-core CPU driver, seconds at 8K with a software encoder).
    Result<RecordingPlan> startRecording(const RecordOptions& options);
    /// Records the frames already on their way, finishes the file and returns the encoder's
    /// final figures (the record branch's stay in stats().recording); the error that stopped
    /// the recording by itself, if any. InvalidArgument when no recording was started since
    /// the last stop.
    Result<RecordStats> stopRecording();
    /// Frames are being recorded (false once the recording stopped by itself).
    bool recording() const;

    /// Sets camera controls from the next frame on (all given, or none on error); a focus
    /// point is a point of the panel as shown, mapped through the geometry in use and onto
    /// the sensor. Unsupported when the source is not a camera or the camera lacks a control
    /// (naming each one it lacks), InvalidArgument for a value outside the camera's range or
    /// a focus point off the panel or on a fit view's bars. From any thread.
    Result<void> setCameraControls(const CameraControls& controls);
    /// The controls the camera reports, by libcamera's names, with their ranges. Unsupported
    /// when the source is not a camera.
    Result<std::vector<CameraControlInfo>> cameraControls() const;

    /// Hands the viewfinder one frame of a SourceKind::App source, from any thread (the
    /// app's capture callback); the pipeline thread takes it next, as it takes camera frames.
    /// Up to 4 frames wait; a frame pushed while 4 wait replaces the oldest, which is released
    /// at once and counted (ViewfinderStats::appFramesDropped). The frame's `release` is
    /// called exactly once, also when the push fails. InvalidArgument (not an app source, a
    /// size other than SourceOptions::size, a layout that does not fit the memory, neither
    /// fd nor data), Io (an fd that cannot be mapped).
    Result<void> pushFrame(AppFrame frame);

    /// Takes a photo (docs/photo.md): the camera frame on the panel at the call (or when the
    /// self-timer runs out), at full resolution through the viewfinder's geometry and pipeline
    /// (not the HUD), written as a JPEG with EXIF metadata; a burst takes the frames after it
    /// too. Returns at once; the future gives the written shots, or the error that stopped the
    /// photo (its GPU work, the encode, the write, e.g. a full disk: no partial file is left
    /// under the name; Cancelled). The photo's work runs below a recording's priority and never
    /// holds up the panel. Errors from the call itself, before anything is taken: validate()'s
    /// (the option and its value), InvalidArgument when the viewfinder is not running. Any
    /// thread.
    Result<std::future<Result<PhotoResult>>> capturePhoto(const PhotoOptions& options);
    /// Cancels the photos whose shutter has not been pressed yet (a self-timer counting down):
    /// their futures give Cancelled. Returns how many. Any thread.
    uint32_t cancelPhoto();

    /// Window events since the last call (empty for other targets); call it often (every
    /// few ms) from the thread that created the viewfinder, which a window needs.
    std::vector<ViewfinderEvent> pollEvents();

    struct Impl;

private:
    explicit Viewfinder(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace rearview
