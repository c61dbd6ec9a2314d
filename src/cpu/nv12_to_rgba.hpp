// SPDX-License-Identifier: MIT
// CPU references for NV12 -> RGBA: the oracle for the GPU stage's tests and the baseline
// for its benchmarks.
#pragma once

#include <rearview/image.hpp>

namespace rearview::cpu {

/// Exact conversion in floating point with the coefficients of coefficientsFor(), rounded
/// to nearest: the oracle the GPU stage is tested against (max abs error <= 1).
void Nv12ToRgba(const Nv12View& src, RgbaImage& dst);

/// libyuv's NV12ToARGBMatrix with the matching constants (all six matrix/range pairs),
/// reordered to RGBA. libyuv uses 6-bit fixed-point coefficients, so it differs from the
/// exact conversion by a few code values; it is the speed anchor, not the oracle.
void Nv12ToRgbaLibyuv(const Nv12View& src, RgbaImage& dst);

} // namespace rearview::cpu
