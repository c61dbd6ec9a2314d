// SPDX-License-Identifier: MIT
// The 3D LUT stage against its CPU reference (cpu::Lut3d in double precision: max abs error
// <= 1 code value, from the half-float LUT texels and float arithmetic) and against FFmpeg's
// lut3d filter applying the same .cube file (<= 2: FFmpeg truncates where rearview rounds),
// for every built-in look and random LUTs of sizes 2 to 65, both interpolations, on the
// astronaut photograph above a noise / ramp image (one 904x1144 image, so the panel-sized
// photo and the synthetic part go through each run together).
#include <rearview/cube_lut.hpp>
#include "core/image_file.hpp"
#include "cpu/lut3d.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "harness/lut3d_runner.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstdlib>
#include <filesystem>
#include <format>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace rearview;

namespace {

constexpr uint32_t kWidth = 904, kPanelHeight = 572;
constexpr int kReferenceTolerance = 1;
constexpr int kFfmpegTolerance = 2;
constexpr LutInterpolation kInterpolations[] = {LutInterpolation::Trilinear, LutInterpolation::Tetrahedral};
constexpr const char* kLooks[] = {"natural", "vivid", "warm", "cool", "mono", "film"};

const std::filesystem::path kLutDir =
    std::filesystem::path(REARVIEW_ASSETS_DIR).parent_path() / "pipelines" / "luts";

struct TempDir {
    // One per process: CTest runs test cases in parallel processes.
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / std::format("rearview-lut3d-test-{}", ::getpid());
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

/// The astronaut photo as the viewfinder sees it (904x572 NV12 -> RGBA), above 286 rows of
/// uniform noise in every channel (alpha too: it must pass through) and 286 rows of ramps:
/// a grey ramp (equal channels: the tetrahedra's shared diagonal) and a red/green/blue sweep.
const RgbaImage& testImage() {
    static const RgbaImage image = [] {
        RgbaImage out(kWidth, 2 * kPanelHeight);
        auto photo = readImageNv12(std::string(REARVIEW_ASSETS_DIR) + "/astronaut.png", kWidth, kPanelHeight, 0,
                                   {YcbcrMatrix::Bt709, YcbcrRange::Limited});
        if (!photo)
            FAIL(photo.error().describe());
        RgbaImage rgba;
        cpu::Nv12ToRgba(photo->view(), rgba);
        std::copy(rgba.pixels.begin(), rgba.pixels.end(), out.pixels.begin());
        std::mt19937 random(1234);
        for (uint32_t y = kPanelHeight; y < kPanelHeight + kPanelHeight / 2; ++y)
            for (uint32_t x = 0; x < kWidth * 4; ++x)
                out.row(y)[x] = uint8_t(random());
        for (uint32_t y = kPanelHeight + kPanelHeight / 2; y < 2 * kPanelHeight; ++y) {
            const uint32_t band = y - (kPanelHeight + kPanelHeight / 2);
            for (uint32_t x = 0; x < kWidth; ++x) {
                uint8_t* p = out.row(y) + x * 4;
                const auto ramp = uint8_t((x * 255 + (kWidth - 1) / 2) / (kWidth - 1));
                if (band < 96) {
                    p[0] = p[1] = p[2] = ramp;
                } else {
                    p[0] = ramp;
                    p[1] = uint8_t((band - 96) * 255 / (kPanelHeight / 2 - 97));
                    p[2] = uint8_t(255 - ramp);
                }
                p[3] = 255;
            }
        }
        return out;
    }();
    return image;
}

stages::Lut3dRunner& runner() {
    static stages::Lut3dRunner r = [] {
        auto c = stages::Lut3dRunner::create(test::device());
        if (!c)
            FAIL(c.error().describe());
        return std::move(*c);
    }();
    return r;
}

void setLut(const CubeLut& lut) {
    auto ok = runner().setLut(lut);
    if (!ok)
        FAIL(ok.error().describe());
}

RgbaImage onGpu(LutInterpolation interpolation, float strength, bool inPlace = false) {
    RgbaImage out;
    const LutParams params{.interpolation = interpolation, .strength = strength};
    auto ok = runner().run(testImage(), params, out, inPlace);
    if (!ok)
        FAIL(ok.error().describe());
    return out;
}

CubeLut loadLook(const std::string& name) {
    auto lut = CubeLut::load((kLutDir / (name + ".cube")).string());
    if (!lut)
        FAIL(lut.error().describe());
    return std::move(*lut);
}

/// Uniform random entries in [-0.1, 1.1] (outside [0, 1] too: outputs must clamp), as the
/// .cube text FFmpeg reads, parsed back so both sides use the same rounded values.
CubeLut randomLut(uint32_t size, uint32_t seed) {
    CubeLut lut = CubeLut::identity(size);
    lut.title = std::format("random {} #{}", size, seed);
    std::mt19937 random(seed);
    std::uniform_real_distribution<float> value(-0.1f, 1.1f);
    for (float& v : lut.rgb)
        v = value(random);
    auto back = CubeLut::parse(lut.toCubeText());
    if (!back)
        FAIL(back.error().describe());
    return std::move(*back);
}

void checkClose(const RgbaImage& actual, const RgbaImage& expected, int tolerance, const std::string& name) {
    const test::Difference d = test::compare(actual, expected);
    INFO(name << ": " << d.describe() << (d.y >= kPanelHeight ? " (synthetic part)" : " (photo)"));
    if (d.maxAbs > tolerance)
        test::writeFailureImages("lut3d." + name, actual, expected);
    CHECK(d.maxAbs <= tolerance);
}

/// GPU against the CPU reference for `lut` with both interpolations at `strengths`.
void checkAgainstReference(const CubeLut& lut, const std::string& name, std::initializer_list<float> strengths) {
    setLut(lut);
    for (LutInterpolation interpolation : kInterpolations)
        for (float strength : strengths) {
            RgbaImage expected;
            cpu::Lut3d(testImage(), lut, interpolation, strength, expected);
            checkClose(onGpu(interpolation, strength), expected, kReferenceTolerance,
                       std::format("{}.{}.{}", name, toString(interpolation), strength));
        }
}

RgbaImage readPng(const std::string& path) {
    const cv::Mat bgra = cv::imread(path, cv::IMREAD_UNCHANGED);
    REQUIRE(!bgra.empty());
    REQUIRE(bgra.type() == CV_8UC4);
    RgbaImage out(uint32_t(bgra.cols), uint32_t(bgra.rows));
    cv::Mat rgba(bgra.rows, bgra.cols, CV_8UC4, out.pixels.data());
    cv::cvtColor(bgra, rgba, cv::COLOR_BGRA2RGBA);
    return out;
}

/// FFmpeg's lut3d filter on the test image with `cube` (a .cube file), both interpolations
/// in one run: {trilinear, tetrahedral}.
std::array<RgbaImage, 2> onFfmpeg(const TempDir& dir, const std::string& cube) {
    const std::string in = dir.file("in.png");
    if (!std::filesystem::exists(in)) {
        const RgbaImage& image = testImage();
        cv::Mat rgba(int(image.height), int(image.width), CV_8UC4, const_cast<uint8_t*>(image.pixels.data()));
        cv::Mat bgra;
        cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
        REQUIRE(cv::imwrite(in, bgra));
    }
    const std::string tri = dir.file("trilinear.png"), tet = dir.file("tetrahedral.png");
    const std::string command = std::format(
        "ffmpeg -nostdin -hide_banner -loglevel error -y -i {0} -filter_complex "
        "\"[0:v]split=2[a][b];[a]lut3d=file={1}:interp=trilinear[t];[b]lut3d=file={1}:interp=tetrahedral[h]\" "
        "-map [t] -pix_fmt rgba -frames:v 1 -update 1 {2} -map [h] -pix_fmt rgba -frames:v 1 -update 1 {3}",
        in, cube, tri, tet);
    INFO(command);
    REQUIRE(std::system(command.c_str()) == 0);
    return {readPng(tri), readPng(tet)};
}

/// GPU against FFmpeg for `lut`, written to a .cube file, with both interpolations.
void checkAgainstFfmpeg(const TempDir& dir, const CubeLut& lut, const std::string& name) {
    const std::string cube = dir.file(name + ".cube");
    std::ofstream(cube) << lut.toCubeText();
    const auto ffmpeg = onFfmpeg(dir, cube);
    setLut(lut);
    for (size_t i = 0; i < 2; ++i)
        checkClose(onGpu(kInterpolations[i], 1.0f), ffmpeg[i], kFfmpegTolerance,
                   std::format("ffmpeg.{}.{}", name, toString(kInterpolations[i])));
}

} // namespace

TEST_CASE("3D LUT stage matches the CPU reference for every built-in look, at full and half strength", "[gpu]") {
    for (const char* look : kLooks)
        checkAgainstReference(loadLook(look), look, {1.0f, 0.5f});
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage matches the CPU reference for random LUTs of sizes 2, 17, 33 and 65", "[gpu]") {
    for (uint32_t size : {2u, 17u, 33u, 65u})
        checkAgainstReference(randomLut(size, size), std::format("random{}", size), {1.0f, 0.5f});
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage matches FFmpeg's lut3d filter for every built-in look", "[gpu]") {
    const TempDir dir;
    for (const char* look : kLooks)
        checkAgainstFfmpeg(dir, loadLook(look), look);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage matches FFmpeg's lut3d filter for random LUTs of sizes 2 to 65 and a wider domain",
          "[gpu]") {
    const TempDir dir;
    for (uint32_t size : {2u, 17u, 33u, 65u})
        checkAgainstFfmpeg(dir, randomLut(size, 100 + size), std::format("random{}", size));
    // FFmpeg honours DOMAIN_MAX (not DOMAIN_MIN, nor domains narrower than [0, 1]).
    CubeLut wide = loadLook("vivid");
    wide.domainMax = {1.5f, 2.0f, 1.25f};
    checkAgainstFfmpeg(dir, wide, "vivid_wide_domain");
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage maps inputs through any domain as the reference does", "[gpu]") {
    CubeLut lut = randomLut(17, 7);
    lut.domainMin = {0.1f, -0.2f, 0.3f};
    lut.domainMax = {0.9f, 1.0f, 2.0f};
    checkAgainstReference(lut, "domain", {1.0f});
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT strength 0 and identity LUTs pass the image through bit-exactly", "[gpu]") {
    setLut(randomLut(33, 3));
    for (LutInterpolation interpolation : kInterpolations) {
        INFO(toString(interpolation));
        CHECK(onGpu(interpolation, 0.0f).pixels == testImage().pixels);
        CHECK(onGpu(interpolation, 0.0f, true).pixels == testImage().pixels);
    }
    for (uint32_t size : {2u, 17u, 33u, 65u}) {
        setLut(CubeLut::identity(size));
        for (LutInterpolation interpolation : kInterpolations) {
            INFO(toString(interpolation) << " identity " << size);
            CHECK(onGpu(interpolation, 1.0f).pixels == testImage().pixels);
        }
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage works in place and follows a LUT switch between frames", "[gpu]") {
    const CubeLut warm = loadLook("warm"), mono = loadLook("mono");
    setLut(warm);
    const RgbaImage outOfPlace = onGpu(LutInterpolation::Tetrahedral, 0.7f);
    CHECK(onGpu(LutInterpolation::Tetrahedral, 0.7f, true).pixels == outOfPlace.pixels);
    setLut(mono);
    const RgbaImage grey = onGpu(LutInterpolation::Trilinear, 1.0f);
    RgbaImage expected;
    cpu::Lut3d(testImage(), mono, LutInterpolation::Trilinear, 1.0f, expected);
    checkClose(grey, expected, kReferenceTolerance, "switch.mono");
    bool neutral = true;
    for (size_t i = 0; i < grey.pixels.size(); i += 4)
        neutral = neutral && grey.pixels[i] == grey.pixels[i + 1] && grey.pixels[i] == grey.pixels[i + 2];
    CHECK(neutral);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The natural look stays within a few code values of its input", "[gpu]") {
    setLut(loadLook("natural"));
    const test::Difference d = test::compare(onGpu(LutInterpolation::Tetrahedral, 1.0f), testImage());
    INFO(d.describe());
    CHECK(d.maxAbs <= 6);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("3D LUT stage rejects a missing LUT, a strength outside 0..1 and short buffers", "[gpu]") {
    auto stage = stages::Lut3d::create(test::device());
    REQUIRE(stage);
    auto submitter = gpu::Submitter::create(test::device(), 1);
    REQUIRE(submitter);
    auto buffer = gpu::Buffer::create(test::device(), 64 * 64 * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                      gpu::MemoryUse::GpuOnly);
    REQUIRE(buffer);
    const VkDescriptorBufferInfo whole{buffer->get(), 0, VK_WHOLE_SIZE};
    auto cmd = submitter->begin();
    REQUIRE(cmd);
    auto noLut = stage->record(*cmd, whole, whole, 64, 64, {});
    REQUIRE_FALSE(noLut);
    CHECK(noLut.error().message.find("setLut") != std::string::npos);
    REQUIRE(stage->setLut(CubeLut::identity(2)));
    for (float strength : {-0.1f, 1.5f}) {
        auto bad = stage->record(*cmd, whole, whole, 64, 64, {.strength = strength});
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == ErrorCode::InvalidArgument);
        CHECK(bad.error().message.find("0..1") != std::string::npos);
    }
    auto shortRange = stage->record(*cmd, {buffer->get(), 0, 64 * 63 * 4}, whole, 64, 64, {});
    REQUIRE_FALSE(shortRange);
    CHECK(shortRange.error().message.find("smaller than a 64x64") != std::string::npos);
    CubeLut broken = CubeLut::identity(3);
    broken.rgb.pop_back();
    CHECK_FALSE(stage->setLut(broken));
    auto value = submitter->submit();
    REQUIRE(value);
    REQUIRE(test::device().waitTimeline(*value));
    REQUIRE_NO_VALIDATION_MESSAGES();
}
