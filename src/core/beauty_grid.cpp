// SPDX-License-Identifier: MIT
#include "core/beauty_grid.hpp"

#include <algorithm>
#include <cmath>

namespace rearview {

BeautyGrid::CellRange BeautyGrid::cellsOf(const analysis::FaceBox& box) const {
    // Cell i's centre, cell i + cell / 2, lies in [lo, hi) for i >= (lo - cell / 2) / cell.
    auto first = [c = cell](float edge, uint32_t cells) {
        const float i = std::ceil((edge - float(c / 2)) / float(c));
        return uint32_t(std::clamp(i, 0.0f, float(cells)));
    };
    const float mx = kFaceMargin * box.width, my = kFaceMargin * box.height;
    return {first(box.x - mx, width), first(box.x + box.width + mx, width), first(box.y - my, height),
            first(box.y + box.height + my, height)};
}

uint32_t BeautyGrid::cellFor(double scale) {
    const double half = std::round(double(kCell) * scale / 2.0);
    return uint32_t(std::clamp(half, 1.0, 256.0)) * 2;
}

bool beautyUsesFaces(const BeautyParams& params, std::span<const analysis::FaceBox> faces) {
    return params.faces == FaceMode::Auto && !faces.empty();
}

} // namespace rearview
