// SPDX-License-Identifier: MIT
// CPU reference of the 3D LUT colour filter: the oracle for the GPU stage's tests and the
// baseline for its benchmark.
#pragma once

#include <rearview/cube_lut.hpp>
#include <rearview/pipeline.hpp>

#include <rearview/image.hpp>

namespace rearview::cpu {

/// Applies `lut` to every pixel of `src` in double precision, blended with the input by
/// `strength` (0 = input, 1 = the LUT's output), rounded to nearest; alpha is copied.
/// Each channel value v maps to the LUT coordinate
///   clamp((v / 255 - domainMin) / (domainMax - domainMin), 0, 1) * (size - 1),
/// then the grid is interpolated as FFmpeg's vf_lut3d does (interp_trilinear /
/// interp_tetrahedral: the lower corner is floor(coordinate), the upper one clamped to the
/// last grid point). `dst` becomes src's size (it may be `src`).
void Lut3d(const RgbaImage& src, const CubeLut& lut, LutInterpolation interpolation, float strength,
           RgbaImage& dst);

} // namespace rearview::cpu
