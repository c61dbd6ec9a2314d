// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/image.hpp>

#include <string>

namespace rearview::test {

/// Largest per-channel absolute difference between two RGBA images of the same size, and
/// where it is.
struct Difference {
    int maxAbs = 0;
    uint32_t x = 0, y = 0, channel = 0;
    std::string describe() const;
};
Difference compare(const RgbaImage& actual, const RgbaImage& expected);

/// Peak signal-to-noise ratio over R, G and B in dB (99 for identical images).
double psnr(const RgbaImage& a, const RgbaImage& b);

/// Writes <name>.actual.png, <name>.expected.png and <name>.diff.png (|a - e| * 32) into the
/// test's working directory, next to CTest's log, for a failing image comparison.
void writeFailureImages(const std::string& name, const RgbaImage& actual, const RgbaImage& expected);

} // namespace rearview::test
