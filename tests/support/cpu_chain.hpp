// SPDX-License-Identifier: MIT
// A stage list run by the CPU references, in order: the oracle for StageChain and the
// viewfinder pass.
#pragma once

#include "analysis/face_box.hpp"
#include <rearview/cube_lut.hpp>
#include "core/pipeline_file.hpp"
#include <rearview/pipeline.hpp>
#include "cpu/beauty.hpp"
#include "cpu/finishing.hpp"
#include "cpu/lut3d.hpp"

#include <catch2/catch_test_macros.hpp>

#include <span>
#include <string>
#include <vector>

namespace rearview::test {

/// Where the face detector finds the astronaut's face in the 904x572 portrait.
inline constexpr analysis::FaceBox kPortraitFace{300, 0, 196, 134};

/// A pipeline file shipped in pipelines/.
inline Pipeline shippedPipeline(const char* name) {
    auto p = loadPipeline(std::string(REARVIEW_PIPELINES_DIR) + "/" + name);
    if (!p)
        FAIL(p.error().describe());
    return *p;
}

inline RgbaImage cpuChain(RgbaImage img, const std::vector<StageParams>& stages, uint32_t seed,
                          std::span<const analysis::FaceBox> faces) {
    for (const StageParams& stage : stages) {
        if (const auto* b = std::get_if<BeautyParams>(&stage)) {
            cpu::Beauty(img, *b, faces);
        } else if (const auto* lut = std::get_if<LutParams>(&stage)) {
            auto cube = CubeLut::load(lut->file);
            REQUIRE(cube);
            cpu::Lut3d(img, *cube, lut->interpolation, lut->strength, img);
        } else if (const auto* v = std::get_if<VignetteParams>(&stage)) {
            cpu::Vignette(img, *v);
        } else if (const auto* g = std::get_if<GrainParams>(&stage)) {
            cpu::Grain(img, *g, seed);
        }
    }
    return img;
}

} // namespace rearview::test
