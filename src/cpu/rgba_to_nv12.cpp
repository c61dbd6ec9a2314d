// SPDX-License-Identifier: MIT
#include "cpu/rgba_to_nv12.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rearview::cpu {
namespace {

uint8_t toByte(double v) { return uint8_t(std::clamp(std::lround(v), 0l, 255l)); }

} // namespace

void RgbaToNv12(const RgbaImage& src, Nv12Image& dst) {
    assert(src.width == dst.width() && src.height == dst.height() && src.width % 2 == 0 && src.height % 2 == 0);
    const YcbcrEncoding e = encodingFor(dst.colorSpace());
    auto luma = [&](double r, double g, double b) { return e.kr * r + e.kg * g + e.kb * b; };
    for (uint32_t y = 0; y < src.height; ++y) {
        const uint8_t* in = src.row(y);
        uint8_t* out = dst.yPlane() + size_t(y) * dst.stride();
        for (uint32_t x = 0; x < src.width; ++x)
            out[x] = toByte(e.yOffset + e.yScale * luma(in[4 * x] / 255.0, in[4 * x + 1] / 255.0, in[4 * x + 2] / 255.0));
    }
    for (uint32_t cy = 0; cy < src.height / 2; ++cy) {
        uint8_t* out = dst.uvPlane() + size_t(cy) * dst.stride();
        for (uint32_t cx = 0; cx < src.width / 2; ++cx) {
            double rgb[3] = {0, 0, 0};
            for (uint32_t dy = 0; dy < 2; ++dy)
                for (uint32_t dx = 0; dx < 2; ++dx)
                    for (int ch = 0; ch < 3; ++ch)
                        rgb[ch] += src.row(2 * cy + dy)[4 * (2 * cx + dx) + ch] / (4 * 255.0);
            const double yl = luma(rgb[0], rgb[1], rgb[2]);
            out[2 * cx] = toByte(128.0 + e.cbScale * (rgb[2] - yl));
            out[2 * cx + 1] = toByte(128.0 + e.crScale * (rgb[0] - yl));
        }
    }
}

} // namespace rearview::cpu
