// SPDX-License-Identifier: MIT
// Video recording: what to record and how it went. The recorder itself takes NV12 frames in CPU
// memory (the GPU record branch's output), encodes them with libavcodec and writes MP4 files.
#pragma once

#include <rearview/export.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// Output size of a recording. The frames handed to the recorder must have this size (the
/// GPU record branch crops 16:9 and scales to it).
enum class RecordResolution : uint8_t {
    Uhd8K,  ///< 7680×4320
    Uhd4K,  ///< 3840×2160
    Fhd,    ///< 1920×1080
    /// The largest of the above that the device sustains at the frame rate, measured by
    /// Viewfinder::startRecording() before it starts (1080p when none does). A Recorder
    /// itself takes only a fixed size.
    Auto,
};

/// Width and height of a RecordResolution.
struct RecordSize {
    uint32_t width = 0;
    uint32_t height = 0;
};
REARVIEW_API RecordSize sizeOf(RecordResolution resolution) noexcept;

/// "8k", "4k", "1080p", "auto".
REARVIEW_API std::string_view toString(RecordResolution resolution) noexcept;

/// Video compression standard.
enum class RecordCodec : uint8_t {
    Hevc, ///< H.265 / HEVC (the default: half the bitrate of H.264 at the same quality)
    H264, ///< H.264 / AVC
};

/// "hevc", "h264".
REARVIEW_API std::string_view toString(RecordCodec codec) noexcept;

/// What the recorder does when frames arrive faster than the encoder takes them. Every frame
/// not encoded because of it is counted in RecordStats::framesDropped.
enum class OverloadPolicy : uint8_t {
    /// The queue keeps the newest frames: a frame submitted to a full queue pushes the oldest
    /// queued frame out.
    DropOldest,
    /// While the queue is more than half full the accepted frame rate is halved (every second
    /// submitted frame is dropped; halved again, down to 1/16, if the queue stays over half
    /// full), and restored once the queue has drained. A frame that still meets a full queue
    /// pushes the oldest one out.
    HalveRate,
};

/// "drop-oldest", "halve-rate".
REARVIEW_API std::string_view toString(OverloadPolicy policy) noexcept;

/// How a recording's work is scheduled against the viewfinder's (docs/viewfinder.md,
/// "Priorities under load"). On a CPU Vulkan driver the record branch's shader workers, the
/// encoder's threads and the branch's own thread all get the priority.
enum class RecordPriority : uint8_t {
    /// The default: above the panel's processing of new camera frames and below the panel's
    /// refresh. The record branch's threads run at nice 4 (the panel's processing at nice 10),
    /// and the viewfinder's governor sheds panel processing before a record frame is skipped:
    /// what the user asked to keep is kept.
    Protected,
    /// The same priority as the panel's processing: recording and viewfinder frames share the
    /// machine evenly; the governor still sheds panel work when record frames are skipped.
    Normal,
    /// Below everything (SCHED_IDLE: only CPU time nothing else wants; its GPU queue has the
    /// lowest priority). The recording drops frames when the machine is short of time, counted
    /// in the stats, and the governor does not shed panel work for it.
    Background,
};

/// "protected", "normal", "background".
REARVIEW_API std::string_view toString(RecordPriority priority) noexcept;

/// What to record. Every field has a usable default apart from `path`.
struct RecordOptions {
    /// Output file (".mp4"). With segments, the segment index is inserted before the
    /// extension: "clip.mp4" → "clip-000.mp4", "clip-001.mp4", ...; a path containing a
    /// printf-style "%d"/"%03d" is used as the pattern instead ("clip_%02d.mp4").
    std::string path;
    RecordResolution resolution = RecordResolution::Uhd8K;
    /// Nominal frame rate: the keyframe interval and the encoder's rate control are based on
    /// it. Timestamps come from the frames' sensor times, so a varying rate is recorded as is.
    double frameRate = 30.0;
    RecordCodec codec = RecordCodec::Hevc;
    /// "auto" picks the first encoder that opens (hardware first, software last, see
    /// docs/recording.md); a libavcodec encoder name ("libx265", "hevc_vaapi", ...) forces one
    /// and create() fails with a clear error when it is unknown or does not open.
    std::string encoder = "auto";
    /// With codec HEVC and encoder "auto": allow falling back to an H.264 encoder when no HEVC
    /// encoder opens.
    bool allowH264Fallback = true;
    /// Target bitrate in bits/s; 0 = constant-quality mode (see `quality`).
    int64_t bitrate = 0;
    /// Constant-quality level, CRF-like (lower is better; x264 23 / x265 28 are the encoders'
    /// defaults); -1 = the encoder's default. Used when `bitrate` is 0.
    int quality = -1;
    /// Fragmented MP4: the file is readable up to its last fragment even if the process dies
    /// or the disk fills. Off: one plain MP4 whose index is written at stop().
    bool fragmented = true;
    /// Keyframe interval and fragment length in seconds: every fragment starts on a keyframe.
    double fragmentSeconds = 1.0;
    /// Split the recording into files of this many seconds (each starts on a keyframe and
    /// continues the previous one's timestamps); 0 = one file.
    double segmentSeconds = 0.0;
    /// Frames waiting for the encoder at most. The recorder keeps queueCapacity + 3 frame
    /// buffers (one being filled, one being encoded, one spare); at 8K each is ≈ 50 MB.
    uint32_t queueCapacity = 4;
    OverloadPolicy overload = OverloadPolicy::DropOldest;
    /// Encoder threads; 0 = one per CPU core.
    uint32_t threads = 0;
    /// Scheduling of the record branch and the encoder when recording from a Viewfinder.
    RecordPriority priority = RecordPriority::Protected;
};

/// What one recording size sustains on this device, measured before a recording starts
/// (Viewfinder::startRecording()): the record branch's GPU work for a sensor frame (crop,
/// scale, the record: stages) and the encoder, each timed on synthetic frames of the size.
struct RecordCapacity {
    RecordResolution resolution = RecordResolution::Fhd;
    double gpuFps = 0;    ///< record branch GPU frames per second (1000 / GPU ms per frame)
    double encodeFps = 0; ///< encoder frames per second; 0: not measured (the GPU already fell short)
    /// The GPU work and the encoder run on the same CPU cores (a CPU Vulkan driver such as
    /// lavapipe and a software encoder): each was measured with the whole CPU to itself, so
    /// together they take the sum of their times per frame.
    bool sharedCpu = false;
    /// Frames per second the size sustains: the slower of the two, or with `sharedCpu`
    /// 1 / (1 / gpuFps + 1 / encodeFps) (the GPU's alone when the encoder was not measured).
    double fps() const noexcept {
        if (encodeFps <= 0 || gpuFps <= 0)
            return gpuFps;
        if (sharedCpu)
            return 1.0 / (1.0 / gpuFps + 1.0 / encodeFps);
        return encodeFps < gpuFps ? encodeFps : gpuFps;
    }
    /// At least 95 % of `frameRate`, both parts measured.
    bool sustains(double frameRate) const noexcept { return encodeFps > 0 && fps() >= 0.95 * frameRate; }
};

/// What Viewfinder::startRecording() measured and chose before recording.
struct RecordingPlan {
    RecordResolution resolution = RecordResolution::Fhd; ///< the size recorded
    double frameRate = 30;
    /// The chosen size sustains the frame rate. When false the recording runs all the same
    /// (the overload policy and the governor decide what is lost) and `summary` says what
    /// this device can sustain instead.
    bool sustained = false;
    std::vector<RecordCapacity> measured; ///< each size measured, smallest first
    /// One line for people: "1080p sustains 30 fps (GPU 44 fps, encoder 71 fps); 4k: GPU 9 fps".
    std::string summary;
};

/// A snapshot of a recording's state. Software encoding of 8K runs at only a few frames per
/// second on small CPUs (≈ 2–5 fps on 2 cores), far below 30 fps: `keepsUp` is false there and
/// the overload policy drops frames; real-time 8K needs a hardware encoder.
struct RecordStats {
    /// libavcodec encoder in use ("libx265", "hevc_vaapi", ...); empty before one was chosen.
    std::string encoder;
    /// Why this encoder: the candidates tried before it and why each was skipped.
    std::string encoderReason;
    bool hardware = false;          ///< the encoder runs on dedicated hardware
    uint64_t framesSubmitted = 0;   ///< every frame given to submit()
    uint64_t framesEncoded = 0;     ///< frames the encoder turned into packets that were written
    uint64_t framesDropped = 0;     ///< frames the overload policy dropped
    /// Frames not recorded because the recording had already stopped (error or stop()) or the
    /// encoder rejected them. framesSubmitted = framesEncoded + framesDropped + framesDiscarded
    /// once stop() has returned.
    uint64_t framesDiscarded = 0;
    uint32_t queueDepth = 0;        ///< frames waiting now
    uint32_t queueDepthMax = 0;     ///< most frames ever waiting
    uint64_t bytesWritten = 0;      ///< bytes in the output files so far (flushed fragments)
    double durationSeconds = 0.0;   ///< media time recorded (last frame end − first frame start)
    /// Frames encoded per second of the encoder thread's busy time: what the encoder can do.
    double encodeFps = 0.0;
    /// Frames encoded per wall-clock second since the first frame.
    double encodedFps = 0.0;
    /// The encoder keeps up with the nominal frame rate (encodeFps ≥ 95 % of it) and nothing
    /// was dropped.
    bool keepsUp = true;
    std::vector<std::string> files; ///< files started so far, in order
    bool recording = false;         ///< frames are being accepted
    /// Set when the recording stopped by itself (write error, disk full, encoder failure):
    /// what happened, with the path and the system's or libavcodec's error text.
    std::string error;
};

} // namespace rearview
