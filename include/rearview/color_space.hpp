// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <cstdint>
#include <string_view>

namespace rearview {

/// YCbCr matrix coefficients of a frame.
enum class YcbcrMatrix : uint8_t {
    Bt601,  ///< SD video, JPEG (Kr 0.299, Kb 0.114).
    Bt709,  ///< HD video (Kr 0.2126, Kb 0.0722).
    Bt2020, ///< UHD video, non-constant luminance (Kr 0.2627, Kb 0.0593).
};

/// Quantisation range of the Y and CbCr samples.
enum class YcbcrRange : uint8_t {
    Limited, ///< Y 16-235, CbCr 16-240 (8-bit).
    Full,    ///< Y 0-255, CbCr 0-255 centred on 128.
};

/// The colour encoding needed to turn a frame's YCbCr samples into R'G'B'.
/// Cameras report it per stream; when absent rearview uses BT.601 full range
/// (libcamera's sYCC / JPEG default for still-camera sensors).
struct ColorSpace {
    YcbcrMatrix matrix = YcbcrMatrix::Bt601;
    YcbcrRange range = YcbcrRange::Full;

    friend bool operator==(const ColorSpace&, const ColorSpace&) = default;
};

/// "bt601-full", "bt709-limited", ...
REARVIEW_API std::string_view toString(YcbcrMatrix matrix) noexcept;
REARVIEW_API std::string_view toString(YcbcrRange range) noexcept;

/// The coefficients that take normalised 8-bit samples to R'G'B' in [0, 1]:
///   y' = (Y - yOffset) * yScale,  cb = (Cb - 128) * cScale,  cr = (Cr - 128) * cScale
///   R = y' + crToR * cr,  G = y' + cbToG * cb + crToG * cr,  B = y' + cbToB * cb
/// Shared by the GPU shader (as push constants) and the CPU reference so both use the
/// same exact definition.
struct YcbcrCoefficients {
    float yOffset;
    float yScale;
    float cScale;
    float crToR;
    float cbToG;
    float crToG;
    float cbToB;
};

/// Exact coefficients for a colour space (ITU-R BT.601-7 / BT.709-6 / BT.2020-2).
REARVIEW_API YcbcrCoefficients coefficientsFor(ColorSpace cs) noexcept;

} // namespace rearview
