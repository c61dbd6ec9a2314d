// SPDX-License-Identifier: MIT
#include "capture/camera_source.hpp"
#include "capture/libcamera_support.hpp"

#include <rearview/camera.hpp>

#include <catch2/catch_test_macros.hpp>

#include <algorithm>

using namespace rearview;

namespace {

const CameraInfo* find(const std::vector<CameraInfo>& cameras, std::string_view id) {
    auto it = std::find_if(cameras.begin(), cameras.end(), [&](const CameraInfo& c) { return c.id == id; });
    return it == cameras.end() ? nullptr : &*it;
}

} // namespace

TEST_CASE("Both rig cameras enumerate with their properties", "[camera]") {
    auto cameras = listCameras();
    REQUIRE(cameras.has_value());
    const std::vector<FrameSize> rigSizes{{8160, 6120}, {4080, 3060}, {2040, 1530}};
    for (std::string_view id : {"main", "ultrawide"}) {
        INFO("camera " << id);
        const CameraInfo* info = find(*cameras, id);
        REQUIRE(info != nullptr);
        CHECK(info->location == CameraLocation::Back);
        CHECK(toString(info->location) == "back");
        CHECK(info->model.find(id) != std::string::npos);
        CHECK(info->pixelArraySize == FrameSize{8160, 6120});
        CHECK(info->nv12Sizes == rigSizes);
        CHECK(info->nv12MaxSize == FrameSize{8160, 6120});
        CHECK(info->nv12MinSize == FrameSize{2040, 1530});
    }
    CHECK(find(*cameras, "main")->model != find(*cameras, "ultrawide")->model);
}

TEST_CASE("Stream colour spaces map to rearview's; none means the documented default", "[camera]") {
    using LcColorSpace = libcamera::ColorSpace;
    CHECK_FALSE(capture::fromLibcamera(std::nullopt).has_value());
    CHECK_FALSE(capture::fromLibcamera(LcColorSpace::Raw).has_value()); // no YCbCr encoding
    CHECK(capture::fromLibcamera(LcColorSpace::Sycc) == ColorSpace{YcbcrMatrix::Bt601, YcbcrRange::Full});
    CHECK(capture::fromLibcamera(LcColorSpace::Smpte170m) == ColorSpace{YcbcrMatrix::Bt601, YcbcrRange::Limited});
    CHECK(capture::fromLibcamera(LcColorSpace::Rec709) == ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
    CHECK(capture::fromLibcamera(LcColorSpace::Rec2020) == ColorSpace{YcbcrMatrix::Bt2020, YcbcrRange::Limited});
    // What CameraStreamInfo reports when the camera gives none (libcamera's sYCC, as JPEG).
    CHECK(CameraStreamInfo{}.colorSpace == ColorSpace{YcbcrMatrix::Bt601, YcbcrRange::Full});
    CHECK_FALSE(CameraStreamInfo{}.colorSpaceFromCamera);
}
