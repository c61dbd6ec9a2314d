// SPDX-License-Identifier: MIT
// Declarative pipelines (pipelines/*.yaml): which stages run on the viewfinder and on the
// recording, with their parameters.
//
//   version: 1
//   viewfinder:
//     - beauty: {smoothing: 0.6, faces: auto}
//     - lut: {file: luts/warm.cube, strength: 0.8}
//   record:
//     - lut: {file: luts/warm.cube}
//
// Each list item is a one-key map from the stage's name to its parameters (omitted ones keep
// their defaults, see core/stage_params.hpp). Unknown keys, stages and values are errors
// that carry file:line:column, the key and the allowed values. Relative LUT paths resolve
// against the pipeline file's directory and may not leave it.
#pragma once

#include "core/stage_params.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace rearview {

/// The most stages one list (viewfinder: or record:) of a pipeline file may hold. Each stage
/// is a full-image pass on every frame; far more than a look needs would only make every frame
/// miss its refresh, and a list of thousands makes the GPU work time out.
inline constexpr size_t kMaxPipelineStages = 16;

/// A loaded pipeline file.
struct PipelineDescription {
    std::string source;                  ///< the file it came from (or the name given to parsePipeline)
    uint32_t version = 1;
    std::vector<StageParams> viewfinder; ///< in order, after crop/scale
    std::vector<StageParams> record;     ///< the recording branch's own stages
};

/// Reads and checks a pipeline file. Errors: NotFound / Io for the file, Parse for its
/// content (file:line:column: what, and what is allowed), NotFound for a missing LUT.
Result<PipelineDescription> loadPipelineFile(const std::filesystem::path& path);

/// Reads and checks every LUT file the pipeline names (both lists), keeping each one's
/// contents in its LutParams::cube, so the pipeline is accepted only once it can run: a
/// missing or malformed .cube is an error naming the file (and line) here, on the caller's
/// thread, never a warning from the frame thread later.
Result<void> preparePipeline(PipelineDescription& pipeline);

/// The same from text; `source` names it in errors and `baseDir` is where LUT paths resolve.
Result<PipelineDescription> parsePipeline(const std::string& text, const std::string& source,
                                          const std::filesystem::path& baseDir);

} // namespace rearview
