// SPDX-License-Identifier: MIT
// A pipeline: which stages run on the panel image and on a recording, with their parameters.
// Built in code, or read from a pipeline file (pipelines/*.yaml, docs/looks.md), which is the
// file form of the same value:
//
//   version: 1
//   viewfinder:
//     - beauty: {smoothing: 0.6, faces: auto}
//     - lut: {file: luts/warm.cube, strength: 0.8}
//   record:
//     - lut: {file: luts/warm.cube}
//
// Each stage's parameters, with their defaults and ranges, are the structs below; one
// definition of each range serves files, code and the GPU stages.
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

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

/// A colour look from a 3D LUT: a `.cube` file, or a CubeLut made in code
/// (<rearview/cube_lut.hpp>).
struct LutParams {
    /// The .cube file. In a pipeline file, relative to the file's directory; in code, relative
    /// to the working directory. Empty when `cube` is a LUT made in code.
    std::string file;
    LutInterpolation interpolation = LutInterpolation::Tetrahedral;
    float strength = 1.0f; ///< 0..1, blend with the input
    /// The LUT itself. loadPipeline(), parsePipeline() and Viewfinder::setPipeline() read
    /// `file` into it on the caller's thread, so the frame thread never reads or parses a
    /// file; set it directly (and leave `file` empty) for a LUT made in code.
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
REARVIEW_API std::string_view stageName(const StageParams& stage);

/// The most stages one list (viewfinder or record) of a pipeline may hold. Each stage is a
/// full-image pass on every frame; far more than a look needs would only make every frame
/// miss its refresh, and a list of thousands makes the GPU work time out.
inline constexpr size_t kMaxPipelineStages = 16;

/// The two lists of a pipeline.
enum class PipelineList : uint8_t {
    Viewfinder, ///< the panel image, after crop/scale (and before the HUD)
    Record,     ///< a recording's frames, after its own crop/scale (no HUD, not mirrored)
};

/// The stages of the panel and of a recording. A default Pipeline is crop/scale only.
struct Pipeline {
    /// Where it came from: the file loadPipeline() read, the name given to parsePipeline(),
    /// or what the app calls it (the HUD shows its file stem); may be empty.
    std::string source;
    uint32_t version = 1;                ///< the file format's version (1)
    std::vector<StageParams> viewfinder; ///< in order, after crop/scale
    std::vector<StageParams> record;     ///< the recording's own stages, in order
};

/// Reads and checks a pipeline file and every LUT it names. Errors: InvalidArgument (a
/// directory), NotFound / Io for the file, Parse for its content (file:line:column: what,
/// and what is allowed), NotFound or Parse for a LUT file (naming it and its line).
/// Unknown keys, stages and values are errors; omitted parameters keep their defaults.
/// Relative LUT paths resolve against the file's directory and may not leave it.
REARVIEW_API Result<Pipeline> loadPipeline(const std::string& path);

/// The same from text: `source` names it in errors, and relative LUT paths resolve against
/// `baseDir` (and may not leave it).
REARVIEW_API Result<Pipeline> parsePipeline(std::string_view text, std::string_view source = "<pipeline text>",
                                            const std::string& baseDir = ".");

/// The pipeline file text of `pipeline`, which parsePipeline() reads back to the same value
/// (every parameter written, LUT files as absolute paths). Unsupported for a LUT made in
/// code (no file to name: write CubeLut::toCubeText() to one); validate()'s errors.
REARVIEW_API Result<std::string> formatPipeline(const Pipeline& pipeline);

/// Range checks; the error names the stage, the parameter, its value and the allowed range.
REARVIEW_API Result<void> validate(const BeautyParams& params);
/// Also: a file or a LUT is given, and a LUT made in code is well formed.
REARVIEW_API Result<void> validate(const LutParams& params);
REARVIEW_API Result<void> validate(const VignetteParams& params);
REARVIEW_API Result<void> validate(const GrainParams& params);
REARVIEW_API Result<void> validate(const StageParams& stage);
/// Every stage of both lists (the error names the list and the stage's place), the version,
/// and at most kMaxPipelineStages per list.
REARVIEW_API Result<void> validate(const Pipeline& pipeline);

REARVIEW_API std::string_view toString(FaceMode mode) noexcept;
REARVIEW_API std::string_view toString(LutInterpolation interpolation) noexcept;
REARVIEW_API std::string_view toString(PipelineList list) noexcept;

} // namespace rearview
