// SPDX-License-Identifier: MIT
#include "core/beauty_grid.hpp"

#include <algorithm>
#include <cmath>

namespace rearview {

BeautyGrid::CellRange BeautyGrid::cellsOf(const analysis::FaceBox& box) const {
    // Cell i's centre, 4i + 2, lies in [lo, hi) for i >= (lo - 2) / 4.
    auto first = [](float edge, uint32_t cells) {
        const float i = std::ceil((edge - float(kCell / 2)) / float(kCell));
        return uint32_t(std::clamp(i, 0.0f, float(cells)));
    };
    const float mx = kFaceMargin * box.width, my = kFaceMargin * box.height;
    return {first(box.x - mx, width), first(box.x + box.width + mx, width), first(box.y - my, height),
            first(box.y + box.height + my, height)};
}

bool beautyUsesFaces(const BeautyParams& params, std::span<const analysis::FaceBox> faces) {
    return params.faces == FaceMode::Auto && !faces.empty();
}

} // namespace rearview
