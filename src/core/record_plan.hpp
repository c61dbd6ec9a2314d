// SPDX-License-Identifier: MIT
// The record branch's geometry: which rectangle of the sensor frame becomes the recorded
// NV12 frame, and at what scale. Shared by the GPU stage (src/stages/record_scale.*) and its
// CPU reference (src/cpu/record_scale.*), so the two can only differ in arithmetic.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>

namespace rearview {

/// A rectangle in sensor pixels with fractional edges: [x, x + width) x [y, y + height).
struct CropRect {
    double x = 0, y = 0, width = 0, height = 0;
};

/// Everything the record branch's scale pass needs. Output pixel (i, j) of the Y plane
/// averages the sensor footprint [crop.x + i*scaleX, +scaleX) x [crop.y + j*scaleY, +scaleY)
/// (i counted from the right when mirrored); output CbCr sample (i, j) averages the same
/// rule in chroma coordinates: [crop.x/2 + i*scaleX, +scaleX) x [crop.y/2 + j*scaleY, +scaleY).
struct RecordPlan {
    uint32_t outWidth = 0, outHeight = 0; ///< even
    CropRect crop;
    double scaleX = 0, scaleY = 0; ///< sensor pixels per output pixel, >= 1
    bool mirror = false;           ///< horizontal flip (off for recording by default)
};

/// Largest downscale factor record_scale accepts (its vertical sums are 16-bit per byte).
inline constexpr double kMaxRecordDownscale = 200.0;

/// The largest centred crop of a `frameWidth` x `frameHeight` frame with the output's aspect
/// (8160x4590 of 8160x6120 for a 16:9 output).
CropRect centredCrop(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight);

/// Plans `crop` of the frame onto an `outWidth` x `outHeight` NV12 output. Fails, saying
/// which value is wrong, for an empty or odd output size, a crop that is empty or not inside
/// the frame, an upscale (the crop smaller than the output in either direction) or a
/// downscale beyond kMaxRecordDownscale.
Result<RecordPlan> planRecord(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight,
                              const CropRect& crop, bool mirror = false);

/// planRecord() of the centred crop.
Result<RecordPlan> planRecord(uint32_t frameWidth, uint32_t frameHeight, uint32_t outWidth, uint32_t outHeight,
                              bool mirror = false);

} // namespace rearview
