// SPDX-License-Identifier: MIT
// Turns a ViewGeometry into the numbers both the GPU stage and its CPU reference use: the
// crop rectangle in sensor pixels, the part of the panel it fills, the sampling mode and
// the rotation/mirror map. One definition, so the two can only differ in arithmetic.
#pragma once

#include <rearview/error.hpp>
#include <rearview/view_geometry.hpp>

#include <cstdint>

namespace rearview {

/// Integer affine map from oriented output coordinates (i, j) to panel coordinates:
/// x = ax*i + bx*j + cx, y = ay*i + by*j + cy. Rotation and mirror are exact permutations.
struct PanelMap {
    int32_t ax, bx, cx, ay, by, cy;
    int32_t x(uint32_t i, uint32_t j) const { return ax * int32_t(i) + bx * int32_t(j) + cx; }
    int32_t y(uint32_t i, uint32_t j) const { return ay * int32_t(i) + by * int32_t(j) + cy; }
};

/// How output pixels are computed from the crop.
enum class Sampling : uint8_t {
    Area,     ///< exact fractional-coverage box average (downscale factor >= 2)
    Bilinear, ///< zoomed in beyond that: bilinear at each output pixel's centre
};

/// Everything a crop/scale pass needs. "Oriented" output is the panel image before rotation
/// (sensor orientation): the panel's size with width and height swapped for 90/270.
struct CropPlan {
    uint32_t panelWidth = 0, panelHeight = 0;
    uint32_t outWidth = 0, outHeight = 0; ///< oriented output size
    /// Part of the oriented output the picture covers; the rest (Fit) is black.
    uint32_t regionX = 0, regionY = 0, regionWidth = 0, regionHeight = 0;
    /// Crop rectangle in sensor pixels (pixel edges: [cropX, cropX + cropWidth)).
    double cropX = 0, cropY = 0, cropWidth = 0, cropHeight = 0;
    /// Sensor pixels per output pixel.
    double scaleX = 0, scaleY = 0;
    Sampling sampling = Sampling::Area;
    PanelMap map{};
};

/// Largest downscale factor the area path accepts (its vertical sums are 16-bit per byte).
inline constexpr double kMaxDownscale = 200.0;

/// Plans the crop of a `frameWidth` x `frameHeight` frame onto a `panelWidth` x
/// `panelHeight` panel. Zoom is clamped to [1, 10] and the centre to [0, 1]; the crop stays
/// inside the frame. Fails for empty sizes or a downscale beyond kMaxDownscale.
Result<CropPlan> planCrop(uint32_t frameWidth, uint32_t frameHeight, uint32_t panelWidth, uint32_t panelHeight,
                          const ViewGeometry& geometry);

} // namespace rearview
