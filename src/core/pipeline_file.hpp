// SPDX-License-Identifier: MIT
// The file form of a Pipeline (<rearview/pipeline.hpp>): loadPipeline(), parsePipeline() and
// formatPipeline() are defined with it in pipeline_file.cpp; this is what the viewfinder
// also needs for pipelines made in code.
#pragma once

#include <rearview/pipeline.hpp>

namespace rearview {

/// Reads and checks every LUT file the pipeline names (both lists) that it does not hold
/// yet, keeping each one's contents in its LutParams::cube, so the pipeline is accepted only
/// once it can run: a missing or malformed .cube is an error naming the file (and line) here,
/// on the caller's thread, never a warning from the frame thread later. Also validate().
Result<void> preparePipeline(Pipeline& pipeline);

} // namespace rearview
