// SPDX-License-Identifier: MIT
// Synthetic NV12 frames for tests, benchmarks and the demo.
#pragma once

#include <rearview/image.hpp>

#include <cstdint>

namespace rearview::patterns {

/// Horizontal luma ramp, vertical Cb ramp, diagonal Cr ramp: covers every code value.
void fillRamps(Nv12Image& image);
/// Scales chroma towards neutral (96..159) so every pixel stays inside the RGB gamut, where
/// fixed-point converters such as libyuv do not saturate intermediate values.
void compressChroma(Nv12Image& image);
/// Uniform pseudo-random samples from a seed (xorshift), reproducible across runs.
void fillNoise(Nv12Image& image, uint32_t seed);
/// Circular zone plate in luma (frequency rising with radius to Nyquist at the corners),
/// neutral chroma: the classic aliasing probe for scalers.
void fillZonePlate(Nv12Image& image);

} // namespace rearview::patterns
