// SPDX-License-Identifier: MIT
#include "cpu/nv12_to_rgba.hpp"

#include <libyuv/convert_argb.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace rearview::cpu {
namespace {

uint8_t toByte(float v) { return uint8_t(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f)); }

} // namespace

void Nv12ToRgba(const Nv12View& src, RgbaImage& dst) {
    dst = RgbaImage(src.width, src.height);
    const YcbcrCoefficients k = coefficientsFor(src.colorSpace);
    for (uint32_t y = 0; y < src.height; ++y) {
        const uint8_t* yRow = src.y + size_t(y) * src.yStride;
        const uint8_t* uvRow = src.uv + size_t(y / 2) * src.uvStride;
        uint8_t* out = dst.row(y);
        for (uint32_t x = 0; x < src.width; ++x) {
            const float l = (float(yRow[x]) - k.yOffset) * k.yScale;
            const float cb = (float(uvRow[(x / 2) * 2]) - 128.0f) * k.cScale;
            const float cr = (float(uvRow[(x / 2) * 2 + 1]) - 128.0f) * k.cScale;
            out[x * 4 + 0] = toByte(l + k.crToR * cr);
            out[x * 4 + 1] = toByte(l + k.cbToG * cb + k.crToG * cr);
            out[x * 4 + 2] = toByte(l + k.cbToB * cb);
            out[x * 4 + 3] = 255;
        }
    }
}

void Nv12ToRgbaLibyuv(const Nv12View& src, RgbaImage& dst) {
    if (dst.width != src.width || dst.height != src.height)
        dst = RgbaImage(src.width, src.height);
    // libyuv's "ARGB" is B, G, R, A in memory; the swapped-chroma NV21 entry point with the
    // mirrored ("Yvu") constants writes R, G, B, A directly, as libyuv's own NV12ToABGR does.
    const libyuv::YuvConstants* yvu = nullptr;
    const bool full = src.colorSpace.range == YcbcrRange::Full;
    switch (src.colorSpace.matrix) {
    case YcbcrMatrix::Bt601: yvu = full ? &libyuv::kYvuJPEGConstants : &libyuv::kYvuI601Constants; break;
    case YcbcrMatrix::Bt709: yvu = full ? &libyuv::kYvuF709Constants : &libyuv::kYvuH709Constants; break;
    case YcbcrMatrix::Bt2020: yvu = full ? &libyuv::kYvuV2020Constants : &libyuv::kYvu2020Constants; break;
    }
    libyuv::NV21ToARGBMatrix(src.y, int(src.yStride), src.uv, int(src.uvStride), dst.pixels.data(),
                             int(src.width * 4), yvu, int(src.width), int(src.height));
}

} // namespace rearview::cpu
