// SPDX-License-Identifier: MIT
// The record branch's crop/scale (NV12 -> NV12, area downscale by any factor >= 1) against
// its exact CPU reference (cpu::RecordScale, max abs error <= 1 code value per sample: the
// GPU keeps row averages in 16-bit fixed point with 8 fractional bits and computes
// footprints and weights in float), and against OpenCV INTER_AREA per plane (PSNR >= 40 dB
// on the astronaut photograph).
#include "core/image_file.hpp"
#include "core/record_plan.hpp"
#include "core/test_patterns.hpp"
#include "cpu/record_scale.hpp"
#include "harness/record_scale_runner.hpp"
#include "support/gpu_fixture.hpp"

#include <opencv2/imgproc.hpp>

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <algorithm>
#include <cmath>
#include <format>

using namespace rearview;

namespace {

constexpr int kTolerance = 1;

stages::RecordScaleRunner& runner() {
    static stages::RecordScaleRunner r = [] {
        auto c = stages::RecordScaleRunner::create(test::device());
        if (!c)
            FAIL(c.error().describe());
        return std::move(*c);
    }();
    return r;
}

Nv12Image onGpu(const Nv12Image& frame, const RecordPlan& plan) {
    Nv12Image out;
    auto ok = runner().run(frame.view(), plan, out);
    if (!ok)
        FAIL(ok.error().describe());
    return out;
}

RecordPlan plan(const Nv12Image& f, uint32_t w, uint32_t h, const CropRect& crop, bool mirror) {
    auto p = planRecord(f.width(), f.height(), w, h, crop, mirror);
    if (!p)
        FAIL(p.error().describe());
    return *p;
}

/// Largest difference per plane over the rows the reference computed (every rowStep-th).
struct PlaneDiff {
    int y = 0, c = 0;
};
PlaneDiff compare(const Nv12Image& a, const Nv12Image& e, uint32_t rowStep) {
    PlaneDiff d;
    const uint32_t w = a.width();
    for (uint32_t j = 0; j < a.height(); j += rowStep)
        for (uint32_t i = 0; i < w; ++i)
            d.y = std::max(d.y, std::abs(int(a.yPlane()[size_t(j) * a.stride() + i]) -
                                         int(e.yPlane()[size_t(j) * e.stride() + i])));
    for (uint32_t j = 0; j < a.height() / 2; j += rowStep)
        for (uint32_t i = 0; i < w; ++i)
            d.c = std::max(d.c, std::abs(int(a.uvPlane()[size_t(j) * a.stride() + i]) -
                                         int(e.uvPlane()[size_t(j) * e.stride() + i])));
    return d;
}

PlaneDiff checkAgainstReference(const Nv12Image& frame, const RecordPlan& p, uint32_t rowStep = 1) {
    const Nv12Image actual = onGpu(frame, p);
    REQUIRE(actual.width() == p.outWidth);
    REQUIRE(actual.height() == p.outHeight);
    REQUIRE(actual.stride() % stages::RecordScale::kRowAlignment == 0);
    Nv12Image expected(p.outWidth, p.outHeight, actual.stride());
    cpu::RecordScale(frame.view(), p, expected, rowStep);
    const PlaneDiff d = compare(actual, expected, rowStep);
    INFO(std::format("{}x{} stride {} crop {:.2f},{:.2f} {:.2f}x{:.2f} -> {}x{} (x{:.4f} / x{:.4f}) mirror {}: max abs "
                     "Y {} CbCr {}",
                     frame.width(), frame.height(), frame.stride(), p.crop.x, p.crop.y, p.crop.width, p.crop.height,
                     p.outWidth, p.outHeight, p.scaleX, p.scaleY, p.mirror, d.y, d.c));
    CHECK(d.y <= kTolerance);
    CHECK(d.c <= kTolerance);
    return d;
}

Nv12Image noise(uint32_t w, uint32_t h, uint32_t stride, uint32_t seed = 11) {
    Nv12Image f(w, h, stride, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    patterns::fillNoise(f, seed);
    return f;
}

double planePsnr(const cv::Mat& a, const cv::Mat& b) {
    const double mse = cv::norm(a, b, cv::NORM_L2SQR) / double(a.total() * a.channels());
    return mse == 0 ? 99.0 : 10.0 * std::log10(255.0 * 255.0 / mse);
}

} // namespace

TEST_CASE("Record scale matches the exact reference at factors 1.0625, 2 and 4.25, odd sizes, padded strides, "
          "mirrored or not",
          "[gpu][record_scale]") {
    struct Case {
        uint32_t w, h, stride, outW, outH;
    };
    // Centred crops with the output's aspect: 1088x612 -> 1024x576 (x1.0625), 1000x564 ->
    // 500x282 (x2, odd crop top), 2040x1147.5 -> 480x270 (x4.25, fractional top and height),
    // and an odd frame width with an output width of 2 mod 4 (x2.148).
    const Case c = GENERATE(Case{1088, 816, 1088, 1024, 576}, Case{1000, 750, 1024, 500, 282},
                            Case{2040, 1530, 2048, 480, 270}, Case{1001, 757, 1008, 466, 262});
    const Nv12Image f = noise(c.w, c.h, c.stride);
    for (bool mirror : {false, true}) {
        auto p = planRecord(c.w, c.h, c.outW, c.outH, mirror);
        REQUIRE(p);
        checkAgainstReference(f, *p);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Record scale matches the reference for off-centre fractional crops down to factor 1", "[gpu][record_scale]") {
    const Nv12Image f = noise(1280, 960, 1280, 5);
    for (bool mirror : {false, true}) {
        checkAgainstReference(f, plan(f, 600, 338, CropRect{101.3, 57.7, 777.7, 437.9}, mirror));
        // Factor exactly 1 at a fractional offset: every output pixel straddles four inputs.
        checkAgainstReference(f, plan(f, 640, 360, CropRect{10.5, 20.25, 640, 360}, mirror));
        // The whole frame, the right and bottom edges included.
        checkAgainstReference(f, plan(f, 1024, 768, CropRect{0, 0, 1280, 960}, mirror));
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Record scale keeps flat fields flat", "[gpu][record_scale]") {
    for (uint8_t level : {uint8_t(16), uint8_t(100), uint8_t(235)}) {
        Nv12Image f(1000, 750, 1000, {});
        std::fill(f.yPlane(), f.yPlane() + size_t(1000) * 750, level);
        for (size_t i = 0; i < size_t(1000) * 375; i += 2) {
            f.uvPlane()[i] = 90;
            f.uvPlane()[i + 1] = 170;
        }
        const Nv12Image out = onGpu(f, plan(f, 706, 398, centredCrop(1000, 750, 706, 398), false));
        int worst = 0;
        for (uint32_t j = 0; j < out.height(); ++j)
            for (uint32_t i = 0; i < out.width(); ++i) {
                worst = std::max(worst, std::abs(int(out.yPlane()[size_t(j) * out.stride() + i]) - level));
                if (j < out.height() / 2)
                    worst = std::max(worst, std::abs(int(out.uvPlane()[size_t(j) * out.stride() + i]) -
                                                     (i % 2 ? 170 : 90)));
            }
        INFO("level " << int(level) << ": worst " << worst);
        CHECK(worst <= 1);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The 50 MP sensor frame to 8K 16:9 matches the reference", "[gpu][record_scale][slow]") {
    const Nv12Image f = noise(8160, 6120, 8160, 3);
    auto p = planRecord(8160, 6120, 7680, 4320);
    REQUIRE(p);
    CHECK(p->crop.width == 8160.0);
    CHECK(p->crop.height == 4590.0);
    CHECK(p->crop.y == 765.0);
    checkAgainstReference(f, *p, 7); // every 7th row: all row phases of the 17/16 footprint pattern
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Record scale is within 40 dB PSNR of OpenCV INTER_AREA per plane on a photograph", "[gpu][record_scale]") {
    // The 16:9 crop of the sensor frame, at an even top so OpenCV gets both planes' integer
    // rectangles: 8160x4590 -> 3840x2160 (x2.125).
    auto photo = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", 8160, 6120, 8160,
                               {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    REQUIRE(photo);
    const CropRect crop{0, 764, 8160, 4590};
    const Nv12Image out = onGpu(*photo, plan(*photo, 3840, 2160, crop, false));
    const cv::Mat yIn(4590, 8160, CV_8UC1, photo->yPlane() + size_t(764) * 8160, 8160);
    const cv::Mat uvIn(2295, 4080, CV_8UC2, photo->uvPlane() + size_t(382) * 8160, 8160);
    cv::Mat y, uv;
    cv::resize(yIn, y, cv::Size(3840, 2160), 0, 0, cv::INTER_AREA);
    cv::resize(uvIn, uv, cv::Size(1920, 1080), 0, 0, cv::INTER_AREA);
    const cv::Mat yOut(2160, 3840, CV_8UC1, const_cast<uint8_t*>(out.yPlane()), out.stride());
    const cv::Mat uvOut(1080, 1920, CV_8UC2, const_cast<uint8_t*>(out.uvPlane()), out.stride());
    const double yDb = planePsnr(yOut, y), cDb = planePsnr(uvOut, uv);
    INFO("PSNR against INTER_AREA: Y " << yDb << " dB, CbCr " << cDb << " dB");
    CHECK(yDb >= 40.0);
    CHECK(cDb >= 40.0);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Record scale rejects what it cannot do with actionable errors", "[gpu][record_scale]") {
    auto odd = planRecord(8160, 6120, 7679, 4320);
    REQUIRE_FALSE(odd);
    CHECK(odd.error().message.find("7679x4320") != std::string::npos);
    auto up = planRecord(1920, 1080, 3840, 2160);
    REQUIRE_FALSE(up);
    CHECK(up.error().message.find("upscale") != std::string::npos);
    auto outside = planRecord(8160, 6120, 3840, 2160, CropRect{1000, 2000, 7680, 4320});
    REQUIRE_FALSE(outside);
    CHECK(outside.error().message.find("not inside the 8160x6120 frame") != std::string::npos);
    auto tooFar = planRecord(8160, 6120, 20, 10);
    REQUIRE_FALSE(tooFar);
    CHECK(tooFar.error().message.find("408x downscale") != std::string::npos);

    // Planned for a larger frame than the one given.
    const Nv12Image small = noise(640, 480, 640);
    auto big = planRecord(1280, 960, 320, 180);
    REQUIRE(big);
    Nv12Image out;
    auto r = runner().run(small.view(), *big, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("not inside the 640x480 frame") != std::string::npos);
    // A frame stride the 8-byte loads cannot follow.
    const Nv12Image unaligned = noise(100, 60, 100);
    auto p = planRecord(100, 60, 50, 28);
    REQUIRE(p);
    r = runner().run(unaligned.view(), *p, out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().message.find("Y stride 100") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
