// SPDX-License-Identifier: MIT
// Geometry and CPU reference of the presentation blit (shaders/present/present_to_*.comp).
#pragma once

#include <rearview/image.hpp>

#include <cstdint>

namespace rearview::present {

/// Where the working image lands in the swapchain image: scaled to fit inside it with its
/// aspect ratio kept, centred, black bars on the two other sides.
struct FitRect {
    int32_t x = 0;
    int32_t y = 0;
    uint32_t width = 0;
    uint32_t height = 0;
};
FitRect fitCentred(uint32_t srcWidth, uint32_t srcHeight, uint32_t dstWidth, uint32_t dstHeight);

/// The blit on the CPU: `src` fitted into a dstWidth x dstHeight RGBA image (bilinear with
/// pixel centres, so the panel-size case is an exact copy; bars and alpha are 0,0,0,255).
/// An empty `src` gives an all-black image (the presenter before the first frame).
RgbaImage blitReference(const RgbaImage& src, uint32_t dstWidth, uint32_t dstHeight);

} // namespace rearview::present
