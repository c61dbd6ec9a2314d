// SPDX-License-Identifier: MIT
#include "core/test_patterns.hpp"

#include <cmath>
#include <numbers>

namespace rearview::patterns {

void fillRamps(Nv12Image& image) {
    const uint32_t w = image.width(), h = image.height(), cw = (w + 1) / 2, ch = (h + 1) / 2;
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x)
            image.yPlane()[size_t(y) * image.stride() + x] = uint8_t((x * 255u) / (w > 1 ? w - 1 : 1));
    for (uint32_t y = 0; y < ch; ++y)
        for (uint32_t x = 0; x < cw; ++x) {
            uint8_t* uv = image.uvPlane() + size_t(y) * image.stride() + x * 2;
            uv[0] = uint8_t((y * 255u) / (ch > 1 ? ch - 1 : 1));
            uv[1] = uint8_t(((x + y) * 255u) / (cw + ch > 2 ? cw + ch - 2 : 1));
        }
}

void compressChroma(Nv12Image& image) {
    const uint32_t rowBytes = (image.width() + 1) & ~1u;
    for (uint32_t y = 0; y < (image.height() + 1) / 2; ++y)
        for (uint32_t x = 0; x < rowBytes; ++x) {
            uint8_t& v = image.uvPlane()[size_t(y) * image.stride() + x];
            v = uint8_t(96 + v / 4);
        }
}

void fillNoise(Nv12Image& image, uint32_t seed) {
    uint32_t s = seed ? seed : 1;
    auto next = [&] {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        return uint8_t(s >> 24);
    };
    const uint32_t rowBytes = (image.width() + 1) & ~1u;
    for (uint32_t y = 0; y < image.height(); ++y)
        for (uint32_t x = 0; x < rowBytes; ++x)
            image.yPlane()[size_t(y) * image.stride() + x] = next();
    for (uint32_t y = 0; y < (image.height() + 1) / 2; ++y)
        for (uint32_t x = 0; x < rowBytes; ++x)
            image.uvPlane()[size_t(y) * image.stride() + x] = next();
}

void fillZonePlate(Nv12Image& image) {
    const double w = image.width(), h = image.height();
    const double cx = w / 2, cy = h / 2;
    // phase = k * r^2 with k chosen so the local frequency reaches 0.5 cycles/pixel at the
    // image's half-diagonal.
    const double rmax2 = cx * cx + cy * cy;
    const double k = std::numbers::pi * 0.5 / std::sqrt(rmax2);
    for (uint32_t y = 0; y < image.height(); ++y)
        for (uint32_t x = 0; x < image.width(); ++x) {
            const double dx = x - cx, dy = y - cy;
            const double v = 0.5 + 0.5 * std::cos(k * (dx * dx + dy * dy));
            image.yPlane()[size_t(y) * image.stride() + x] = uint8_t(16 + std::lround(v * 219));
        }
    for (uint32_t y = 0; y < (image.height() + 1) / 2; ++y)
        for (uint32_t x = 0; x < ((image.width() + 1) & ~1u); ++x)
            image.uvPlane()[size_t(y) * image.stride() + x] = 128;
}

} // namespace rearview::patterns
