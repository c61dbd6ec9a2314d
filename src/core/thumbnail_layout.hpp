// SPDX-License-Identifier: MIT
// The face analysis thumbnail's size and row layout, shared by the GPU stage that writes it
// (stages/face_thumbnail.hpp), its CPU reference and the frame pass that allocates it.
#pragma once

#include <cstdint>

namespace rearview {

/// A half-size grey thumbnail of a width x height image, rows padded to whole words.
struct ThumbnailLayout {
    static constexpr uint32_t width(uint32_t imageWidth) { return (imageWidth + 1) / 2; }
    static constexpr uint32_t height(uint32_t imageHeight) { return (imageHeight + 1) / 2; }
    /// Bytes per thumbnail row (a multiple of 4).
    static constexpr uint32_t strideBytes(uint32_t imageWidth) { return (width(imageWidth) + 3) & ~3u; }
};

} // namespace rearview
