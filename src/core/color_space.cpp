// SPDX-License-Identifier: MIT
#include <rearview/color_space.hpp>

namespace rearview {

std::string_view toString(YcbcrMatrix matrix) noexcept {
    switch (matrix) {
    case YcbcrMatrix::Bt601: return "bt601";
    case YcbcrMatrix::Bt709: return "bt709";
    case YcbcrMatrix::Bt2020: return "bt2020";
    }
    return "?";
}

std::string_view toString(YcbcrRange range) noexcept { return range == YcbcrRange::Full ? "full" : "limited"; }

YcbcrCoefficients coefficientsFor(ColorSpace cs) noexcept {
    double kr = 0.299, kb = 0.114; // BT.601
    if (cs.matrix == YcbcrMatrix::Bt709) {
        kr = 0.2126;
        kb = 0.0722;
    } else if (cs.matrix == YcbcrMatrix::Bt2020) {
        kr = 0.2627;
        kb = 0.0593;
    }
    const double kg = 1.0 - kr - kb;
    const bool full = cs.range == YcbcrRange::Full;
    return YcbcrCoefficients{
        .yOffset = full ? 0.0f : 16.0f,
        .yScale = float(full ? 1.0 / 255.0 : 1.0 / 219.0),
        .cScale = float(full ? 1.0 / 255.0 : 1.0 / 224.0),
        .crToR = float(2.0 * (1.0 - kr)),
        .cbToG = float(-2.0 * kb * (1.0 - kb) / kg),
        .crToG = float(-2.0 * kr * (1.0 - kr) / kg),
        .cbToB = float(2.0 * (1.0 - kb)),
    };
}

} // namespace rearview
