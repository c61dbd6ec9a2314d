// SPDX-License-Identifier: MIT
#include "cpu/crop_scale.hpp"

#include "cpu/nv12_to_rgba.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>

namespace rearview::cpu {
namespace {

/// Overlap of sample [c, c+1) with [lo, hi).
double coverage(double c, double lo, double hi) { return std::max(0.0, std::min(c + 1, hi) - std::max(c, lo)); }

} // namespace

void areaAverage(const uint8_t* plane, uint32_t stride, uint32_t channels, uint32_t width, uint32_t height,
                 double x0, double x1, double y0, double y1, double* out) {
    const auto ri0 = uint32_t(std::floor(y0)), ri1 = std::min(height, uint32_t(std::ceil(y1)));
    const auto ci0 = uint32_t(std::floor(x0)), ci1 = std::min(width, uint32_t(std::ceil(x1)));
    for (uint32_t ch = 0; ch < channels; ++ch)
        out[ch] = 0;
    for (uint32_t r = ri0; r < ri1; ++r) {
        const double wr = coverage(r, y0, y1);
        const uint8_t* row = plane + size_t(r) * stride;
        for (uint32_t c = ci0; c < ci1; ++c) {
            const double w = wr * coverage(c, x0, x1);
            for (uint32_t ch = 0; ch < channels; ++ch)
                out[ch] += w * row[c * channels + ch];
        }
    }
    const double area = (x1 - x0) * (y1 - y0);
    for (uint32_t ch = 0; ch < channels; ++ch)
        out[ch] /= area;
}

namespace {

/// Bilinear sample of channel `ch` at pixel-centre coordinates (x, y), clamped to the plane.
double bilinear(const uint8_t* plane, uint32_t stride, uint32_t channels, uint32_t ch, uint32_t w, uint32_t h,
                double x, double y) {
    x = std::clamp(x, 0.0, double(w - 1));
    y = std::clamp(y, 0.0, double(h - 1));
    const auto x0 = uint32_t(x), y0 = uint32_t(y);
    const uint32_t x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const double fx = x - x0, fy = y - y0;
    auto at = [&](uint32_t xx, uint32_t yy) { return double(plane[size_t(yy) * stride + xx * channels + ch]); };
    return (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
}

uint8_t toByte(double v) { return uint8_t(std::lround(std::clamp(v, 0.0, 1.0) * 255.0)); }

} // namespace

void CropScale(const Nv12View& src, const CropPlan& plan, RgbaImage& dst) {
    dst = RgbaImage(plan.panelWidth, plan.panelHeight);
    const YcbcrCoefficients k = coefficientsFor(src.colorSpace);
    for (uint32_t j = 0; j < plan.outHeight; ++j) {
        for (uint32_t i = 0; i < plan.outWidth; ++i) {
            uint8_t* px = dst.row(uint32_t(plan.map.y(i, j))) + size_t(plan.map.x(i, j)) * 4;
            px[3] = 255;
            const uint32_t ri = i - plan.regionX, rj = j - plan.regionY; // wrap when outside
            if (ri >= plan.regionWidth || rj >= plan.regionHeight) {
                px[0] = px[1] = px[2] = 0;
                continue;
            }
            const double x0 = plan.cropX + ri * plan.scaleX, x1 = x0 + plan.scaleX;
            const double y0 = plan.cropY + rj * plan.scaleY, y1 = y0 + plan.scaleY;
            double Y = 0, c[2] = {0, 0};
            if (plan.sampling == Sampling::Area) {
                areaAverage(src.y, src.yStride, 1, src.width, src.height, x0, x1, y0, y1, &Y);
                areaAverage(src.uv, src.uvStride, 2, src.chromaWidth(), src.chromaHeight(), x0 / 2, x1 / 2, y0 / 2,
                            y1 / 2, c);
            } else {
                const double x = (x0 + x1) / 2 - 0.5, y = (y0 + y1) / 2 - 0.5;
                Y = bilinear(src.y, src.yStride, 1, 0, src.width, src.height, x, y);
                for (uint32_t ch = 0; ch < 2; ++ch)
                    c[ch] = bilinear(src.uv, src.uvStride, 2, ch, src.chromaWidth(), src.chromaHeight(), (x - 0.5) / 2,
                                     (y - 0.5) / 2);
            }
            const double l = (Y - k.yOffset) * k.yScale;
            const double cb = (c[0] - 128.0) * k.cScale, cr = (c[1] - 128.0) * k.cScale;
            px[0] = toByte(l + k.crToR * cr);
            px[1] = toByte(l + k.cbToG * cb + k.crToG * cr);
            px[2] = toByte(l + k.cbToB * cb);
        }
    }
}

void CropScaleOpenCvArea(const Nv12View& src, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t width,
                         uint32_t height, RgbaImage& dst) {
    RgbaImage full;
    Nv12ToRgba(src, full);
    const cv::Mat fullMat(int(full.height), int(full.width), CV_8UC4, full.pixels.data());
    dst = RgbaImage(width, height);
    cv::Mat out(int(height), int(width), CV_8UC4, dst.pixels.data());
    cv::resize(fullMat(cv::Rect(int(x), int(y), int(w), int(h))), out, out.size(), 0, 0, cv::INTER_AREA);
}

} // namespace rearview::cpu
