// SPDX-License-Identifier: MIT
// Where the presentation blit (present/blit.hpp) puts the working image in a target of any
// size; its CPU reference (cpu/blit.hpp) uses the same rectangle.
#pragma once

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

} // namespace rearview::present
