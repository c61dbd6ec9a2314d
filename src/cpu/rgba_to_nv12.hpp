// SPDX-License-Identifier: MIT
// CPU reference for the record branch's RGBA -> NV12 conversion, and the encoding
// coefficients the GPU stage takes as push constants (one definition for both).
#pragma once

#include <rearview/color_space.hpp>
#include <rearview/image.hpp>

namespace rearview::cpu {

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

/// Exact RGBA -> NV12 in double precision in `dst`'s colour space (dst's size must be the
/// image's, both even): Y per pixel, Cb and Cr from the mean R'G'B' of each 2x2 block,
/// rounded to nearest and clamped to 0..255. Alpha is ignored.
void RgbaToNv12(const RgbaImage& src, Nv12Image& dst);

} // namespace rearview::cpu
