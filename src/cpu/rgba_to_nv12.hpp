// SPDX-License-Identifier: MIT
// CPU reference for the record branch's RGBA -> NV12 conversion, with the encoding
// coefficients the GPU stage takes (core/ycbcr_encoding.hpp).
#pragma once

#include "core/ycbcr_encoding.hpp"

#include <rearview/color_space.hpp>
#include <rearview/image.hpp>

namespace rearview::cpu {

/// Exact RGBA -> NV12 in double precision in `dst`'s colour space (dst's size must be the
/// image's, both even): Y per pixel, Cb and Cr from the mean R'G'B' of each 2x2 block,
/// rounded to nearest and clamped to 0..255. Alpha is ignored.
void RgbaToNv12(const RgbaImage& src, Nv12Image& dst);

} // namespace rearview::cpu
