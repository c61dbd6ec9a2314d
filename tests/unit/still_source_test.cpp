// SPDX-License-Identifier: MIT
// Still images as a camera: a directory is shown image by image, frames keep their sequence.
#include "capture/still_source.hpp"

#include <catch2/catch_test_macros.hpp>

#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <format>
#include <fstream>
#include <numeric>
#include <thread>
#include <unistd.h>

using namespace rearview;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

fs::path scratchDir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / std::format("rearview-stills-{}-{}", name, ::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

double lumaMean(const CapturedFrame& f) {
    const uint8_t* y = f.memory->data;
    uint64_t sum = 0;
    for (uint32_t r = 0; r < f.height; ++r)
        sum = std::accumulate(y + size_t(r) * f.stride, y + size_t(r) * f.stride + f.width, sum);
    return double(sum) / (double(f.width) * f.height);
}

} // namespace

TEST_CASE("A directory of stills is shown image by image, in name order, as one stream", "[unit][stills]") {
    const fs::path dir = scratchDir("dir");
    cv::imwrite((dir / "a-dark.png").string(), cv::Mat(48, 64, CV_8UC3, cv::Scalar(30, 30, 30)));
    cv::imwrite((dir / "b-bright.jpg").string(), cv::Mat(48, 64, CV_8UC3, cv::Scalar(220, 220, 220)));
    std::ofstream(dir / "notes.txt") << "not an image";

    auto source = StillSource::create({.path = dir, .width = 64, .height = 48, .frameRate = 0, .secondsPerImage = 0.3});
    if (!source)
        FAIL(source.error().describe());
    REQUIRE(source->images().size() == 2);
    CHECK(source->current().filename() == "a-dark.png");

    auto first = source->nextFrame(1s);
    REQUIRE(first);
    REQUIRE(first->has_value());
    CHECK((*first)->sequence == 0);
    CHECK(lumaMean(**first) < 60);
    first->reset();

    std::this_thread::sleep_for(350ms);
    auto second = source->nextFrame(1s);
    REQUIRE(second);
    REQUIRE(second->has_value());
    CHECK(source->current().filename() == "b-bright.jpg");
    CHECK((*second)->sequence == 1);
    CHECK(lumaMean(**second) > 180);
    fs::remove_all(dir);
}

TEST_CASE("Still sources refuse what they cannot show, naming it", "[unit][stills]") {
    const fs::path empty = scratchDir("empty");
    auto none = StillSource::create({.path = empty});
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ErrorCode::NotFound);
    CHECK(none.error().message.find(empty.string()) != std::string::npos);
    CHECK(none.error().message.find(".png") != std::string::npos);

    auto missing = StillSource::create({.path = empty / "missing.png"});
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::NotFound);

    auto rate = StillSource::create({.path = empty, .secondsPerImage = 0});
    REQUIRE_FALSE(rate);
    CHECK(rate.error().code == ErrorCode::InvalidArgument);
    fs::remove_all(empty);
}
