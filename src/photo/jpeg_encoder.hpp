// SPDX-License-Identifier: MIT
// RGBA8 images to JPEG in memory with libjpeg-turbo, an EXIF segment first.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace rearview::photo {

/// Encodes `height` rows of `width` RGBA8 pixels (`stride` bytes apart; alpha ignored) as a
/// baseline JPEG, 4:2:0, at `quality` (1..100), with `exif` (an APP1 payload from buildExif(),
/// or empty) as its first segment and no JFIF segment. Errors: InvalidArgument (sizes,
/// quality), Internal (libjpeg's own message).
Result<std::vector<uint8_t>> encodeJpeg(const uint8_t* rgba, uint32_t width, uint32_t height, size_t stride,
                                        int quality, std::span<const uint8_t> exif);

} // namespace rearview::photo
