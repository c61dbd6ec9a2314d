// SPDX-License-Identifier: MIT
// Test-only environment variables that make the library slower or poorer on purpose, so the
// benchmark gate and the report can be shown to notice (docs/benchmarks.md). Read once per
// process; unset, they change nothing.
//
//   REARVIEW_TEST_STAGE_DELAY=NAME:MS     the viewfinder's GPU stage NAME (as in stats and
//                                         traces: crop_scale, beauty, lut, ...) takes MS
//                                         milliseconds longer: each frame it runs in
//                                         finishes that much later and the stage's time
//                                         counts it
//   REARVIEW_TEST_NO_GPU_TIMESTAMPS=1     devices report no timestamp support, as a GPU
//                                         without timestamp queries does
#pragma once

#include <optional>
#include <string>

namespace rearview::test_hooks {

/// REARVIEW_TEST_STAGE_DELAY, parsed.
struct StageDelay {
    std::string stage;
    double ms = 0;
};

/// The injected stage delay; empty when unset or malformed (a malformed value is logged).
const std::optional<StageDelay>& stageDelay();
/// REARVIEW_TEST_NO_GPU_TIMESTAMPS is set to 1.
bool gpuTimestampsDisabled();

} // namespace rearview::test_hooks
