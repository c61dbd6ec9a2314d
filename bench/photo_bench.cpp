// SPDX-License-Identifier: MIT
// A photo at the sensor's size (REARVIEW_BENCH_SIZE, default 8160x6120): the JPEG encode
// (libjpeg-turbo with EXIF, as photos are written) beside OpenCV's imencode of the same image
// and the image's read floor, in the same run. The GPU part, each shipped pipeline at that size
// as a photo runs it, is photo/gpu/<pipeline> in stage_chain_bench.cpp.
#include "bench_support.hpp"
#include "photo/exif.hpp"
#include "photo/jpeg_encoder.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <vector>

using namespace rearview;

namespace {

constexpr int kQuality = 92;

void encodeJpeg(benchmark::State& state) {
    const RgbaImage& image = bench::sensorRampsImage();
    auto exif = photo::buildExif({.orientation = 1, .width = image.width, .height = image.height});
    size_t bytes = 0;
    for (auto _ : state) {
        auto jpeg = photo::encodeJpeg(image.pixels.data(), image.width, image.height, size_t(image.width) * 4,
                                      kQuality, exif ? *exif : std::vector<uint8_t>{});
        if (!jpeg) {
            state.SkipWithError(jpeg.error().message.c_str());
            return;
        }
        bytes = jpeg->size();
    }
    state.counters["MB"] = double(bytes) / 1e6;
}

void opencvImencode(benchmark::State& state) {
    const RgbaImage& image = bench::sensorRampsImage();
    const cv::Mat rgba(int(image.height), int(image.width), CV_8UC4, const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat bgr;
    cv::cvtColor(rgba, bgr, cv::COLOR_RGBA2BGR);
    std::vector<uint8_t> out;
    for (auto _ : state)
        cv::imencode(".jpg", bgr, out, {cv::IMWRITE_JPEG_QUALITY, kQuality});
    state.counters["MB"] = double(out.size()) / 1e6;
}

void readFloor(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines(bench::sensorRampsImage().pixels, 1));
}

} // namespace

BENCHMARK(encodeJpeg)->Name("photo/encode/libjpeg-turbo")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(opencvImencode)->Name("photo/anchor/opencv_imencode")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(readFloor)->Name("photo/anchor/read_floor")->Unit(benchmark::kMillisecond)->UseRealTime();
