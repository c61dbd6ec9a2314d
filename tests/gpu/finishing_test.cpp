// SPDX-License-Identifier: MIT
// Vignette and grain on the GPU against their CPU references (max abs error <= 1 code value:
// the same float formulas, rounded half-to-even on the GPU and half-away on the CPU).
#include "core/image_file.hpp"
#include "cpu/finishing.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "stages/finishing.hpp"
#include "support/gpu_fixture.hpp"
#include "support/portrait.hpp"
#include "support/image_compare.hpp"
#include "support/working_image.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;

namespace {

using test::portrait;

void checkClose(const RgbaImage& actual, const RgbaImage& expected, const std::string& name) {
    const test::Difference d = test::compare(actual, expected);
    INFO(name << ": " << d.describe());
    if (d.maxAbs > 1)
        test::writeFailureImages("finishing." + name, actual, expected);
    CHECK(d.maxAbs <= 1);
}

double meanLuma(const RgbaImage& img, uint32_t x0, uint32_t y0, uint32_t w, uint32_t h) {
    double sum = 0;
    for (uint32_t y = y0; y < y0 + h; ++y)
        for (uint32_t x = x0; x < x0 + w; ++x)
            sum += img.row(y)[x * 4 + 1];
    return sum / (double(w) * h);
}

} // namespace

TEST_CASE("Vignette matches its reference, darkens the corners and is a pass-through at zero", "[gpu]") {
    auto stage = stages::Vignette::create(test::device());
    REQUIRE(stage);
    const RgbaImage& in = portrait();
    for (const VignetteParams& p : {VignetteParams{}, VignetteParams{1.0f, 0.0f, 1.5f},
                                            VignetteParams{0.5f, 1.2f, 0.01f}}) {
        const RgbaImage gpuOut = test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo b) {
            REQUIRE(stage->record(cmd, b, in.width, in.height, p));
        });
        RgbaImage expected = in;
        cpu::Vignette(expected, p);
        checkClose(gpuOut, expected, std::format("vignette_{}_{}_{}", p.amount, p.radius, p.feather));
    }
    const RgbaImage strong = test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo b) {
        REQUIRE(stage->record(cmd, b, in.width, in.height, {0.8f, 0.3f, 0.6f}));
    });
    CHECK(meanLuma(strong, 0, 0, 40, 40) < 0.5 * meanLuma(in, 0, 0, 40, 40));
    CHECK(meanLuma(strong, 432, 266, 40, 40) == meanLuma(in, 432, 266, 40, 40));
    const RgbaImage none = test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo b) {
        REQUIRE(stage->record(cmd, b, in.width, in.height, {0.0f, 0.6f, 0.5f}));
    });
    CHECK(none.pixels == in.pixels);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Grain matches its reference, changes with the seed, repeats with it, and is a pass-through at zero",
          "[gpu]") {
    auto stage = stages::Grain::create(test::device());
    REQUIRE(stage);
    const RgbaImage& in = portrait();
    auto run = [&](const GrainParams& p, uint32_t seed) {
        return test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo b) {
            REQUIRE(stage->record(cmd, b, in.width, in.height, p, seed));
        });
    };
    for (uint32_t size : {1u, 3u, 8u}) {
        const GrainParams p{0.6f, size};
        RgbaImage expected = in;
        cpu::Grain(expected, p, 1234);
        checkClose(run(p, 1234), expected, std::format("grain_size{}", size));
    }
    const GrainParams p{0.5f, 2};
    const RgbaImage a = run(p, 1), b = run(p, 2), again = run(p, 1);
    CHECK(a.pixels != b.pixels);
    CHECK(a.pixels == again.pixels);
    // Grain is noise around the picture, not a shift of it.
    CHECK(std::abs(meanLuma(a, 0, 0, 904, 572) - meanLuma(in, 0, 0, 904, 572)) < 0.5);
    CHECK(run({0.0f, 1}, 99).pixels == in.pixels);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Finishing parameters out of range name the parameter, the value and the range", "[gpu]") {
    auto bad = validate(VignetteParams{1.5f, 0.5f, 0.5f});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "vignette: amount = 1.5 is outside the allowed range 0..1");
    auto size = validate(GrainParams{0.2f, 0});
    REQUIRE_FALSE(size);
    CHECK(size.error().message == "grain: size = 0 is outside the allowed range 1..8");
    CHECK(validate(VignetteParams{}));
    CHECK(validate(GrainParams{}));
}
