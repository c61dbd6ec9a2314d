// SPDX-License-Identifier: MIT
// Image files as NV12: the colour matrices (checked against the textbook formulas), the
// centred crop to the frame's aspect ratio, and a real photo's round trip.
#include "core/image_file.hpp"
#include "cpu/nv12_to_rgba.hpp"

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <format>

using namespace rearview;

namespace {

struct TempDir {
    // One per process: CTest runs test cases in parallel processes.
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / std::format("rearview-image-file-test-{}", ::getpid());
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::string writeSolid(const TempDir& dir, const std::string& name, int w, int h, cv::Scalar bgr) {
    const std::string path = dir.file(name);
    REQUIRE(cv::imwrite(path, cv::Mat(h, w, CV_8UC3, bgr)));
    return path;
}

struct Ycbcr {
    double y, cb, cr;
};

// ITU-R BT.601 / BT.709 / BT.2020 from the standards' Kr and Kb, independent of the library.
Ycbcr textbook(double r, double g, double b, ColorSpace cs) {
    const double kr = cs.matrix == YcbcrMatrix::Bt601 ? 0.299 : cs.matrix == YcbcrMatrix::Bt709 ? 0.2126 : 0.2627;
    const double kb = cs.matrix == YcbcrMatrix::Bt601 ? 0.114 : cs.matrix == YcbcrMatrix::Bt709 ? 0.0722 : 0.0593;
    r /= 255, g /= 255, b /= 255;
    const double y = kr * r + (1 - kr - kb) * g + kb * b;
    const double pb = (b - y) / (2 * (1 - kb)), pr = (r - y) / (2 * (1 - kr));
    if (cs.range == YcbcrRange::Full) return {255 * y, 128 + 255 * pb, 128 + 255 * pr};
    return {16 + 219 * y, 128 + 224 * pb, 128 + 224 * pr};
}

const ColorSpace kAll[] = {
    {YcbcrMatrix::Bt601, YcbcrRange::Limited}, {YcbcrMatrix::Bt601, YcbcrRange::Full},
    {YcbcrMatrix::Bt709, YcbcrRange::Limited}, {YcbcrMatrix::Bt709, YcbcrRange::Full},
    {YcbcrMatrix::Bt2020, YcbcrRange::Limited}, {YcbcrMatrix::Bt2020, YcbcrRange::Full},
};

} // namespace

TEST_CASE("Image colours are encoded with the chosen colour space's matrix and range", "[unit]") {
    TempDir dir;
    for (const auto& [r, g, b] : {std::tuple{200, 100, 50}, {30, 180, 220}, {250, 250, 250}, {0, 0, 0}}) {
        const std::string path = writeSolid(dir, std::format("{}-{}-{}.png", r, g, b), 64, 48, cv::Scalar(b, g, r));
        for (const ColorSpace cs : kAll) {
            INFO(std::format("RGB {},{},{} as {}-{}", r, g, b, toString(cs.matrix), toString(cs.range)));
            auto image = readImageNv12(path, 32, 24, 40, cs);
            REQUIRE(image);
            CHECK(image->stride() == 40);
            CHECK(image->colorSpace() == cs);
            const Ycbcr want = textbook(r, g, b, cs);
            // libyuv's fixed-point BT.601 encoders are within 1 of the exact value.
            CHECK(std::abs(image->yPlane()[5 * 40 + 7] - want.y) <= 1.0);
            CHECK(std::abs(image->uvPlane()[3 * 40 + 2 * 4] - want.cb) <= 1.0);
            CHECK(std::abs(image->uvPlane()[3 * 40 + 2 * 4 + 1] - want.cr) <= 1.0);
        }
    }
}

TEST_CASE("An image is cropped to the frame's aspect ratio around its centre, then scaled", "[unit]") {
    TempDir dir;
    // Wide: red | green | blue thirds; the square frame sees the middle of it, mostly green.
    cv::Mat wide(100, 300, CV_8UC3, cv::Scalar(0, 0, 255));
    wide(cv::Rect(100, 0, 100, 100)).setTo(cv::Scalar(0, 255, 0));
    wide(cv::Rect(200, 0, 100, 100)).setTo(cv::Scalar(255, 0, 0));
    // Tall: red top half, blue bottom half; a 2:1 frame sees the middle band, split in two.
    cv::Mat tall(400, 100, CV_8UC3, cv::Scalar(0, 0, 255));
    tall(cv::Rect(0, 200, 100, 200)).setTo(cv::Scalar(255, 0, 0));
    REQUIRE(cv::imwrite(dir.file("wide.png"), wide));
    REQUIRE(cv::imwrite(dir.file("tall.png"), tall));

    RgbaImage rgba;
    auto square = readImageNv12(dir.file("wide.png"), 50, 50);
    REQUIRE(square);
    cpu::Nv12ToRgba(square->view(), rgba);
    for (uint32_t x : {2u, 25u, 47u}) {
        INFO("x " << x);
        const uint8_t* px = rgba.row(25) + 4 * x;
        CHECK(px[1] > 200); // green everywhere: no red or blue third got in
        CHECK(px[0] < 40);
        CHECK(px[2] < 40);
    }

    auto band = readImageNv12(dir.file("tall.png"), 100, 50);
    REQUIRE(band);
    cpu::Nv12ToRgba(band->view(), rgba);
    CHECK(rgba.row(10)[4 * 50 + 0] > 200); // top: red
    CHECK(rgba.row(10)[4 * 50 + 2] < 40);
    CHECK(rgba.row(40)[4 * 50 + 2] > 200); // bottom: blue
    CHECK(rgba.row(40)[4 * 50 + 0] < 40);
}

TEST_CASE("A photo survives the trip to NV12 and back in every colour space", "[unit]") {
    const std::string path = std::string(REARVIEW_ASSETS_DIR) + "/astronaut.png";
    cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
    REQUIRE_FALSE(bgr.empty());
    REQUIRE(bgr.cols == bgr.rows); // square: a square frame takes all of it, only scaled
    cv::Mat scaled;
    cv::resize(bgr, scaled, cv::Size(256, 256), 0, 0, cv::INTER_AREA);
    for (const ColorSpace cs : kAll) {
        INFO(std::format("{}-{}", toString(cs.matrix), toString(cs.range)));
        auto image = readImageNv12(path, 256, 256, 0, cs);
        REQUIRE(image);
        RgbaImage back;
        cpu::Nv12ToRgba(image->view(), back);
        double se = 0;
        for (int y = 0; y < 256; ++y)
            for (int x = 0; x < 256; ++x)
                for (int c = 0; c < 3; ++c) {
                    const double d = double(back.row(uint32_t(y))[4 * x + c]) - scaled.at<cv::Vec3b>(y, x)[2 - c];
                    se += d * d;
                }
        const double psnr = 10 * std::log10(255.0 * 255.0 * 256 * 256 * 3 / se);
        INFO("PSNR " << psnr << " dB");
        CHECK(psnr > 30.0); // chroma subsampling and 8-bit rounding only
    }
}

TEST_CASE("Image reading errors name the file and the value", "[unit]") {
    TempDir dir;
    const std::string ok = writeSolid(dir, "ok.png", 8, 8, cv::Scalar(1, 2, 3));
    auto zero = readImageNv12(ok, 0, 8);
    REQUIRE_FALSE(zero);
    CHECK(zero.error().code == ErrorCode::InvalidArgument);
    CHECK(zero.error().message.find("0x8") != std::string::npos);
    auto narrow = readImageNv12(ok, 16, 8, 10);
    REQUIRE_FALSE(narrow);
    CHECK(narrow.error().code == ErrorCode::InvalidArgument);
    CHECK(narrow.error().message.find("stride 10") != std::string::npos);
    auto missing = readImageNv12(dir.file("missing.jpg"), 8, 8);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::NotFound);
    CHECK(missing.error().message.find("missing.jpg") != std::string::npos);
}
