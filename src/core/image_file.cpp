// SPDX-License-Identifier: MIT
#include "core/image_file.hpp"

#include <libyuv/convert_from_argb.h>
#include <libyuv/planar_functions.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <format>
#include <fstream>

namespace rearview {
namespace {

uint8_t clampByte(double v) { return uint8_t(std::clamp(std::lround(v), 0l, 255l)); }

// BGR (OpenCV's order) to NV12 by the inverse of coefficientsFor(): the same definition the
// NV12 -> RGBA oracle and shader use, so a round trip is exact up to rounding and chroma
// subsampling.
void bgrToNv12Exact(const cv::Mat& bgr, Nv12Image& dst) {
    const YcbcrCoefficients c = coefficientsFor(dst.colorSpace());
    const double kr = 1.0 - c.crToR / 2.0, kb = 1.0 - c.cbToB / 2.0, kg = 1.0 - kr - kb;
    const uint32_t w = dst.width(), h = dst.height();
    auto luma = [&](double r, double g, double b) { return kr * r + kg * g + kb * b; };
    for (uint32_t y = 0; y < h; ++y) {
        const uint8_t* src = bgr.ptr<uint8_t>(int(y));
        uint8_t* out = dst.yPlane() + size_t(y) * dst.stride();
        for (uint32_t x = 0; x < w; ++x)
            out[x] = clampByte(c.yOffset + luma(src[3 * x + 2], src[3 * x + 1], src[3 * x]) / 255.0 / c.yScale);
    }
    for (uint32_t cy = 0; cy < (h + 1) / 2; ++cy) {
        uint8_t* out = dst.uvPlane() + size_t(cy) * dst.stride();
        const uint32_t y0 = 2 * cy, y1 = std::min(2 * cy + 1, h - 1);
        for (uint32_t cx = 0; cx < (w + 1) / 2; ++cx) {
            const uint32_t x0 = 2 * cx, x1 = std::min(2 * cx + 1, w - 1);
            double sum[3] = {0, 0, 0}; // B, G, R
            for (uint32_t yy : {y0, y1})
                for (uint32_t xx : {x0, x1})
                    for (int ch = 0; ch < 3; ++ch)
                        sum[ch] += bgr.ptr<uint8_t>(int(yy))[3 * xx + ch];
            const double b = sum[0] / (4 * 255.0), g = sum[1] / (4 * 255.0), r = sum[2] / (4 * 255.0);
            const double yl = luma(r, g, b);
            out[2 * cx] = clampByte(128.0 + (b - yl) / (1.0 - kb) / 2.0 / c.cScale);
            out[2 * cx + 1] = clampByte(128.0 + (r - yl) / (1.0 - kr) / 2.0 / c.cScale);
        }
    }
}

// libyuv's fixed-point encoders exist only for BT.601 (limited: "I", full: "J").
void bgrToNv12Libyuv(const cv::Mat& bgr, Nv12Image& dst) {
    cv::Mat argb; // libyuv's ARGB is B, G, R, A in memory: OpenCV's BGRA
    cv::cvtColor(bgr, argb, cv::COLOR_BGR2BGRA);
    const int w = int(dst.width()), h = int(dst.height()), stride = int(dst.stride());
    if (dst.colorSpace().range == YcbcrRange::Limited) {
        libyuv::ARGBToNV12(argb.data, int(argb.step), dst.yPlane(), stride, dst.uvPlane(), stride, w, h);
        return;
    }
    const int cw = (w + 1) / 2, ch = (h + 1) / 2;
    std::vector<uint8_t> u(size_t(cw) * ch), v(size_t(cw) * ch);
    libyuv::ARGBToJ420(argb.data, int(argb.step), dst.yPlane(), stride, u.data(), cw, v.data(), cw, w, h);
    libyuv::MergeUVPlane(u.data(), cw, v.data(), cw, dst.uvPlane(), stride, cw, ch);
}

} // namespace

Result<Nv12Image> readImageNv12(const std::string& path, uint32_t width, uint32_t height, uint32_t stride,
                                ColorSpace colorSpace) {
    if (width == 0 || height == 0)
        return fail(ErrorCode::InvalidArgument,
                    std::format("cannot make a {}x{} frame from image '{}': the size must be non-zero", width, height,
                                path));
    const uint32_t rowBytes = (width + 1) & ~1u;
    if (stride != 0 && stride < rowBytes)
        return fail(ErrorCode::InvalidArgument,
                    std::format("stride {} is less than a row of a {}-pixel-wide NV12 frame ({} bytes)", stride, width,
                                rowBytes));
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return fail(ErrorCode::NotFound, std::format("image file '{}' does not exist or is not a regular file", path));
    if (std::ifstream probe(path, std::ios::binary); !probe)
        return fail(ErrorCode::Io, std::format("cannot read image file '{}': {}", path, std::strerror(errno)));

    cv::Mat image;
    try {
        image = cv::imread(path, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Parse, std::format("cannot decode image file '{}': {}", path, e.what()));
    }
    if (image.empty())
        return fail(ErrorCode::Parse,
                    std::format("cannot decode image file '{}': not a PNG, JPEG or other format OpenCV reads", path));

    // The largest centred window with the frame's aspect ratio ("cover"), then one resize.
    const double frameAspect = double(width) / height;
    int roiW = image.cols, roiH = image.rows;
    if (double(roiW) / roiH > frameAspect)
        roiW = std::max(1, int(std::lround(roiH * frameAspect)));
    else
        roiH = std::max(1, int(std::lround(roiW / frameAspect)));
    const cv::Mat window = image(cv::Rect((image.cols - roiW) / 2, (image.rows - roiH) / 2, roiW, roiH));
    const bool shrinking = uint32_t(roiW) >= width && uint32_t(roiH) >= height;
    cv::Mat scaled;
    cv::resize(window, scaled, cv::Size(int(width), int(height)), 0, 0,
               shrinking ? cv::INTER_AREA : cv::INTER_LINEAR);

    Nv12Image out(width, height, stride, colorSpace);
    if (colorSpace.matrix == YcbcrMatrix::Bt601)
        bgrToNv12Libyuv(scaled, out);
    else
        bgrToNv12Exact(scaled, out);
    return out;
}

} // namespace rearview
