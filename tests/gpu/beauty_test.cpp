// SPDX-License-Identifier: MIT
// The beauty stage on the GPU against its CPU reference, and what it does to the project's
// portrait: smoother skin inside the detected face, everything else kept.
//
// Tolerance against cpu::Beauty: max abs error <= 2 code values, and at most 0.1 % of values
// off by more than 1. Both run the same float formulas in the same order, but the GPU may
// fuse multiply-adds (the variance mean(I^2) - mean(I)^2 and the guided filter's a I + b
// change by an ulp or so) and rounds ties to even where the reference rounds away from zero;
// the result is 1 code value where the exact value sits at a rounding boundary. A change
// feeds into a chain of three grid passes, so 2 is allowed, not expected.
#include "analysis/face_detector.hpp"
#include "core/image_file.hpp"
#include "cpu/beauty.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "harness/beauty_runner.hpp"
#include "support/gpu_fixture.hpp"
#include "support/portrait.hpp"
#include "support/image_compare.hpp"

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgproc.hpp>

#include <cstdio>
#include <random>

using namespace rearview;
using analysis::FaceBox;

namespace {

using test::portrait;

const std::vector<FaceBox>& portraitFaces() {
    static std::vector<FaceBox> faces = [] {
        auto detector = analysis::FaceDetector::create();
        if (!detector)
            FAIL(detector.error().describe());
        auto found = detector->detect(portrait());
        if (!found)
            FAIL(found.error().describe());
        return *found;
    }();
    return faces;
}

stages::BeautyRunner& runner() {
    static stages::BeautyRunner r = [] {
        auto c = stages::BeautyRunner::create(test::device());
        if (!c)
            FAIL(c.error().describe());
        return std::move(*c);
    }();
    return r;
}

RgbaImage gpuBeauty(const RgbaImage& in, const BeautyParams& p, std::span<const FaceBox> faces) {
    RgbaImage out;
    auto r = runner().run(in, p, faces, out);
    REQUIRE(r);
    return out;
}

RgbaImage noise(uint32_t w, uint32_t h, uint32_t seed) {
    std::mt19937 rng(seed);
    RgbaImage img(w, h);
    // Skin-coloured blobs with noise on top, so the mask and the filter both have work.
    for (uint32_t y = 0; y < h; ++y)
        for (uint32_t x = 0; x < w; ++x) {
            uint8_t* px = img.row(y) + size_t(x) * 4;
            const bool skin = ((x / 37) + (y / 29)) % 2 == 0;
            const int base[3] = {skin ? 200 : 60, skin ? 150 : 90, skin ? 120 : 160};
            for (int c = 0; c < 3; ++c)
                px[c] = uint8_t(std::clamp(base[c] + int(rng() % 41) - 20, 0, 255));
            px[3] = 255;
        }
    return img;
}

cv::Mat lumaOf(const RgbaImage& img) {
    cv::Mat rgba(int(img.height), int(img.width), CV_8UC4, const_cast<uint8_t*>(img.pixels.data())), grey, f;
    cv::cvtColor(rgba, grey, cv::COLOR_RGBA2GRAY);
    grey.convertTo(f, CV_32F);
    return f;
}

/// Gaussian-window (11x11, sigma 1.5) SSIM map of two luma images (Wang et al. 2004).
cv::Mat ssimMap(const cv::Mat& a, const cv::Mat& b) {
    const double c1 = 6.5025, c2 = 58.5225; // (0.01 * 255)^2, (0.03 * 255)^2
    auto blur = [](const cv::Mat& m) {
        cv::Mat o;
        cv::GaussianBlur(m, o, cv::Size(11, 11), 1.5);
        return o;
    };
    const cv::Mat ma = blur(a), mb = blur(b);
    const cv::Mat saa = blur(a.mul(a)) - ma.mul(ma), sbb = blur(b.mul(b)) - mb.mul(mb);
    const cv::Mat sab = blur(a.mul(b)) - ma.mul(mb);
    cv::Mat num = (2 * ma.mul(mb) + c1).mul(2 * sab + c2);
    cv::Mat den = (ma.mul(ma) + mb.mul(mb) + c1).mul(saa + sbb + c2);
    cv::Mat map;
    cv::divide(num, den, map);
    return map;
}

void checkMatchesReference(const RgbaImage& in, const BeautyParams& p, std::span<const FaceBox> faces,
                           const std::string& name) {
    const RgbaImage gpuOut = gpuBeauty(in, p, faces);
    RgbaImage expected = in;
    cpu::Beauty(expected, p, faces);
    const test::Difference d = test::compare(gpuOut, expected);
    size_t offByMore = 0;
    for (size_t i = 0; i < gpuOut.pixels.size(); ++i)
        offByMore += std::abs(int(gpuOut.pixels[i]) - int(expected.pixels[i])) > 1;
    std::printf("beauty vs reference, %s: %s, %zu values off by more than 1, PSNR %.1f dB\n", name.c_str(),
                d.describe().c_str(), offByMore, test::psnr(gpuOut, expected));
    if (d.maxAbs > 2)
        test::writeFailureImages("beauty." + name, gpuOut, expected);
    CHECK(d.maxAbs <= 2);
    CHECK(offByMore * 1000 <= gpuOut.pixels.size());
    CHECK(gpuOut.pixels != in.pixels); // the stage did something
}

} // namespace

TEST_CASE("FaceDetector finds the astronaut's face in the working image", "[gpu]") {
    const auto& faces = portraitFaces();
    for (const FaceBox& f : faces)
        std::printf("face: x %.1f y %.1f w %.1f h %.1f\n", f.x, f.y, f.width, f.height);
    REQUIRE(faces.size() == 1);
    const FaceBox& f = faces[0];
    const float cx = f.x + f.width / 2, cy = f.y + f.height / 2;
    // The face sits left of centre in the upper half of the 904x572 crop of the portrait.
    CHECK(cx > 0.25f * 904);
    CHECK(cx < 0.55f * 904);
    CHECK(cy < 0.5f * 572);
    CHECK(f.width > 80);
    CHECK(f.width < 400);
}

TEST_CASE("FaceDetector reports a missing cascade clearly", "[gpu]") {
    auto d = analysis::FaceDetector::create({.cascadePath = "/nonexistent/cascade.xml"});
    REQUIRE_FALSE(d);
    CHECK(d.error().code == ErrorCode::NotFound);
    CHECK(d.error().message.find("/nonexistent/cascade.xml") != std::string::npos);
}

TEST_CASE("Beauty matches its CPU reference", "[gpu]") {
    const auto& faces = portraitFaces();
    checkMatchesReference(portrait(), {0.7f, 0.3f, 0.2f, FaceMode::Auto}, faces, "portrait_default");
    checkMatchesReference(portrait(), {1.0f, 1.0f, 1.0f, FaceMode::Off}, faces, "portrait_full_off");
    checkMatchesReference(portrait(), {0.0f, 0.0f, 0.6f, FaceMode::Auto}, {}, "portrait_sharpen_only");
    // Odd sizes exercise the grid's clamped edges; faces at the borders the cell ranges'.
    const FaceBox edgeFaces[] = {{-10, -5, 60, 50}, {250, 150, 80, 80}};
    checkMatchesReference(noise(301, 203, 7), {0.5f, 0.5f, 0.5f, FaceMode::Auto}, edgeFaces, "noise_301x203");
    checkMatchesReference(noise(64, 17, 9), {0.9f, 0.1f, 0.3f, FaceMode::Auto}, {}, "noise_64x17");
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Beauty smooths the face's skin and keeps the rest of the portrait", "[gpu]") {
    const RgbaImage& in = portrait();
    const auto& faces = portraitFaces();
    REQUIRE(faces.size() == 1);
    const BeautyParams p{0.7f, 0.3f, 0.2f, FaceMode::Auto};
    const RgbaImage out = gpuBeauty(in, p, faces);
    const std::vector<float> mask = cpu::BeautySkinMask(in, p, faces);

    const cv::Mat lin = lumaOf(in), lout = lumaOf(out);
    cv::Mat lapIn, lapOut;
    cv::Laplacian(lin, lapIn, CV_32F);
    cv::Laplacian(lout, lapOut, CV_32F);
    const cv::Mat ssim = ssimMap(lin, lout);

    const FaceBox& f = faces[0];
    double energyIn = 0, energyOut = 0, ssimSum = 0;
    size_t skinPixels = 0, otherPixels = 0;
    for (int y = 0; y < int(in.height); ++y)
        for (int x = 0; x < int(in.width); ++x) {
            const float m = mask[size_t(y) * in.width + size_t(x)];
            const bool inFace = x >= f.x && x < f.x + f.width && y >= f.y && y < f.y + f.height;
            if (inFace && m > 0.5f) {
                energyIn += double(lapIn.at<float>(y, x)) * lapIn.at<float>(y, x);
                energyOut += double(lapOut.at<float>(y, x)) * lapOut.at<float>(y, x);
                ++skinPixels;
            } else if (m < 0.05f) {
                ssimSum += ssim.at<float>(y, x);
                ++otherPixels;
            }
        }
    const double drop = 1.0 - energyOut / energyIn, meanSsim = ssimSum / double(otherPixels);
    std::printf("beauty: face skin pixels %zu, high-frequency energy drop %.1f %%; outside skin %zu pixels, "
                "SSIM %.4f\n",
                skinPixels, 100.0 * drop, otherPixels, meanSsim);
    REQUIRE(skinPixels > 2000);
    CHECK(drop >= 0.40);
    REQUIRE(otherPixels > 100000);
    CHECK(meanSsim >= 0.97);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Beauty with all-zero parameters passes the image through bit-exactly", "[gpu]") {
    const RgbaImage& in = portrait();
    for (FaceMode mode : {FaceMode::Auto, FaceMode::Off})
        CHECK(gpuBeauty(in, {0.0f, 0.0f, 0.0f, mode}, portraitFaces()).pixels == in.pixels);
    RgbaImage cpuOut = in;
    cpu::Beauty(cpuOut, {0.0f, 0.0f, 0.0f, FaceMode::Auto}, portraitFaces());
    CHECK(cpuOut.pixels == in.pixels);
    // Parameters change per frame on one stage: a strong frame, then a zero one.
    CHECK(gpuBeauty(in, {1.0f, 1.0f, 1.0f, FaceMode::Auto}, {}).pixels != in.pixels);
    CHECK(gpuBeauty(in, {0.0f, 0.0f, 0.0f, FaceMode::Auto}, {}).pixels == in.pixels);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Beauty rejects parameters out of range and in-place use", "[gpu]") {
    RgbaImage out;
    auto bad = runner().run(portrait(), {1.5f, 0.0f, 0.0f, FaceMode::Auto}, {}, out);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "beauty: smoothing = 1.5 is outside the allowed range 0..1");

    auto stage = stages::Beauty::create(test::device(), 904, 572);
    REQUIRE(stage);
    auto oneShot = stages::OneShot::create(test::device());
    REQUIRE(oneShot);
    gpu::Buffer buffer;
    REQUIRE(oneShot->ensure(buffer, 904 * 572 * 4, gpu::MemoryUse::GpuOnly));
    auto inPlace = oneShot->run("beauty", [&](VkCommandBuffer cmd) {
        return stage->record(cmd, {buffer.get(), 0, VK_WHOLE_SIZE}, {buffer.get(), 0, VK_WHOLE_SIZE},
                             BeautyParams{});
    });
    REQUIRE_FALSE(inPlace);
    CHECK(inPlace.error().code == ErrorCode::InvalidArgument);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
