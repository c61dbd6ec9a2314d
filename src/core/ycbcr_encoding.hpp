// SPDX-License-Identifier: MIT
// The RGB -> YCbCr encoding coefficients of a colour space: what the GPU's RGBA -> NV12
// conversion takes as push constants and its CPU reference uses (one definition for both).
#pragma once

#include <rearview/color_space.hpp>

namespace rearview {

/// The inverse of coefficientsFor(): R'G'B' in [0, 1] to 8-bit YCbCr code values,
///   y' = kr*R + kg*G + kb*B,  Y = yOffset + yScale * y',
///   Cb = 128 + cbScale * (B - y'),  Cr = 128 + crScale * (R - y').
/// Same order as shaders/common/ycbcr.glsl's YcbcrEncoding.
struct YcbcrEncoding {
    float kr, kg, kb;
    float yOffset, yScale;
    float cbScale, crScale;
};

/// Derived from coefficientsFor(cs), so a round trip through Nv12ToRgba is exact up to
/// rounding and chroma subsampling.
YcbcrEncoding encodingFor(ColorSpace cs) noexcept;

} // namespace rearview
