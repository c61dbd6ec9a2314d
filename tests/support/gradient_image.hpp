// SPDX-License-Identifier: MIT
// An RGBA test image with a different value at nearly every pixel (red across, green down).
#pragma once

#include <rearview/image.hpp>

namespace rearview::test {

inline RgbaImage gradientImage(uint32_t width = 301, uint32_t height = 203) {
    RgbaImage in(width, height);
    for (uint32_t y = 0; y < in.height; ++y)
        for (uint32_t x = 0; x < in.width; ++x) {
            uint8_t* px = in.row(y) + x * 4;
            px[0] = uint8_t(x * 255 / in.width);
            px[1] = uint8_t(y * 255 / in.height);
            px[2] = uint8_t((x * 3 + y) & 0xFF);
            px[3] = 255;
        }
    return in;
}

} // namespace rearview::test
