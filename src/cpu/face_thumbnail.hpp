// SPDX-License-Identifier: MIT
// CPU reference of stages::FaceThumbnail: mean BT.601 luma of each 2x2 block, rounded.
#pragma once

#include <rearview/image.hpp>

#include <cstdint>
#include <vector>

namespace rearview::cpu {

/// Rows of ThumbnailLayout::strideBytes(image.width) bytes; padding bytes repeat the last pixel.
std::vector<uint8_t> FaceThumbnail(const RgbaImage& image);

} // namespace rearview::cpu
