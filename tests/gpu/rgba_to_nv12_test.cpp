// SPDX-License-Identifier: MIT
// RGBA working image -> NV12 on the GPU against the exact CPU reference (max abs error <= 1
// code value per sample: float against double), for every colour space, and the record
// branch's round trip NV12 -> RGBA -> NV12.
#include "core/image_file.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "cpu/rgba_to_nv12.hpp"
#include "harness/rgba_to_nv12_runner.hpp"
#include "support/color_spaces.hpp"
#include "support/gpu_fixture.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>

using namespace rearview;

namespace {

stages::RgbaToNv12Runner& runner() {
    static stages::RgbaToNv12Runner r = [] {
        auto c = stages::RgbaToNv12Runner::create(test::device());
        if (!c)
            FAIL(c.error().describe());
        return std::move(*c);
    }();
    return r;
}

Nv12Image onGpu(const RgbaImage& in, ColorSpace cs) {
    Nv12Image out;
    auto ok = runner().run(in, cs, out);
    if (!ok)
        FAIL(ok.error().describe());
    return out;
}

/// Largest difference of the Y and of the CbCr samples (width bytes of each row).
struct PlaneDiff {
    int y = 0, c = 0;
};
PlaneDiff compare(const Nv12View& a, const Nv12View& e) {
    PlaneDiff d;
    for (uint32_t j = 0; j < a.height; ++j)
        for (uint32_t i = 0; i < a.width; ++i) {
            d.y = std::max(d.y, std::abs(int(a.y[size_t(j) * a.yStride + i]) - int(e.y[size_t(j) * e.yStride + i])));
            if (j < a.height / 2)
                d.c = std::max(d.c,
                               std::abs(int(a.uv[size_t(j) * a.uvStride + i]) - int(e.uv[size_t(j) * e.uvStride + i])));
        }
    return d;
}

RgbaImage noise(uint32_t w, uint32_t h, uint32_t seed) {
    RgbaImage img(w, h);
    std::mt19937 rng(seed);
    for (uint8_t& b : img.pixels)
        b = uint8_t(rng());
    return img;
}

} // namespace

TEST_CASE("RGBA to NV12 matches the exact reference for every colour space and size", "[gpu][rgba_to_nv12]") {
    struct Case {
        uint32_t w, h;
    };
    // Widths of 0 and 2 mod 4 (the last uint of a row half filled).
    const Case c = GENERATE(Case{64, 48}, Case{642, 362}, Case{2, 2}, Case{1282, 720});
    const RgbaImage in = noise(c.w, c.h, c.w);
    for (const ColorSpace& cs : test::kAllColorSpaces) {
        const Nv12Image actual = onGpu(in, cs);
        Nv12Image expected(c.w, c.h, 0, cs);
        cpu::RgbaToNv12(in, expected);
        const PlaneDiff d = compare(actual.view(), expected.view());
        INFO(c.w << "x" << c.h << " " << toString(cs.matrix) << "/" << toString(cs.range) << ": max abs Y " << d.y
                 << " CbCr " << d.c);
        CHECK(d.y <= 1);
        CHECK(d.c <= 1);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("RGBA to NV12 maps flat colours to flat planes", "[gpu][rgba_to_nv12]") {
    for (const ColorSpace& cs : test::kAllColorSpaces)
        for (uint32_t rgb : {0x000000u, 0xFFFFFFu, 0x2060C0u, 0xF01010u}) {
            RgbaImage in(130, 66);
            for (size_t i = 0; i < in.pixels.size(); i += 4) {
                in.pixels[i] = uint8_t(rgb >> 16);
                in.pixels[i + 1] = uint8_t(rgb >> 8);
                in.pixels[i + 2] = uint8_t(rgb);
                in.pixels[i + 3] = 255;
            }
            const Nv12Image out = onGpu(in, cs);
            RgbaImage one(2, 2);
            std::copy_n(in.pixels.begin(), 16, one.pixels.begin());
            Nv12Image expected(2, 2, 0, cs);
            cpu::RgbaToNv12(one, expected);
            int worst = 0;
            for (uint32_t j = 0; j < out.height(); ++j)
                for (uint32_t i = 0; i < out.width(); ++i) {
                    worst = std::max(worst, std::abs(int(out.yPlane()[size_t(j) * out.stride() + i]) -
                                                     int(expected.yPlane()[0])));
                    if (j < out.height() / 2)
                        worst = std::max(worst, std::abs(int(out.uvPlane()[size_t(j) * out.stride() + i]) -
                                                         int(expected.uvPlane()[i % 2])));
                }
            INFO(toString(cs.matrix) << "/" << toString(cs.range) << " rgb " << std::hex << rgb << ": worst " << worst);
            CHECK(worst <= 1);
        }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("NV12 -> RGBA -> NV12 round trip stays within 2 code values on a photograph, 0.01 on average",
          "[gpu][rgba_to_nv12]") {
    // The record branch with colour stages that change nothing: the frame comes back up to
    // the 8-bit RGB rounding in between, except where a pixel's Y with its block's shared
    // CbCr lies outside the RGB cube: clipping there moves Y and CbCr by up to 2.
    for (const ColorSpace& cs : test::kAllColorSpaces) {
        auto photo = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", 1280, 720, 0, cs);
        REQUIRE(photo);
        RgbaImage rgba;
        cpu::Nv12ToRgba(photo->view(), rgba);
        const Nv12Image back = onGpu(rgba, cs);
        const PlaneDiff d = compare(back.view(), photo->view());
        REQUIRE(back.stride() == photo->stride()); // 1280: already a multiple of 64
        double sum = 0;
        for (size_t i = 0; i < photo->bytes().size(); ++i)
            sum += std::abs(int(back.bytes()[i]) - int(photo->bytes()[i]));
        const double mean = sum / double(photo->bytes().size());
        INFO(toString(cs.matrix) << "/" << toString(cs.range) << ": round trip max abs Y " << d.y << " CbCr " << d.c
                                 << ", mean " << mean);
        CHECK(d.y <= 2);
        CHECK(d.c <= 2);
        CHECK(mean <= 0.01);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("RGBA to NV12 rejects odd sizes and short outputs", "[gpu][rgba_to_nv12]") {
    Nv12Image out;
    auto r = runner().run(RgbaImage(31, 20), {}, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().message.find("31x20") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
