// SPDX-License-Identifier: MIT
// The parameters of every stage a pipeline file can list, with their ranges. The GPU stages
// take these structs; the pipeline-file loader fills them. One definition of each range.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace rearview {

struct CubeLut;

/// Whether beauty weights its skin mask by detected faces.
enum class FaceMode : uint8_t { Auto, Off };

/// Face-aware skin smoothing. All zero is a bit-exact pass-through.
struct BeautyParams {
    float smoothing = 0.5f; ///< 0..1, edge-preserving smoothing inside the skin mask
    float tone = 0.3f;      ///< 0..1, skin brightening and evening
    float sharpen = 0.2f;   ///< 0..1, detail restore outside skin
    FaceMode faces = FaceMode::Auto;
};

/// How a 3D LUT is interpolated between its lattice points.
enum class LutInterpolation : uint8_t { Trilinear, Tetrahedral };

/// A colour look from a `.cube` 3D LUT file.
struct LutParams {
    std::string file; ///< the .cube file (resolved against the pipeline file's directory)
    LutInterpolation interpolation = LutInterpolation::Tetrahedral;
    float strength = 1.0f; ///< 0..1, blend with the input
    /// The file's contents, read and checked when the pipeline was prepared
    /// (preparePipeline()), so the frame thread never reads or parses it; null: read at apply.
    std::shared_ptr<const CubeLut> cube;
};

/// Darkens towards the corners: colour times 1 - amount * smoothstep(radius, radius +
/// feather, r), r the distance from the panel centre in half-diagonals (1 at the corners).
struct VignetteParams {
    float amount = 0.3f;  ///< 0..1; 0 leaves the image unchanged
    float radius = 0.6f;  ///< 0..1.5, where darkening starts
    float feather = 0.5f; ///< 0.01..1.5, how far it takes to reach full strength
};

/// Monochrome grain: one uniform random value per size x size cell, different every frame
/// (seed), added to all channels and strongest in the midtones.
struct GrainParams {
    float amount = 0.2f; ///< 0..1; 0 leaves the image unchanged
    uint32_t size = 1;   ///< cell size in pixels, 1..8
};

/// One stage of a pipeline with its parameters.
using StageParams = std::variant<BeautyParams, LutParams, VignetteParams, GrainParams>;

/// The name a pipeline file uses for the stage ("beauty", "lut", "vignette", "grain").
std::string_view stageName(const StageParams& stage);

/// Range checks; the error names the stage, the parameter, its value and the allowed range.
Result<void> validate(const BeautyParams& params);
Result<void> validate(const LutParams& params);
Result<void> validate(const VignetteParams& params);
Result<void> validate(const GrainParams& params);
Result<void> validate(const StageParams& stage);

std::string_view toString(FaceMode mode) noexcept;
std::string_view toString(LutInterpolation interpolation) noexcept;

} // namespace rearview
