// SPDX-License-Identifier: MIT
#include "cpu/finishing.hpp"

#include <algorithm>
#include <cmath>

namespace rearview::cpu {
namespace {

float smoothstep(float e0, float e1, float x) {
    const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
    return t * t * (3.0f - 2.0f * t);
}

uint32_t pcg(uint32_t v) {
    const uint32_t state = v * 747796405u + 2891336453u;
    const uint32_t word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

uint8_t toByte(float v) { return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

/// Applies `f(x, y, rgb)` to every pixel, colour as floats in [0, 1].
template <typename F>
void forEachPixel(RgbaImage& image, F f) {
    for (uint32_t y = 0; y < image.height; ++y)
        for (uint32_t x = 0; x < image.width; ++x) {
            uint8_t* px = image.row(y) + size_t(x) * 4;
            float rgb[3] = {px[0] / 255.0f, px[1] / 255.0f, px[2] / 255.0f};
            f(x, y, rgb);
            for (int c = 0; c < 3; ++c)
                px[c] = toByte(rgb[c]);
            px[3] = 255;
        }
}

} // namespace

void Vignette(RgbaImage& image, const VignetteParams& p) {
    const float hx = 0.5f * float(image.width), hy = 0.5f * float(image.height);
    const float diag = std::sqrt(hx * hx + hy * hy);
    forEachPixel(image, [&](uint32_t x, uint32_t y, float* rgb) {
        const float dx = (float(x) + 0.5f - hx) / diag, dy = (float(y) + 0.5f - hy) / diag;
        const float gain = 1.0f - p.amount * smoothstep(p.radius, p.radius + p.feather, std::sqrt(dx * dx + dy * dy));
        for (int c = 0; c < 3; ++c)
            rgb[c] *= gain;
    });
}

void Grain(RgbaImage& image, const GrainParams& p, uint32_t seed) {
    forEachPixel(image, [&](uint32_t x, uint32_t y, float* rgb) {
        const uint32_t h = pcg((x / p.size) ^ pcg((y / p.size) ^ pcg(seed)));
        const float noise = float(h & 0xFFFFu) * (1.0f / 65535.0f) - 0.5f;
        const float luma = 0.2126f * rgb[0] + 0.7152f * rgb[1] + 0.0722f * rgb[2];
        const float weight = 4.0f * luma * (1.0f - luma);
        for (int c = 0; c < 3; ++c)
            rgb[c] += p.amount * 0.25f * (0.25f + 0.75f * weight) * noise;
    });
}

} // namespace rearview::cpu
