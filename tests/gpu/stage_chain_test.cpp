// SPDX-License-Identifier: MIT
// A pipeline file's stage list run as a chain over the working image, and switching looks
// and parameters between frames: each frame shows exactly what was applied before it
// (checked against the CPU references run in the same order; beauty may differ by 2 code
// values and each other stage by 1, so a chain by up to 3), nothing is rebuilt or re-read.
#include "core/image_file.hpp"
#include "core/pipeline_file.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "stages/stage_chain.hpp"
#include "support/cpu_chain.hpp"
#include "support/gpu_fixture.hpp"
#include "support/portrait.hpp"
#include "support/image_compare.hpp"
#include "support/working_image.hpp"

#include <catch2/catch_test_macros.hpp>

#include <span>

using namespace rearview;

namespace {

using test::portrait;

RgbaImage gpuChain(const stages::StageChain& chain, uint32_t seed) {
    const RgbaImage& in = portrait();
    return test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo image) {
        REQUIRE(chain.record(cmd, image, image, seed));
    });
}

} // namespace

TEST_CASE("Looks switch between frames: every frame shows what was applied before it, nothing is re-read",
          "[gpu]") {
    auto chain = stages::StageChain::create(test::device(), portrait().width, portrait().height);
    REQUIRE(chain);
    chain->setFaces(std::span(&test::kPortraitFace, 1));
    const Pipeline vivid = test::shippedPipeline("vivid.yaml"), mono = test::shippedPipeline("mono-film.yaml"),
                              natural = test::shippedPipeline("selfie-natural.yaml"), beauty = test::shippedPipeline("selfie-beauty.yaml");
    std::vector<std::vector<StageParams>> frames = {vivid.viewfinder, mono.viewfinder, natural.viewfinder,
                                                    beauty.viewfinder, mono.viewfinder, vivid.viewfinder};
    // Parameter-only changes: the mono look at half strength, then stronger grain.
    std::vector<StageParams> softer = mono.viewfinder;
    std::get<LutParams>(softer[0]).strength = 0.5f;
    std::get<GrainParams>(softer[2]).amount = 0.6f;
    frames.push_back(softer);

    uint32_t seed = 100;
    uint64_t uploadsAfterFirstRound = 0;
    for (size_t f = 0; f < frames.size(); ++f, ++seed) {
        REQUIRE(chain->apply(frames[f]));
        if (f == 3)
            uploadsAfterFirstRound = chain->lutUploads();
        const RgbaImage actual = gpuChain(*chain, seed);
        const RgbaImage expected = test::cpuChain(portrait(), frames[f], seed, std::span(&test::kPortraitFace, 1));
        const test::Difference d = test::compare(actual, expected);
        INFO("frame " << f << ": " << d.describe());
        // beauty's own tolerance is 2 (see beauty.hpp), each other stage's 1
        if (d.maxAbs > 3)
            test::writeFailureImages("stage_chain.frame" + std::to_string(f), actual, expected);
        CHECK(d.maxAbs <= 3);
    }
    CHECK(uploadsAfterFirstRound == 3);        // vivid, mono, natural
    CHECK(chain->lutUploads() == 3);           // switching back and parameter changes read nothing
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("A chain that cannot be applied leaves the current one running", "[gpu]") {
    auto chain = stages::StageChain::create(test::device(), portrait().width, portrait().height);
    REQUIRE(chain);
    const Pipeline vivid = test::shippedPipeline("vivid.yaml");
    REQUIRE(chain->apply(vivid.viewfinder));

    auto missing = chain->apply({LutParams{"/nonexistent/look.cube", LutInterpolation::Tetrahedral, 1.0f}});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("/nonexistent/look.cube") != std::string::npos);
    auto outOfRange = chain->apply({VignetteParams{2.0f, 0.5f, 0.5f}});
    REQUIRE_FALSE(outOfRange);
    CHECK(outOfRange.error().message == "vignette: amount = 2 is outside the allowed range 0..1");

    CHECK(chain->stages().size() == vivid.viewfinder.size());
    const test::Difference d = test::compare(gpuChain(*chain, 1), test::cpuChain(portrait(), vivid.viewfinder, 1, {}));
    INFO(d.describe());
    CHECK(d.maxAbs <= 1);

    REQUIRE(chain->apply({}));
    CHECK(gpuChain(*chain, 1).pixels == portrait().pixels); // an empty chain leaves the image alone
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Per-pixel looks fused into one pass give what the stages one after the other give", "[gpu]") {
    auto fused = stages::StageChain::create(test::device(), portrait().width, portrait().height);
    auto separate = stages::StageChain::create(test::device(), portrait().width, portrait().height);
    REQUIRE(fused);
    REQUIRE(separate);
    separate->setFused(false);
    const Pipeline mono = test::shippedPipeline("mono-film.yaml"), vivid = test::shippedPipeline("vivid.yaml");
    const LutParams monoLut = std::get<LutParams>(mono.viewfinder[0]);
    LutParams vividTrilinear = std::get<LutParams>(vivid.viewfinder[0]);
    vividTrilinear.interpolation = LutInterpolation::Trilinear;
    vividTrilinear.strength = 0.7f;
    const VignetteParams vignette{0.4f, 0.5f, 0.7f};
    const GrainParams grain{0.3f, 2};
    const std::vector<std::vector<StageParams>> lists = {
        {monoLut, vignette, grain},            // one pass
        {grain, vividTrilinear},               // one pass, the LUT second and trilinear
        {vignette, grain, vignette},           // two passes: a kind repeats
        {monoLut, vividTrilinear, grain},      // two passes: two LUTs
        {BeautyParams{}, monoLut, vignette},   // beauty, then one pass
        {grain},                               // a pass of one
    };
    uint32_t seed = 7;
    for (const auto& list : lists) {
        REQUIRE(fused->apply(list));
        REQUIRE(separate->apply(list));
        const RgbaImage a = gpuChain(*fused, seed), b = gpuChain(*separate, seed);
        const test::Difference d = test::compare(a, b);
        INFO("list of " << list.size() << " starting with " << stageName(list[0]) << ": " << d.describe());
        CHECK(d.maxAbs == 0);
        // And against the CPU references, with the chain's tolerance.
        const test::Difference ref = test::compare(a, test::cpuChain(portrait(), list, seed, {}));
        INFO("against the references: " << ref.describe());
        CHECK(ref.maxAbs <= 3);
        ++seed;
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}
