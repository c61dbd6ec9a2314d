// SPDX-License-Identifier: MIT
// Photos from the viewfinder (Viewfinder::capturePhoto()): the sensor frame that was on the
// panel when the shutter was pressed, at full resolution, through the panel's geometry and
// looks, as a JPEG with EXIF metadata. See docs/photo.md.
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// How much of the sensor frame a photo keeps, and at what resolution.
enum class PhotoSize : uint8_t {
    /// The sensor frame at its own resolution (8160x6120 on the virtual rig), cropped only by
    /// the viewfinder's zoom and centre: the sensor's aspect, not the panel's.
    Full,
    /// Full, 2x2-binned: half the width and height (4080x3060 on the rig), a quarter of the
    /// pixels, GPU time and file size.
    Binned,
    /// What the panel shows (its aspect, the fill crop, the zoom), at the sensor's resolution.
    PanelAspect,
};

/// Whether a photo is mirrored.
enum class PhotoMirror : uint8_t {
    Unmirrored, ///< as the scene is (how phones save selfies), whatever the preview does
    AsPreviewed, ///< mirrored when the viewfinder's geometry mirrors the panel
};

/// How the viewfinder's rotation reaches the file.
enum class PhotoOrientation : uint8_t {
    /// The pixels are rotated on the GPU; EXIF Orientation says 1 (top-left).
    Pixels,
    /// The pixels stay in sensor orientation and EXIF Orientation (2..8) says how to show
    /// them, as most cameras write: no pixel is moved for it.
    ExifTag,
};

/// What Viewfinder::capturePhoto() takes.
struct PhotoOptions {
    /// The JPEG to write (".jpg" or ".jpeg"). Its directory must exist and be writable. A
    /// burst of N writes PATH with "-1" .. "-N" before the extension. Written atomically: until
    /// the photo is complete nothing exists under this name, and an existing file is replaced
    /// only by a complete one.
    std::string path;
    PhotoSize size = PhotoSize::Full;
    PhotoMirror mirror = PhotoMirror::Unmirrored;
    PhotoOrientation orientation = PhotoOrientation::Pixels;
    int quality = 92;        ///< JPEG quality, 1..100
    uint32_t burst = 1;      ///< consecutive camera frames taken, 1..kMaxPhotoBurst
    /// Self-timer: the shutter is pressed this many seconds after the call (0..kMaxPhotoTimer),
    /// the countdown drawn on the panel (never mirrored); Viewfinder::cancelPhoto() stops it.
    double timerSeconds = 0;
};

/// The most frames one burst takes.
inline constexpr uint32_t kMaxPhotoBurst = 10;
/// The longest self-timer, seconds.
inline constexpr double kMaxPhotoTimer = 30.0;

/// One written photo.
struct PhotoShot {
    std::string path;
    uint32_t width = 0, height = 0;  ///< of the image as stored (before EXIF orientation)
    uint64_t sequence = 0;           ///< the camera frame's sequence number
    uint64_t sensorTimestampNs = 0;  ///< the camera frame's sensor time (CLOCK_MONOTONIC)
    /// The frame was the one on the panel at the press (or, in a burst, follows it): true.
    /// false: the frame ring no longer held it (too few camera buffers, or the panel showed an
    /// older frame than the ring keeps), and the next camera frame was taken instead.
    bool zeroShutterLag = true;
    /// The chosen frame's sensor time minus the press, ms: negative when the frame was
    /// captured before the press (zero shutter lag: about minus the sensor-to-panel latency).
    double shutterLagMs = 0;
    double pressToWrittenMs = 0;     ///< press to the file being complete under its name
    double gpuMs = 0;                ///< geometry and stages at the photo's size, on the GPU
    double encodeMs = 0;             ///< JPEG and EXIF encoding on the CPU
    uint64_t bytes = 0;              ///< file size
};

/// What a photo request produced: one shot, or a burst's shots in order.
struct PhotoResult {
    std::vector<PhotoShot> shots;
};

/// Photos taken since the viewfinder started (ViewfinderStats::photo).
struct PhotoStats {
    uint64_t requested = 0;          ///< capturePhoto() calls accepted
    uint64_t taken = 0;              ///< shots written
    uint64_t failed = 0;             ///< requests that ended in an error (see lastError)
    uint64_t cancelled = 0;          ///< requests cancelled (cancelPhoto(), or stop())
    uint64_t notZeroShutterLag = 0;  ///< shots whose frame was taken after the press
    double shutterLagP50Ms = 0, shutterLagP99Ms = 0;       ///< PhotoShot::shutterLagMs
    double pressToWrittenP50Ms = 0, pressToWrittenP99Ms = 0; ///< PhotoShot::pressToWrittenMs
    double gpuP50Ms = 0;             ///< per shot
    double encodeP50Ms = 0;          ///< per shot
    uint64_t bytes = 0;              ///< written in all
    uint32_t ringFrames = 0;         ///< camera frames the zero-shutter-lag ring holds now
    bool pending = false;            ///< a request (or a countdown) is in progress
    double countdownSeconds = 0;     ///< self-timer time left (0: none running)
};

REARVIEW_API std::string_view toString(PhotoSize size) noexcept;
REARVIEW_API std::string_view toString(PhotoMirror mirror) noexcept;
REARVIEW_API std::string_view toString(PhotoOrientation orientation) noexcept;

/// Checks `options` as capturePhoto() does: the path (extension, directory, writability),
/// the quality, the burst, the timer. The error names the option and its value.
REARVIEW_API Result<void> validate(const PhotoOptions& options);

} // namespace rearview
