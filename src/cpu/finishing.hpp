// SPDX-License-Identifier: MIT
// CPU references of the finishing stages (stages/finishing.hpp): the same formulas in float,
// rounded to nearest. The GPU matches them within 1 code value.
#pragma once

#include <rearview/pipeline.hpp>

#include <rearview/image.hpp>

namespace rearview::cpu {

void Vignette(RgbaImage& image, const VignetteParams& params);
void Grain(RgbaImage& image, const GrainParams& params, uint32_t seed);

} // namespace rearview::cpu
