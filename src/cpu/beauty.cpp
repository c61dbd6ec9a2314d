// SPDX-License-Identifier: MIT
#include "cpu/beauty.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace rearview::cpu {
namespace {

using Vec4 = std::array<float, 4>;

constexpr float kLumaR = 0.299f, kLumaG = 0.587f, kLumaB = 0.114f;

/// 1 inside lo..hi, falling to 0 over 8 code values centred on each bound.
float softRange(float v, float lo, float hi) {
    return std::clamp((v - lo) * 0.125f + 0.5f, 0.0f, 1.0f) * std::clamp((hi - v) * 0.125f + 0.5f, 0.0f, 1.0f);
}

/// Skin-colour likelihood of a cell from its luma (0..1) and chroma (0..255).
float skinColour(float y, float cb, float cr) {
    const float lit = std::clamp((y * 255.0f - 30.0f) * (1.0f / 30.0f), 0.0f, 1.0f);
    return softRange(cb, 77.0f, 127.0f) * softRange(cr, 133.0f, 173.0f) * lit;
}

float mix(float a, float b, float t) { return a * (1.0f - t) + b * t; }

struct Planes {
    BeautyGrid grid;
    std::vector<Vec4> smooth; ///< step 3's output: (a, b, mask, mean) per cell
};

Vec4 cellAt(const std::vector<Vec4>& cells, const BeautyGrid& g, int x, int y) {
    x = std::clamp(x, 0, int(g.width) - 1);
    y = std::clamp(y, 0, int(g.height) - 1);
    return cells[size_t(y) * g.width + size_t(x)];
}

Planes computeGrid(const RgbaImage& image, const BeautyParams& params, std::span<const analysis::FaceBox> faces,
                   uint32_t cell) {
    const BeautyGrid g = BeautyGrid::forImage(image.width, image.height, cell);
    const size_t n = size_t(g.width) * g.height;

    // 1. reduce
    std::vector<Vec4> reduced(n);
    for (uint32_t j = 0; j < g.height; ++j)
        for (uint32_t i = 0; i < g.width; ++i) {
            float r = 0, gr = 0, b = 0;
            for (uint32_t dy = 0; dy < g.cell; ++dy) {
                const uint8_t* row = image.row(std::min(j * g.cell + dy, image.height - 1));
                for (uint32_t dx = 0; dx < g.cell; ++dx) {
                    const uint8_t* px = row + size_t(std::min(i * g.cell + dx, image.width - 1)) * 4;
                    r += float(px[0]);
                    gr += float(px[1]);
                    b += float(px[2]);
                }
            }
            r *= g.invArea();
            gr *= g.invArea();
            b *= g.invArea();
            const float y = (kLumaR * r + kLumaG * gr + kLumaB * b) * (1.0f / 255.0f);
            const float cb = 128.0f + (-0.168736f * r - 0.331264f * gr + 0.5f * b);
            const float cr = 128.0f + (0.5f * r - 0.418688f * gr - 0.081312f * b);
            reduced[size_t(j) * g.width + i] = {y, cb, cr, 0.0f};
        }

    // 2. coefficients and skin mask
    const bool useFaces = beautyUsesFaces(params, faces);
    std::vector<BeautyGrid::CellRange> ranges;
    for (size_t f = 0; f < std::min<size_t>(faces.size(), BeautyGrid::kMaxFaces); ++f)
        ranges.push_back(g.cellsOf(faces[f]));
    const float eps = BeautyGrid::epsilon(params.smoothing);
    constexpr float kInvWindow = 1.0f / 25.0f;
    std::vector<Vec4> coeffs(n);
    for (uint32_t j = 0; j < g.height; ++j)
        for (uint32_t i = 0; i < g.width; ++i) {
            float sI = 0, sII = 0;
            for (int dy = -BeautyGrid::kRadius; dy <= BeautyGrid::kRadius; ++dy)
                for (int dx = -BeautyGrid::kRadius; dx <= BeautyGrid::kRadius; ++dx) {
                    const float v = cellAt(reduced, g, int(i) + dx, int(j) + dy)[0];
                    sI += v;
                    sII += v * v;
                }
            const float mean = sI * kInvWindow;
            const float var = std::max(sII * kInvWindow - mean * mean, 0.0f);
            const float a = var / (var + eps);
            const float b = mean - a * mean;
            const Vec4& c = reduced[size_t(j) * g.width + i];
            float gain = 1.0f;
            if (useFaces) {
                gain = BeautyGrid::kBackgroundGain;
                for (const auto& r : ranges)
                    if (i >= r.x0 && i < r.x1 && j >= r.y0 && j < r.y1)
                        gain = BeautyGrid::kFaceGain;
            }
            const float mask = std::min(skinColour(c[0], c[1], c[2]) * gain, 1.0f);
            coeffs[size_t(j) * g.width + i] = {a, b, mask, mean};
        }

    // 3. smooth
    Planes planes{g, std::vector<Vec4>(n)};
    for (uint32_t j = 0; j < g.height; ++j)
        for (uint32_t i = 0; i < g.width; ++i) {
            Vec4 s{};
            for (int dy = -BeautyGrid::kRadius; dy <= BeautyGrid::kRadius; ++dy)
                for (int dx = -BeautyGrid::kRadius; dx <= BeautyGrid::kRadius; ++dx) {
                    const Vec4 v = cellAt(coeffs, g, int(i) + dx, int(j) + dy);
                    for (int k = 0; k < 4; ++k)
                        s[size_t(k)] += v[size_t(k)];
                }
            for (float& v : s)
                v *= kInvWindow;
            planes.smooth[size_t(j) * g.width + i] = s;
        }
    return planes;
}

/// Step 4's bilinear sample of the grid at pixel (x, y) between the cell centres around it.
Vec4 sampleGrid(const Planes& p, uint32_t x, uint32_t y) {
    const int rx = p.grid.cellBelow(x), ry = p.grid.cellBelow(y);
    const float fx = p.grid.cellFraction(x), fy = p.grid.cellFraction(y);
    const Vec4 c00 = cellAt(p.smooth, p.grid, rx, ry), c10 = cellAt(p.smooth, p.grid, rx + 1, ry);
    const Vec4 c01 = cellAt(p.smooth, p.grid, rx, ry + 1), c11 = cellAt(p.smooth, p.grid, rx + 1, ry + 1);
    Vec4 v;
    for (size_t k = 0; k < 4; ++k)
        v[k] = mix(mix(c00[k], c10[k], fx), mix(c01[k], c11[k], fx), fy);
    return v;
}

float lumaAt(const RgbaImage& image, int x, int y) {
    x = std::clamp(x, 0, int(image.width) - 1);
    y = std::clamp(y, 0, int(image.height) - 1);
    const uint8_t* px = image.row(uint32_t(y)) + size_t(x) * 4;
    return (kLumaR * float(px[0]) + kLumaG * float(px[1]) + kLumaB * float(px[2])) * (1.0f / 255.0f);
}

} // namespace

void Beauty(RgbaImage& image, const BeautyParams& params, std::span<const analysis::FaceBox> faces, uint32_t cell) {
    if (params.smoothing == 0.0f && params.tone == 0.0f && params.sharpen == 0.0f)
        return;
    const Planes planes = computeGrid(image, params, faces, cell);
    const RgbaImage in = image;
    for (uint32_t y = 0; y < image.height; ++y)
        for (uint32_t x = 0; x < image.width; ++x) {
            const Vec4 c = sampleGrid(planes, x, y);
            const int ix = int(x), iy = int(y);
            const float l = lumaAt(in, ix, iy);
            const float base =
                (4.0f * l + lumaAt(in, ix - 1, iy) + lumaAt(in, ix + 1, iy) + lumaAt(in, ix, iy - 1) +
                 lumaAt(in, ix, iy + 1)) *
                0.125f;
            const float m = std::clamp(c[2], 0.0f, 1.0f);
            const float q = c[0] * l + c[1];
            const float ys = l + params.smoothing * m * (q - l);
            const float y1 = ys + params.tone * m * (0.25f * (c[3] - ys) + 0.1f * (1.0f - ys));
            const float y2 = y1 + params.sharpen * (1.0f - m) * (l - base);
            const float delta = (y2 - l) * 255.0f;
            uint8_t* px = image.row(y) + size_t(x) * 4;
            for (int k = 0; k < 3; ++k)
                px[k] = uint8_t(std::lround(std::clamp(float(px[k]) + delta, 0.0f, 255.0f)));
        }
}

std::vector<float> BeautySkinMask(const RgbaImage& image, const BeautyParams& params,
                                  std::span<const analysis::FaceBox> faces, uint32_t cell) {
    const Planes planes = computeGrid(image, params, faces, cell);
    std::vector<float> mask(size_t(image.width) * image.height);
    for (uint32_t y = 0; y < image.height; ++y)
        for (uint32_t x = 0; x < image.width; ++x)
            mask[size_t(y) * image.width + x] = std::clamp(sampleGrid(planes, x, y)[2], 0.0f, 1.0f);
    return mask;
}

} // namespace rearview::cpu
