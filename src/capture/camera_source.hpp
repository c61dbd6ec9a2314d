// SPDX-License-Identifier: MIT
// A libcamera camera delivering NV12 CapturedFrames into buffers rearview owns. This header
// stays libcamera-free so benches, samples and the pipeline can include it.
#pragma once

#include "capture/buffer_allocator.hpp"
#include "capture/frame_source.hpp"
#include "core/frame.hpp"
#include "core/panel_mapping.hpp"

#include <rearview/camera.hpp>
#include <rearview/camera_controls.hpp>
#include <rearview/color_space.hpp>
#include <rearview/error.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rearview {

/// Something that happened to a camera source outside a call the app made.
struct CameraEvent {
    enum class Kind : uint8_t {
        Disconnected, ///< the camera went away while open; the source stopped (reopen to go on)
        Stopped,      ///< the source stopped streaming (stop(), destruction, or a failed requeue)
        Switched,     ///< the first frame from the camera switched to arrived (see `switchMs`)
    };
    Kind kind;
    std::string cameraId;
    std::string message; ///< what happened, for a log or a status line
    double switchMs = 0; ///< Switched: switch request to first new frame
};

/// Timing of the last camera switch, milliseconds.
struct SwitchTiming {
    std::string from;
    std::string to;
    double stopMs = 0;       ///< stopping (and, unless kept open, releasing) the old camera
    double openMs = 0;       ///< acquiring, configuring and allocating for the new one (~0 when prepared)
    double firstFrameMs = 0; ///< starting the new camera to its first completed frame
    double totalMs = 0;      ///< switchCamera() call to the first new frame being queued for the app
    uint32_t buffersReused = 0; ///< buffers of the old camera the new one took over (the rest were allocated)
    bool prepared = false;      ///< the new camera was already open (prepareCamera() or keepPreviousOpen)
};

/// Counters of a camera source since create(); they carry on across switches.
struct CameraStats {
    uint64_t framesDelivered = 0;  ///< frames handed to the consumer queue
    uint64_t framesDropped = 0;    ///< delivered frames dropped because the consumer queue was full
    uint64_t frameErrors = 0;      ///< completed with an error status; never delivered
    uint64_t requestsCancelled = 0;///< cancelled or completed during a stop; never delivered
    uint64_t timestampFallbacks = 0; ///< frames whose sensor timestamp was 0 (completion time used)
    BufferKind bufferKind = BufferKind::Memfd;
    std::string bufferDescription; ///< e.g. "memfd", "dma-heap /dev/dma_heap/system"
    double deliveredFps = 0;       ///< frames delivered per second since the last start
    uint32_t switches = 0;
    std::optional<SwitchTiming> lastSwitch; ///< set once the switched-to camera's first frame arrived
};

/// What a camera source was asked for.
struct CameraSourceOptions {
    /// A CameraInfo::id; see listCameras().
    std::string cameraId;
    /// Requested NV12 size; {0,0}: the camera's default for the role.
    FrameSize size;
    CameraStreamRole role = CameraStreamRole::Viewfinder;
    /// Target frame rate. Requests are requeued no faster than this (the virtual camera
    /// completes requests as soon as they are queued), and FrameDurationLimits is set when
    /// the camera offers it. 0: as fast as the camera goes.
    double frameRate = 30.0;
    /// Capture buffers (and so requests in flight, including frames the app holds);
    /// 0: the camera's suggestion. At least 2.
    uint32_t bufferCount = 0;
    /// Frames waiting for the consumer; when full the oldest is dropped (and counted).
    uint32_t queueDepth = 2;
    /// Requests queued to the camera at once (the rest wait for their pacing slot). Two keep a
    /// real sensor busy between completions; more only deepens the virtual camera's backlog
    /// (it makes frames one at a time), which lengthens stop and switch.
    uint32_t requestsInCamera = 2;
    /// On switchCamera(), keep the previous camera open (stopped, configured, with its
    /// buffers) so switching back is only a stop and a start. Costs its buffers' memory; where
    /// two cameras cannot be open together the switch closes the old one anyway.
    bool keepPreviousOpen = false;
    /// When false, a size the camera adjusts is an error instead of a logged adjustment.
    bool allowAdjustedSize = true;
    /// Use the pipeline handler's own buffers (FrameBufferAllocator) when it can export them;
    /// otherwise (and when it cannot) rearview's BufferAllocator.
    bool preferCameraBuffers = false;
    BufferAllocatorOptions allocator;
    /// Called on libcamera's thread (Disconnected, Switched), the caller's (Stopped by stop())
    /// or the pacing thread (Stopped after a refused request). Keep it short and do not call
    /// back into the CameraSource from it.
    std::function<void(const CameraEvent&)> onEvent;
};

/// The stream as configured.
struct CameraStreamInfo {
    std::string cameraId;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t stride = 0;
    size_t uvOffset = 0;
    size_t bufferSize = 0;     ///< bytes per buffer (page multiple for own buffers)
    uint32_t bufferCount = 0;
    /// From the stream configuration; BT.601 full range (libcamera's sYCC, what JPEG uses)
    /// when the camera reports none, with `colorSpaceFromCamera` false.
    ColorSpace colorSpace{};
    bool colorSpaceFromCamera = false;
    /// "requested NV12 1000x1000, camera 'main' adjusted it to NV12 8160x6120"; empty when
    /// the camera took the request as it was.
    std::string adjustment;
    /// Whether FrameDurationLimits was set (the camera offers it); pacing happens regardless.
    bool frameDurationLimitsSet = false;
};

/// One libcamera camera streaming NV12 into rearview's buffers. Frames go to a bounded queue
/// that the consumer (pipeline) thread drains with nextFrame(). Each frame's `release` handle
/// gives the buffer back; only then is its request requeued, paced to the target rate.
/// Frames the app still holds stay valid after stop(), a switch, or destruction.
///
/// Threads: create/start/stop/switchCamera/destruction from one thread (the app's);
/// nextFrame() from one consumer thread; releasing frames from any thread.
class CameraSource final : public FrameSource {
public:
    /// Opens `options.cameraId` and configures one NV12 stream. Errors: NotFound (unknown id;
    /// the message lists the available ids), InvalidArgument (size rejected, or adjusted while
    /// `allowAdjustedSize` is false; the message says from what to what), Unsupported (no
    /// NV12), OutOfMemory (buffers), Internal (libcamera failures, with its errno text).
    static Result<CameraSource> create(CameraSourceOptions options);

    CameraSource(CameraSource&&) noexcept;
    CameraSource& operator=(CameraSource&&) noexcept;
    CameraSource(const CameraSource&) = delete;
    CameraSource& operator=(const CameraSource&) = delete;
    /// Stops and releases the camera; frames still held stay valid until dropped.
    ~CameraSource() override;

    Result<void> start();
    /// Stops streaming; frames not yet taken from the queue are dropped, frames the app holds
    /// stay valid. Idempotent. start() resumes.
    void stop();
    bool streaming() const;

    /// Stops the current camera, opens `cameraId` with the same size, role and rate, and
    /// starts it if the source was streaming. Frames of the old camera already queued are
    /// still delivered first, and frames held stay valid, so the app always has a frame to
    /// show. On failure the old camera is reopened and the error says why the switch failed.
    /// The switch time is in stats().lastSwitch once the new camera's first frame arrives.
    Result<void> switchCamera(const std::string& cameraId);

    /// Opens and configures `cameraId` (same size, role, rate) while the current camera keeps
    /// streaming, so a later switchCamera() to it skips that cost (seconds for the virtual
    /// camera at 50 MP). Blocks while it opens. Fails where the two cameras cannot be open
    /// together; switchCamera() still works then.
    Result<void> prepareCamera(const std::string& cameraId);

    /// The next frame, waiting up to `timeout`; nullopt on timeout. Errors when the source is
    /// not streaming (InvalidArgument) or the camera was disconnected (DeviceLost).
    Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) override;
    /// The current stream's layout (see stream()).
    FrameFormat format() const override;

    const CameraStreamInfo& stream() const;
    CameraStats stats() const;

    /// The controls the current camera reports (libcamera's names and ranges).
    std::vector<CameraControlInfo> controls() const;
    /// Applies `controls` from the next request queued on: all of them, or none with
    /// Unsupported (a control the camera lacks) or InvalidArgument (out of its range).
    /// `focus`: the frame point a focus window goes around (CameraControls::focusPoint mapped
    /// through the panel's crop plan). From any thread.
    Result<void> setControls(const CameraControls& controls, std::optional<FramePoint> focus);

    /// Testing only: behaves as if libcamera reported the camera disconnected.
    void simulateDisconnect();
    /// Testing only: the next `frameErrors` completed frames are handled as if the camera had
    /// reported FrameError, and the next `zeroTimestamps` as if it had given no timestamp.
    void simulateFaults(uint32_t frameErrors, uint32_t zeroTimestamps);

    struct Impl;

private:
    explicit CameraSource(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace rearview
