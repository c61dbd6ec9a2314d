// SPDX-License-Identifier: MIT
// A pipeline file's stage list run as a chain over the working image, and switching looks
// and parameters between frames: each frame shows exactly what was applied before it
// (checked against the CPU references run in the same order; each stage may differ by 1
// code value, so a chain of three by up to 2), nothing is rebuilt or re-read.
#include "core/image_file.hpp"
#include "core/pipeline_file.hpp"
#include "cpu/finishing.hpp"
#include "cpu/lut3d.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "stages/stage_chain.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/working_image.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;

namespace {

const RgbaImage& portrait() {
    static RgbaImage image = [] {
        auto nv12 = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", 904, 572);
        if (!nv12)
            FAIL(nv12.error().describe());
        RgbaImage rgba;
        cpu::Nv12ToRgba(nv12->view(), rgba);
        return rgba;
    }();
    return image;
}

RgbaImage cpuChain(const std::vector<StageParams>& stages, uint32_t seed) {
    RgbaImage img = portrait();
    for (const StageParams& stage : stages) {
        if (const auto* lut = std::get_if<LutParams>(&stage)) {
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

RgbaImage gpuChain(const stages::StageChain& chain, uint32_t seed) {
    const RgbaImage& in = portrait();
    return test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo image) {
        REQUIRE(chain.record(cmd, image, in.width, in.height, seed));
    });
}

PipelineDescription pipeline(const char* name) {
    auto p = loadPipelineFile(std::string(REARVIEW_PIPELINES_DIR) + "/" + name);
    if (!p)
        FAIL(p.error().describe());
    return *p;
}

} // namespace

TEST_CASE("Looks switch between frames: every frame shows what was applied before it, nothing is re-read",
          "[gpu]") {
    auto chain = stages::StageChain::create(test::device());
    REQUIRE(chain);
    const PipelineDescription vivid = pipeline("vivid.yaml"), mono = pipeline("mono-film.yaml"),
                              natural = pipeline("selfie-natural.yaml");
    std::vector<std::vector<StageParams>> frames = {vivid.viewfinder, mono.viewfinder, natural.viewfinder,
                                                    mono.viewfinder, vivid.viewfinder};
    // Parameter-only changes: the mono look at half strength, then stronger grain.
    std::vector<StageParams> softer = mono.viewfinder;
    std::get<LutParams>(softer[0]).strength = 0.5f;
    std::get<GrainParams>(softer[2]).amount = 0.6f;
    frames.push_back(softer);

    uint32_t seed = 100;
    uint64_t uploadsAfterFirstRound = 0;
    for (size_t f = 0; f < frames.size(); ++f, ++seed) {
        REQUIRE(chain->apply(frames[f]));
        if (f == 2)
            uploadsAfterFirstRound = chain->lutUploads();
        const RgbaImage actual = gpuChain(*chain, seed);
        const RgbaImage expected = cpuChain(frames[f], seed);
        const test::Difference d = test::compare(actual, expected);
        INFO("frame " << f << ": " << d.describe());
        if (d.maxAbs > 2)
            test::writeFailureImages("stage_chain.frame" + std::to_string(f), actual, expected);
        CHECK(d.maxAbs <= 2);
    }
    CHECK(uploadsAfterFirstRound == 3);        // vivid, mono, natural
    CHECK(chain->lutUploads() == 3);           // switching back and parameter changes read nothing
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("A chain that cannot be applied leaves the current one running", "[gpu]") {
    auto chain = stages::StageChain::create(test::device());
    REQUIRE(chain);
    const PipelineDescription vivid = pipeline("vivid.yaml");
    REQUIRE(chain->apply(vivid.viewfinder));

    auto missing = chain->apply({LutParams{"/nonexistent/look.cube", LutInterpolation::Tetrahedral, 1.0f}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("/nonexistent/look.cube") != std::string::npos);
    auto outOfRange = chain->apply({VignetteParams{2.0f, 0.5f, 0.5f}});
    REQUIRE_FALSE(outOfRange);
    CHECK(outOfRange.error().message == "vignette: amount = 2 is outside the allowed range 0..1");

    CHECK(chain->stages().size() == vivid.viewfinder.size());
    const test::Difference d = test::compare(gpuChain(*chain, 1), cpuChain(vivid.viewfinder, 1));
    INFO(d.describe());
    CHECK(d.maxAbs <= 1);

    REQUIRE(chain->apply({}));
    CHECK(gpuChain(*chain, 1).pixels == portrait().pixels); // an empty chain leaves the image alone
    REQUIRE_NO_VALIDATION_MESSAGES();
}
