// SPDX-License-Identifier: MIT
#include "core/ycbcr_encoding.hpp"

namespace rearview {

YcbcrEncoding encodingFor(ColorSpace cs) noexcept {
    const YcbcrCoefficients c = coefficientsFor(cs);
    // crToR = 2 (1 - kr), cbToB = 2 (1 - kb): the matrix back from the decoding coefficients.
    const double kr = 1.0 - double(c.crToR) / 2.0, kb = 1.0 - double(c.cbToB) / 2.0;
    return YcbcrEncoding{
        .kr = float(kr),
        .kg = float(1.0 - kr - kb),
        .kb = float(kb),
        .yOffset = c.yOffset,
        .yScale = float(1.0 / c.yScale),
        .cbScale = float(1.0 / (double(c.cbToB) * c.cScale)),
        .crScale = float(1.0 / (double(c.crToR) * c.cScale)),
    };
}

} // namespace rearview
