// SPDX-License-Identifier: MIT
// CPU references for the viewfinder's crop/scale stage: the exact oracle the GPU stage is
// tested against, and the libyuv / OpenCV anchors its benchmark is set beside.
#pragma once

#include "core/crop_plan.hpp"

#include <rearview/image.hpp>

namespace rearview::cpu {

/// Fractional-coverage average of `channels`-interleaved samples over [x0,x1) x [y0,y1) of a
/// `width` x `height` plane, in double precision, into out[0 .. channels) (a footprint edge
/// a rounding error past the plane reads nothing). The area rule of every area downscale.
void areaAverage(const uint8_t* plane, uint32_t stride, uint32_t channels, uint32_t width, uint32_t height,
                 double x0, double x1, double y0, double y1, double* out);

/// Exact crop/scale/convert in double precision, following `plan`:
/// - Area: each output pixel is the fractional-coverage average of its footprint in Y, and
///   in CbCr of the same footprint halved (chroma replicated over its 2x2 luma pixels), then
///   converted with coefficientsFor(src.colorSpace) and rounded;
/// - Bilinear: Y and CbCr interpolated at the pixel's centre (chroma sited at the centre of
///   its 2x2 luma pixels), edges clamped.
/// Pixels of the panel outside the plan's region are opaque black. `dst` becomes the panel.
void CropScale(const Nv12View& src, const CropPlan& plan, RgbaImage& dst);

/// OpenCV's INTER_AREA applied to the exact full-resolution RGB conversion of the integer
/// crop [x, x+w) x [y, y+h), resized to `width` x `height`: the quality anchor.
void CropScaleOpenCvArea(const Nv12View& src, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t width,
                         uint32_t height, RgbaImage& dst);

} // namespace rearview::cpu
