// SPDX-License-Identifier: MIT
// CPU reference of the presentation blit (present/blit.hpp, shaders/present/present_to_*.comp).
#pragma once

#include <rearview/image.hpp>

#include <cstdint>

namespace rearview::cpu {

/// The blit on the CPU: `src` fitted into a dstWidth x dstHeight RGBA image
/// (present::fitCentred(); bilinear with pixel centres, so the panel-size case is an exact
/// copy; bars and alpha are 0,0,0,255). An empty `src` gives an all-black image (the
/// presenter before the first frame).
RgbaImage Blit(const RgbaImage& src, uint32_t dstWidth, uint32_t dstHeight);

} // namespace rearview::cpu
