// SPDX-License-Identifier: MIT
// Still images (PNG, JPEG) as NV12 frames: real content for the synthetic source, tests and
// benchmarks.
#pragma once

#include <rearview/error.hpp>
#include <rearview/image.hpp>

#include <cstdint>
#include <string>

namespace rearview {

/// Reads a PNG or JPEG (anything OpenCV's imread decodes) and returns it as a `width` x
/// `height` NV12 frame in `colorSpace`: the largest centred window of the image with the
/// frame's aspect ratio, scaled to the frame (OpenCV INTER_AREA when shrinking, INTER_LINEAR
/// when enlarging), then converted with libyuv (BT.601 limited: ARGBToNV12; BT.601 full:
/// ARGBToJ420) or, for the matrices libyuv cannot encode (BT.709, BT.2020), exactly with the
/// coefficients of coefficientsFor(). Chroma is the mean of each 2x2 block. `stride` 0 means
/// the tightest one. Errors: NotFound (no such file), Parse (not a decodable image),
/// InvalidArgument (zero size, stride below the row size).
Result<Nv12Image> readImageNv12(const std::string& path, uint32_t width, uint32_t height, uint32_t stride = 0,
                                ColorSpace colorSpace = {});

} // namespace rearview
