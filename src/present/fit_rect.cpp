// SPDX-License-Identifier: MIT
#include "present/fit_rect.hpp"

#include <algorithm>

namespace rearview::present {

FitRect fitCentred(uint32_t srcWidth, uint32_t srcHeight, uint32_t dstWidth, uint32_t dstHeight) {
    FitRect r;
    if (!srcWidth || !srcHeight || !dstWidth || !dstHeight)
        return r;
    // Width-limited when dst is relatively taller than src (compare dstW/srcW <= dstH/srcH).
    if (uint64_t(dstWidth) * srcHeight <= uint64_t(dstHeight) * srcWidth) {
        r.width = dstWidth;
        r.height = uint32_t((uint64_t(srcHeight) * dstWidth + srcWidth / 2) / srcWidth);
    } else {
        r.height = dstHeight;
        r.width = uint32_t((uint64_t(srcWidth) * dstHeight + srcHeight / 2) / srcHeight);
    }
    r.width = std::clamp(r.width, 1u, dstWidth);
    r.height = std::clamp(r.height, 1u, dstHeight);
    r.x = int32_t((dstWidth - r.width) / 2);
    r.y = int32_t((dstHeight - r.height) / 2);
    return r;
}

} // namespace rearview::present
