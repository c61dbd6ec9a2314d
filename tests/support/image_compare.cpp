// SPDX-License-Identifier: MIT
#include "image_compare.hpp"

#include "core/snapshot.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cmath>

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

double psnr(const RgbaImage& a, const RgbaImage& b) {
    double se = 0;
    size_t n = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i) {
        if (i % 4 == 3)
            continue;
        const double d = double(a.pixels[i]) - double(b.pixels[i]);
        se += d * d;
        ++n;
    }
    return se == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 * double(n) / se);
}

void writeFailureImages(const std::string& name, const RgbaImage& actual, const RgbaImage& expected) {
    RgbaImage diff(actual.width, actual.height);
    for (size_t i = 0; i < diff.pixels.size(); ++i)
        diff.pixels[i] = (i % 4 == 3) ? 255
                                      : uint8_t(std::min(255, 32 * std::abs(int(actual.pixels[i]) - int(expected.pixels[i]))));
    for (auto [suffix, image] : {std::pair{".actual.png", &actual}, {".expected.png", &expected}, {".diff.png", &diff}})
        if (auto r = writePng(*image, name + suffix); !r)
            WARN(r.error().describe());
}

} // namespace rearview::test
