// SPDX-License-Identifier: MIT
// Snapshots of working images as PNG files.
#pragma once

#include <rearview/error.hpp>
#include <rearview/image.hpp>

#include <string>

namespace rearview {

/// Writes `image` as an 8-bit RGBA PNG (OpenCV imgcodecs). Errors: InvalidArgument for an
/// empty image, Io when the file cannot be written (the message names the path).
Result<void> writePng(const RgbaImage& image, const std::string& path);

} // namespace rearview
