// SPDX-License-Identifier: MIT
// CPU reference of the beauty stage (stages/beauty.hpp), in float, in the same order of
// operations as the shaders. The algorithm's grid and constants, which the stage shares,
// are core/beauty_grid.hpp's.
//
// The algorithm, on the working image (values below in [0, 1] unless noted):
//  1. reduce: the image is averaged over c x c blocks (c = 4 on the panel, scaled with the
//     image for a photo: BeautyGrid::cellFor()) into a low-resolution grid (cell (i, j) covers
//     pixels ci..ci+c-1, clamped at the right and bottom edges), as luma Y and
//     chroma Cb, Cr (BT.601 full range).
//  2. coefficients, per cell: a self-guided filter of luma (He et al., the "fast guided
//     filter" on the subsampled grid) over a 5x5-cell window (clamped at the borders):
//     a = var / (var + eps), b = mean (1 - a), with eps growing with `smoothing`; and the skin
//     mask: a soft YCbCr skin-colour box (Cb 77..127, Cr 133..173, not too dark) times a gain,
//     kFaceGain inside a detected face and kBackgroundGain elsewhere when faces are known.
//  3. smooth: the 5x5-cell box mean of (a, b, mask, mean), which makes the filter's output
//     and the mask vary smoothly.
//  4. apply, per pixel: (a, b, mask, mean) sampled bilinearly from the grid;
//     q = a Y + b is the edge-preserving smoothed luma; the output luma is
//     Y + smoothing mask (q - Y), then tone pulls it towards the local mean and brightens it
//     (inside the mask), then an unsharp mask (a 5-tap cross blur) restores detail outside
//     it; the luma change is added to R, G and B alike, so chroma is preserved.
// All-zero parameters copy the image unchanged.
#pragma once

#include "analysis/face_box.hpp"
#include "core/beauty_grid.hpp"

#include <rearview/pipeline.hpp>

#include <rearview/image.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace rearview::cpu {

/// Applies the beauty stage to `image` with `faces` (panel coordinates; at most
/// BeautyGrid::kMaxFaces are used).
void Beauty(RgbaImage& image, const BeautyParams& params, std::span<const analysis::FaceBox> faces,
            uint32_t cell = BeautyGrid::kCell);

/// The skin mask (0..1 per pixel, row-major) the stage uses for `image`: the one step 4
/// samples. For tests and tuning.
std::vector<float> BeautySkinMask(const RgbaImage& image, const BeautyParams& params,
                                  std::span<const analysis::FaceBox> faces, uint32_t cell = BeautyGrid::kCell);

} // namespace rearview::cpu
