// SPDX-License-Identifier: MIT
#include "cpu/blit.hpp"

#include "present/fit_rect.hpp"

#include <algorithm>
#include <cmath>

namespace rearview::cpu {

RgbaImage Blit(const RgbaImage& src, uint32_t dstWidth, uint32_t dstHeight) {
    RgbaImage out(dstWidth, dstHeight);
    for (size_t i = 0; i < out.pixels.size(); i += 4)
        out.pixels[i + 3] = 255;
    if (src.width == 0 || src.height == 0)
        return out;
    const present::FitRect r = present::fitCentred(src.width, src.height, dstWidth, dstHeight);
    const float sx = float(src.width) / float(r.width);
    const float sy = float(src.height) / float(r.height);
    auto texel = [&](int x, int y, int c) {
        x = std::clamp(x, 0, int(src.width) - 1);
        y = std::clamp(y, 0, int(src.height) - 1);
        return float(src.row(uint32_t(y))[size_t(x) * 4 + size_t(c)]) / 255.0f;
    };
    for (uint32_t qy = 0; qy < r.height; ++qy) {
        const float v = (float(qy) + 0.5f) * sy - 0.5f;
        const float fy = std::floor(v);
        const float wy = v - fy;
        uint8_t* row = out.row(uint32_t(r.y) + qy);
        for (uint32_t qx = 0; qx < r.width; ++qx) {
            const float u = (float(qx) + 0.5f) * sx - 0.5f;
            const float fx = std::floor(u);
            const float wx = u - fx;
            const int ix = int(fx), iy = int(fy);
            uint8_t* px = row + (size_t(r.x) + qx) * 4;
            for (int c = 0; c < 3; ++c) {
                const float top = texel(ix, iy, c) * (1 - wx) + texel(ix + 1, iy, c) * wx;
                const float bottom = texel(ix, iy + 1, c) * (1 - wx) + texel(ix + 1, iy + 1, c) * wx;
                const float value = top * (1 - wy) + bottom * wy;
                px[c] = uint8_t(std::clamp(std::lround(value * 255.0f), 0l, 255l));
            }
        }
    }
    return out;
}

} // namespace rearview::cpu
