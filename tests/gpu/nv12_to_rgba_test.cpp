// SPDX-License-Identifier: MIT
// NV12 -> RGBA on the GPU against the exact CPU reference (max abs error <= 1 per channel)
// and against libyuv on in-gamut content. libyuv's 6-bit fixed-point coefficients (the blue
// coefficient saturates for BT.709/BT.2020 limited range) put it up to 5 code values off
// the exact result; the tolerance is 6.
#include "core/test_patterns.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "support/color_spaces.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"

#include <rearview/color_convert.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <format>

using namespace rearview;

namespace {

constexpr int kLibyuvTolerance = 6;

struct Case {
    uint32_t width, height, stride;
};

RgbaImage convertOnGpu(const Nv12Image& frame) {
    auto conv = Nv12ToRgbaConverter::create(test::gpu(), frame.width(), frame.height(), frame.stride());
    REQUIRE(conv);
    RgbaImage out;
    auto ok = conv->convert(frame.view(), out);
    REQUIRE(ok);
    return out;
}

void checkAgainstReference(const Nv12Image& frame, const std::string& label) {
    RgbaImage gpuOut = convertOnGpu(frame);
    RgbaImage expected;
    cpu::Nv12ToRgba(frame.view(), expected);
    const test::Difference d = test::compare(gpuOut, expected);
    INFO(label << ": " << d.describe());
    if (d.maxAbs > 1)
        test::writeFailureImages("nv12_to_rgba." + label, gpuOut, expected);
    CHECK(d.maxAbs <= 1);
}

} // namespace

TEST_CASE("NV12 to RGBA matches the exact reference for every colour space, odd sizes and padded strides",
          "[gpu]") {
    const Case c = GENERATE(Case{64, 48, 64}, Case{33, 17, 40}, Case{1, 1, 2}, Case{641, 479, 704},
                            Case{2040, 1530, 2048}, Case{127, 3, 131});
    for (const ColorSpace& cs : test::kAllColorSpaces) {
        Nv12Image ramps(c.width, c.height, c.stride, cs);
        patterns::fillRamps(ramps);
        checkAgainstReference(ramps, std::format("ramps_{}x{}s{}_{}_{}", c.width, c.height, c.stride,
                                                 toString(cs.matrix), toString(cs.range)));
        Nv12Image noise(c.width, c.height, c.stride, cs);
        patterns::fillNoise(noise, c.width * 131 + c.height);
        checkAgainstReference(noise, std::format("noise_{}x{}s{}_{}_{}", c.width, c.height, c.stride,
                                                 toString(cs.matrix), toString(cs.range)));
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("NV12 to RGBA agrees with libyuv on in-gamut content", "[gpu]") {
    // Luma ramp with chroma inside the nominal range, where libyuv's fixed-point math does
    // not saturate intermediate values.
    for (const ColorSpace& cs : test::kAllColorSpaces) {
        Nv12Image frame(320, 240, 0, cs);
        patterns::fillRamps(frame);
        patterns::compressChroma(frame);
        RgbaImage gpuOut = convertOnGpu(frame);
        RgbaImage yuv;
        cpu::Nv12ToRgbaLibyuv(frame.view(), yuv);
        const test::Difference d = test::compare(gpuOut, yuv);
        INFO(toString(cs.matrix) << "-" << toString(cs.range) << ": " << d.describe());
        CHECK(d.maxAbs <= kLibyuvTolerance);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("NV12 to RGBA rejects bad sizes with actionable errors", "[gpu]") {
    auto empty = Nv12ToRgbaConverter::create(test::gpu(), 0, 10, 16);
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == ErrorCode::InvalidArgument);
    CHECK(empty.error().message.find("empty") != std::string::npos);
    auto narrow = Nv12ToRgbaConverter::create(test::gpu(), 33, 10, 32);
    REQUIRE_FALSE(narrow);
    CHECK(narrow.error().message.find("stride 32") != std::string::npos);

    auto conv = Nv12ToRgbaConverter::create(test::gpu(), 16, 16, 16);
    REQUIRE(conv);
    Nv12Image other(32, 16);
    RgbaImage out;
    auto r = conv->convert(other.view(), out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("32x16") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
