// SPDX-License-Identifier: MIT
// The cameras rearview can capture from (libcamera's cameras, real or virtual).
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// Where a camera sits on the device.
enum class CameraLocation : uint8_t {
    Front,    ///< faces the user
    Back,     ///< faces away from the user (the phone's main cameras)
    External, ///< USB or other removable camera
    Unknown,  ///< the camera does not say
};

/// "front", "back", "external", "unknown".
REARVIEW_API std::string_view toString(CameraLocation location) noexcept;

/// A width and height in pixels.
struct FrameSize {
    uint32_t width = 0;
    uint32_t height = 0;

    friend bool operator==(const FrameSize&, const FrameSize&) = default;
};

/// What a stream is for; cameras tune their defaults (sizes, colour space, buffering) to it.
enum class CameraStreamRole : uint8_t {
    Viewfinder,     ///< live preview
    VideoRecording, ///< frames that go to an encoder
};

/// "viewfinder", "video-recording".
REARVIEW_API std::string_view toString(CameraStreamRole role) noexcept;

/// One camera as libcamera reports it.
struct CameraInfo {
    /// Stable identifier to open the camera with ("main", "ultrawide", or a real camera's
    /// libcamera id such as "/base/soc/i2c0mux/i2c@1/imx708@1a").
    std::string id;
    CameraLocation location = CameraLocation::Unknown;
    /// Sensor or camera model name; "Unknown" when the camera does not say.
    std::string model;
    /// Size of the sensor's pixel array (or of its active area, or of the largest stream
    /// size, whichever the camera reports first).
    FrameSize pixelArraySize;
    /// NV12 sizes the camera accepts unchanged, largest first. Cameras that scale freely
    /// list the common sizes within their range; empty when the camera has no NV12 output.
    std::vector<FrameSize> nv12Sizes;
    /// The NV12 size range the camera reports (min and max); {0,0} when it has no NV12 output.
    FrameSize nv12MinSize;
    FrameSize nv12MaxSize;
};

/// All cameras libcamera finds, in its order. An empty list is not an error (no camera
/// connected, or no virtual cameras configured); failing to start libcamera is.
REARVIEW_API Result<std::vector<CameraInfo>> listCameras();

} // namespace rearview
