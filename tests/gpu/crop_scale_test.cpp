// SPDX-License-Identifier: MIT
// The viewfinder's crop/scale stage against its exact CPU reference (cpu::CropScale, max
// abs error <= 1 code value per channel: the GPU keeps row averages in 16-bit fixed point
// with 8 fractional bits and computes weights in float), against OpenCV INTER_AREA (PSNR
// >= 40 dB on a real photograph and synthetic frames), and on a zone plate for aliasing.
#include "core/crop_plan.hpp"
#include "core/image_file.hpp"
#include "core/test_patterns.hpp"
#include "cpu/crop_scale.hpp"
#include "harness/crop_scale_runner.hpp"
#include "support/color_spaces.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>

#include <cmath>
#include <format>
#include <numbers>
#include <vector>
#include <algorithm>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;
constexpr int kTolerance = 1;

stages::CropScaleRunner& runner() {
    static stages::CropScaleRunner r = [] {
        auto c = stages::CropScaleRunner::create(test::device());
        if (!c)
            FAIL(c.error().describe());
        return std::move(*c);
    }();
    return r;
}

RgbaImage onGpu(const Nv12Image& frame, const CropPlan& plan) {
    RgbaImage out;
    auto ok = runner().run(frame.view(), plan, out);
    if (!ok)
        FAIL(ok.error().describe());
    return out;
}

CropPlan plan(const Nv12Image& frame, uint32_t pw, uint32_t ph, const ViewGeometry& g) {
    auto p = planCrop(frame.width(), frame.height(), pw, ph, g);
    if (!p)
        FAIL(p.error().describe());
    return *p;
}

std::string describe(const Nv12Image& f, const ViewGeometry& g) {
    return std::format("{}x{} stride {} {}/{} {} zoom {} centre {},{} rot {} mirror {}", f.width(), f.height(),
                       f.stride(), toString(f.colorSpace().matrix), toString(f.colorSpace().range), toString(g.fit),
                       g.zoom, g.centerX, g.centerY, toString(g.rotation), g.mirror);
}

/// GPU against the exact reference for one frame and geometry.
void checkAgainstReference(const Nv12Image& frame, uint32_t pw, uint32_t ph, const ViewGeometry& g,
                           const std::string& name) {
    const CropPlan p = plan(frame, pw, ph, g);
    const RgbaImage actual = onGpu(frame, p);
    RgbaImage expected;
    cpu::CropScale(frame.view(), p, expected);
    const test::Difference d = test::compare(actual, expected);
    INFO(describe(frame, g) << (p.sampling == Sampling::Area ? " area" : " bilinear") << ": " << d.describe());
    if (d.maxAbs > kTolerance)
        test::writeFailureImages("crop_scale." + name, actual, expected);
    CHECK(d.maxAbs <= kTolerance);
}

Nv12Image rampsWithNoise(uint32_t w, uint32_t h, uint32_t stride, ColorSpace cs) {
    Nv12Image f(w, h, stride, cs);
    patterns::fillRamps(f);
    Nv12Image n(w, h, stride, cs);
    patterns::fillNoise(n, 7);
    // Ramps plus +-16 of noise: structure to catch misplaced footprints, noise to catch
    // misweighted samples.
    for (size_t i = 0; i < f.bytes().size(); ++i) {
        uint8_t* p = f.yPlane() + i;
        *p = uint8_t(std::clamp(int(*p) + (int(n.bytes()[i]) >> 3) - 16, 0, 255));
    }
    return f;
}

} // namespace

TEST_CASE("Crop/scale matches the exact reference for every colour space, odd sizes and padded strides", "[gpu]") {
    struct Case {
        uint32_t w, h, stride, pw, ph;
    };
    const Case c = GENERATE(Case{1001, 757, 1016, 113, 71}, Case{640, 480, 640, 300, 190}, Case{333, 999, 336, 64, 41},
                            Case{2040, 1530, 2048, 904, 572});
    for (const ColorSpace& cs : test::kAllColorSpaces) {
        const Nv12Image f = rampsWithNoise(c.w, c.h, c.stride, cs);
        checkAgainstReference(f, c.pw, c.ph, ViewGeometry{}, "sizes");
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Crop/scale matches the reference for each rotation and mirror, filled and letterboxed", "[gpu]") {
    const Nv12Image f = rampsWithNoise(1280, 960, 1280, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    for (FitMode fit : {FitMode::Fill, FitMode::Fit})
        for (Rotation r : {Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270})
            for (bool mirror : {false, true})
                for (float zoom : {1.0f, 4.0f}) { // area, then bilinear
                    ViewGeometry g{.fit = fit, .zoom = zoom, .centerX = 0.3f, .centerY = 0.6f, .rotation = r,
                                   .mirror = mirror};
                    checkAgainstReference(f, 226, 143, g, "orientation");
                }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Rotation and mirror move pixels where the panel expects them", "[gpu]") {
    // A frame that is black except for a bright top-left quadrant.
    Nv12Image f(800, 600, 800, {YcbcrMatrix::Bt601, YcbcrRange::Full});
    for (uint32_t y = 0; y < 600; ++y)
        for (uint32_t x = 0; x < 800; ++x)
            f.yPlane()[y * 800 + x] = (x < 400 && y < 300) ? 255 : 0;
    std::fill(f.uvPlane(), f.uvPlane() + 800 * 300, uint8_t(128));
    auto brightCorner = [&](Rotation r, bool mirror) {
        const RgbaImage out = onGpu(f, plan(f, 200, 200, ViewGeometry{.rotation = r, .mirror = mirror}));
        const bool left = out.row(10)[10 * 4] > 128 || out.row(190)[10 * 4] > 128;
        const bool top = out.row(10)[10 * 4] > 128 || out.row(10)[190 * 4] > 128;
        return std::string(top ? "top" : "bottom") + "-" + (left ? "left" : "right");
    };
    CHECK(brightCorner(Rotation::R0, false) == "top-left");
    CHECK(brightCorner(Rotation::R0, true) == "top-right");
    CHECK(brightCorner(Rotation::R90, false) == "top-right"); // clockwise
    CHECK(brightCorner(Rotation::R180, false) == "bottom-right");
    CHECK(brightCorner(Rotation::R270, false) == "bottom-left");
    CHECK(brightCorner(Rotation::R270, true) == "bottom-right");
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Zoom from 1x to 10x around a moving centre matches the reference and changes smoothly", "[gpu]") {
    const Nv12Image f = rampsWithNoise(2040, 1530, 2048, {YcbcrMatrix::Bt601, YcbcrRange::Limited});
    for (float zoom : {1.0f, 1.37f, 2.2f, 4.5f, 7.0f, 10.0f})
        checkAgainstReference(f, kPanelW / 4, kPanelH / 4, ViewGeometry{.zoom = zoom, .centerX = 0.2f, .centerY = 0.8f},
                              "zoom");

    // A slow zoom (0.5% per frame) across the area -> bilinear switch (zoom 2.26 here) never
    // pops: no step between consecutive frames changes the picture much more than the
    // typical step does (the picture moves by the same amount every step).
    auto photo = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", 2040, 1530, 2048);
    REQUIRE(photo);
    RgbaImage previous;
    std::vector<double> steps;
    for (float zoom = 1.9f; zoom < 2.7f; zoom *= 1.005f) {
        const RgbaImage out = onGpu(*photo, plan(*photo, 452, 286, ViewGeometry{.zoom = zoom}));
        if (!previous.pixels.empty()) {
            double sum = 0;
            for (size_t i = 0; i < out.pixels.size(); ++i)
                sum += std::abs(int(out.pixels[i]) - int(previous.pixels[i]));
            steps.push_back(sum / double(out.pixels.size()));
        }
        previous = out;
    }
    std::vector<double> sorted = steps;
    std::ranges::sort(sorted);
    const double median = sorted[sorted.size() / 2], worst = sorted.back();
    INFO("mean change per zoom step: median " << median << ", largest " << worst);
    CHECK(worst < 1.5 * median);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Flat fields stay flat within 1 code value", "[gpu]") {
    for (const ColorSpace& cs : test::kAllColorSpaces)
        for (uint8_t level : {uint8_t(16), uint8_t(100), uint8_t(235)}) {
            Nv12Image f(1999, 1333, 2000, cs);
            std::fill(f.yPlane(), f.yPlane() + size_t(2000) * 1333, level);
            for (size_t i = 0; i < size_t(2000) * 667; i += 2) {
                f.uvPlane()[i] = 90;
                f.uvPlane()[i + 1] = 170;
            }
            const RgbaImage out = onGpu(f, plan(f, 301, 190, ViewGeometry{.zoom = 1.3f}));
            RgbaImage one;
            cpu::CropScale(f.view(), plan(f, 16, 16, ViewGeometry{}), one);
            int worst = 0;
            for (size_t i = 0; i < out.pixels.size(); ++i)
                worst = std::max(worst, std::abs(int(out.pixels[i]) - int(one.pixels[i % 4])));
            INFO(toString(cs.matrix) << "/" << toString(cs.range) << " level " << int(level));
            CHECK(worst <= 1);
        }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The 50 MP sensor frame to the 904x572 panel matches the reference", "[gpu][slow]") {
    const Nv12Image f = rampsWithNoise(8160, 6120, 8160, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    checkAgainstReference(f, kPanelW, kPanelH, ViewGeometry{}, "sensor");
    checkAgainstReference(f, kPanelW, kPanelH, ViewGeometry{.rotation = Rotation::R90}, "sensor_r90");
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("PSNR against OpenCV INTER_AREA is at least 40 dB on a photograph and synthetic frames", "[gpu]") {
    // Frames of exactly the panel's aspect, so the fill crop is the whole frame and OpenCV can
    // be given the same (integer) rectangle.
    const uint32_t w = kPanelW * 4 + 4, h = kPanelH * 4 + 4; // 9.04x9.04 -> 4.004x (fractional coverage)
    auto photo = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", w, h, (w + 7) & ~7u, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    REQUIRE(photo);
    Nv12Image ramps(w, h, (w + 7) & ~7u, {YcbcrMatrix::Bt601, YcbcrRange::Full});
    patterns::fillRamps(ramps);
    patterns::compressChroma(ramps); // in gamut: OpenCV clamps before averaging, the stage after
    for (const auto& [name, frame] : {std::pair{"astronaut", &*photo}, std::pair{"ramps", &ramps}}) {
        const CropPlan p = plan(*frame, kPanelW, kPanelH, ViewGeometry{.mirror = false});
        REQUIRE(p.cropWidth == double(w));
        const RgbaImage actual = onGpu(*frame, p);
        RgbaImage opencv;
        cpu::CropScaleOpenCvArea(frame->view(), 0, 0, w, h, kPanelW, kPanelH, opencv);
        const double db = test::psnr(actual, opencv);
        INFO(name << ": PSNR " << db << " dB");
        if (db < 40)
            test::writeFailureImages(std::string("crop_scale.opencv.") + name, actual, opencv);
        CHECK(db >= 40.0);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

namespace {

/// RMS deviation from the mean of output luma over pixels whose zone-plate frequency is
/// above 1.5x the output's Nyquist limit: an ideal downscaler leaves them flat, so what
/// remains there is aliasing (moire) plus the box filter's leak.
double aliasedEnergy(const RgbaImage& out, double scale, uint32_t frameW, uint32_t frameH) {
    const double cx = frameW / 2.0, cy = frameH / 2.0, rmax = std::sqrt(cx * cx + cy * cy);
    double sum = 0, sum2 = 0;
    size_t n = 0;
    for (uint32_t y = 0; y < out.height; ++y)
        for (uint32_t x = 0; x < out.width; ++x) {
            const double fx = (x + 0.5) * scale - cx, fy = (y + 0.5) * scale - cy;
            const double freq = 0.5 * std::sqrt(fx * fx + fy * fy) / rmax; // cycles per input pixel
            if (freq * scale < 0.5 * 1.5)
                continue;
            const double v = out.row(y)[x * 4 + 1];
            sum += v;
            sum2 += v * v;
            ++n;
        }
    const double mean = sum / double(n);
    return std::sqrt(std::max(0.0, sum2 / double(n) - mean * mean));
}

} // namespace

TEST_CASE("A zone plate shows no more aliasing than OpenCV INTER_AREA", "[gpu]") {
    const uint32_t w = kPanelW * 6, h = kPanelH * 6;
    Nv12Image zone(w, h, 0, {YcbcrMatrix::Bt601, YcbcrRange::Limited});
    patterns::fillZonePlate(zone);
    CropPlan p = plan(zone, kPanelW, kPanelH, ViewGeometry{.mirror = false});
    REQUIRE(p.sampling == Sampling::Area);
    const double ours = aliasedEnergy(onGpu(zone, p), 6.0, w, h);
    RgbaImage opencv;
    cpu::CropScaleOpenCvArea(zone.view(), 0, 0, w, h, kPanelW, kPanelH, opencv);
    const double reference = aliasedEnergy(opencv, 6.0, w, h);
    p.sampling = Sampling::Bilinear; // what the stage would alias like without area sampling
    const double bilinear = aliasedEnergy(onGpu(zone, p), 6.0, w, h);
    INFO("aliased RMS: stage " << ours << ", INTER_AREA " << reference << ", bilinear " << bilinear);
    CHECK(ours <= reference * 1.05 + 0.25); // margin: 5% + a quarter code value
    CHECK(bilinear > 4 * reference);        // the measure does see moire
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Crop/scale rejects what it cannot do with actionable errors", "[gpu]") {
    auto tooFar = planCrop(8160, 6120, 10, 10, ViewGeometry{});
    REQUIRE_FALSE(tooFar);
    CHECK(tooFar.error().message.find("612x downscale") != std::string::npos);
    auto empty = planCrop(0, 6120, 904, 572, ViewGeometry{});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message.find("0x6120") != std::string::npos);

    Nv12Image odd(102, 60, 102, {});
    RgbaImage out;
    auto r = runner().run(odd.view(), plan(odd, 40, 20, ViewGeometry{}), out);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    CHECK(r.error().message.find("stride 102") != std::string::npos);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Area downscale times its two passes within the stage's time; bilinear has none", "[gpu]") {
    if (test::device().timestampPeriodNs() == 0)
        SKIP("the queue has no timestamps");
    const Nv12Image f = rampsWithNoise(2040, 1530, 2048, {YcbcrMatrix::Bt709, YcbcrRange::Full});
    onGpu(f, plan(f, kPanelW / 2, kPanelH / 2, ViewGeometry{}));
    const auto area = runner().lastPassMs();
    INFO("stage " << runner().lastGpuMs() << " ms, vertical " << area.vertical << " ms, horizontal "
                  << area.horizontal << " ms");
    CHECK(area.vertical > 0);
    CHECK(area.horizontal > 0);
    CHECK(area.vertical + area.horizontal <= runner().lastGpuMs() * 1.001);

    onGpu(f, plan(f, kPanelW, kPanelH, ViewGeometry{.zoom = 4}));
    CHECK(runner().lastPassMs().vertical == 0);
    CHECK(runner().lastPassMs().horizontal == 0);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
