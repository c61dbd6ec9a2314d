// SPDX-License-Identifier: MIT
#include "cpu/face_thumbnail.hpp"

#include "core/thumbnail_layout.hpp"

#include <algorithm>
#include <cmath>

namespace rearview::cpu {

std::vector<uint8_t> FaceThumbnail(const RgbaImage& image) {
    const uint32_t tw = ThumbnailLayout::width(image.width), th = ThumbnailLayout::height(image.height);
    const uint32_t stride = ThumbnailLayout::strideBytes(image.width);
    auto luma = [&](uint32_t x, uint32_t y) {
        const uint8_t* p = image.row(std::min(y, image.height - 1)) + size_t(std::min(x, image.width - 1)) * 4;
        return (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
    };
    std::vector<uint8_t> grey(size_t(stride) * th);
    for (uint32_t ty = 0; ty < th; ++ty)
        for (uint32_t i = 0; i < stride; ++i) {
            const uint32_t x = std::min(i, tw - 1) * 2, y = ty * 2;
            const float mean = 0.25f * (luma(x, y) + luma(x + 1, y) + luma(x, y + 1) + luma(x + 1, y + 1));
            grey[size_t(ty) * stride + i] = uint8_t(std::lround(mean * 255.0f));
        }
    return grey;
}

} // namespace rearview::cpu
