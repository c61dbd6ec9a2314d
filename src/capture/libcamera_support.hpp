// SPDX-License-Identifier: MIT
// Private glue between rearview and libcamera: the process-wide CameraManager and the
// conversions at the boundary. Only src/capture/*.cpp and the camera tests include this.
#pragma once

#include <rearview/camera.hpp>
#include <rearview/color_space.hpp>
#include <rearview/error.hpp>

#include <libcamera/camera.h>
#include <libcamera/camera_manager.h>
#include <libcamera/color_space.h>
#include <libcamera/framebuffer.h>

#include <memory>
#include <optional>
#include <string>

namespace rearview::capture {

/// libcamera allows one CameraManager per process; everything in rearview shares this one.
/// It is started on first use and stopped when the last holder (a camera list, a camera
/// source, or a frame still held by the app) lets go.
Result<std::shared_ptr<libcamera::CameraManager>> cameraManager();

/// "main, ultrawide", or "none" — for messages.
std::string cameraIdList(const libcamera::CameraManager& manager);

/// Id, location, model, pixel array size and the NV12 sizes the camera accepts.
CameraInfo describeCamera(libcamera::Camera& camera);

/// Our colour space for a stream's: the YCbCr encoding and range; nullopt when the camera
/// reported none or one without a YCbCr encoding.
std::optional<ColorSpace> fromLibcamera(const std::optional<libcamera::ColorSpace>& cs);

/// A libcamera FrameBuffer over one NV12 buffer in `fd` (duplicated, the caller keeps its own):
/// luma from offset 0 up to `uvOffset`, then `uvBytes` of interleaved chroma.
std::unique_ptr<libcamera::FrameBuffer> nv12FrameBuffer(int fd, size_t uvOffset, size_t uvBytes);

/// A libcamera negative errno as text ("Device or resource busy").
std::string errnoMessage(int negativeErrno);

} // namespace rearview::capture
