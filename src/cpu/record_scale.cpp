// SPDX-License-Identifier: MIT
#include "cpu/record_scale.hpp"

#include "cpu/crop_scale.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace rearview::cpu {

void RecordScale(const Nv12View& src, const RecordPlan& plan, Nv12Image& dst, uint32_t rowStep) {
    assert(dst.width() == plan.outWidth && dst.height() == plan.outHeight && rowStep > 0);
    auto toByte = [](double v) { return uint8_t(std::clamp(std::lround(v), 0l, 255l)); };
    const double sx = plan.scaleX, sy = plan.scaleY;
    const uint32_t w = plan.outWidth, cw = w / 2;
    for (uint32_t j = 0; j < plan.outHeight; j += rowStep) {
        uint8_t* out = dst.yPlane() + size_t(j) * dst.stride();
        const double y0 = plan.crop.y + j * sy;
        for (uint32_t i = 0; i < w; ++i) {
            const double x0 = plan.crop.x + (plan.mirror ? w - 1 - i : i) * sx;
            double v = 0;
            areaAverage(src.y, src.yStride, 1, src.width, src.height, x0, x0 + sx, y0, y0 + sy, &v);
            out[i] = toByte(v);
        }
    }
    for (uint32_t j = 0; j < plan.outHeight / 2; j += rowStep) {
        uint8_t* out = dst.uvPlane() + size_t(j) * dst.stride();
        const double y0 = plan.crop.y / 2 + j * sy;
        for (uint32_t i = 0; i < cw; ++i) {
            const double x0 = plan.crop.x / 2 + (plan.mirror ? cw - 1 - i : i) * sx;
            double v[2] = {0, 0};
            areaAverage(src.uv, src.uvStride, 2, src.chromaWidth(), src.chromaHeight(), x0, x0 + sx, y0, y0 + sy, v);
            out[2 * i] = toByte(v[0]);
            out[2 * i + 1] = toByte(v[1]);
        }
    }
}

} // namespace rearview::cpu
