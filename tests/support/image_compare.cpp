// SPDX-License-Identifier: MIT
#include "image_compare.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <format>

namespace rearview::test {

std::string Difference::describe() const {
    return std::format("max abs diff {} at ({}, {}) channel {}", maxAbs, x, y, channel);
}

Difference compare(const RgbaImage& a, const RgbaImage& e) {
    Difference d;
    for (uint32_t y = 0; y < a.height; ++y)
        for (uint32_t x = 0; x < a.width * 4; ++x) {
            int v = std::abs(int(a.row(y)[x]) - int(e.row(y)[x]));
            if (v > d.maxAbs)
                d = {v, x / 4, y, x % 4};
        }
    return d;
}

namespace {
void writePng(const std::string& path, const RgbaImage& img) {
    cv::Mat rgba(int(img.height), int(img.width), CV_8UC4, const_cast<uint8_t*>(img.pixels.data()));
    cv::Mat bgra;
    cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
    cv::imwrite(path, bgra);
}
} // namespace

void writeFailureImages(const std::string& name, const RgbaImage& actual, const RgbaImage& expected) {
    RgbaImage diff(actual.width, actual.height);
    for (size_t i = 0; i < diff.pixels.size(); ++i)
        diff.pixels[i] = (i % 4 == 3) ? 255
                                      : uint8_t(std::min(255, 32 * std::abs(int(actual.pixels[i]) - int(expected.pixels[i]))));
    writePng(name + ".actual.png", actual);
    writePng(name + ".expected.png", expected);
    writePng(name + ".diff.png", diff);
}

} // namespace rearview::test
