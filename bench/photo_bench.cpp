// SPDX-License-Identifier: MIT
// A photo at the sensor's size (REARVIEW_BENCH_SIZE, default 8160x6120): each shipped
// pipeline's viewfinder list run at that size with its size-dependent parameters scaled as a
// photo runs it (StageChain scale: photo pixels per panel pixel), the JPEG encode
// (libjpeg-turbo with EXIF, as photos are written), beside OpenCV's imencode of the same
// image and the image's read floor, in the same run.
#include "bench_support.hpp"
#include "core/test_patterns.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "harness/one_shot.hpp"
#include "photo/exif.hpp"
#include "photo/jpeg_encoder.hpp"
#include "stages/stage_chain.hpp"

#include <rearview/pipeline.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <array>
#include <format>
#include <string>

using namespace rearview;

namespace {

constexpr std::array kPipelines = {"selfie-beauty.yaml", "selfie-natural.yaml", "vivid.yaml", "mono-film.yaml"};
constexpr uint32_t kPanelW = 904;
constexpr int kQuality = 92;

/// The photo's RGBA image: the ramps test pattern at the bench size.
const RgbaImage& photoImage() {
    static const RgbaImage image = [] {
        uint32_t w = 0, h = 0;
        bench::frameSize(w, h);
        Nv12Image frame(w, h, 0, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
        patterns::fillRamps(frame);
        RgbaImage out;
        cpu::Nv12ToRgba(frame.view(), out);
        return out;
    }();
    return image;
}

void gpuPhoto(benchmark::State& state, const char* pipelineFile) {
    GpuContext* g = bench::gpu();
    if (!g) {
        state.SkipWithError("no Vulkan device");
        return;
    }
    gpu::Device& device = deviceOf(*g);
    const RgbaImage& image = photoImage();
    auto pipeline = loadPipeline(std::string(REARVIEW_PIPELINES_DIR) + "/" + pipelineFile);
    auto chain = stages::StageChain::create(device, image.width, image.height, double(image.width) / kPanelW);
    auto shot = stages::OneShot::create(device);
    if (!pipeline || !chain || !shot) {
        state.SkipWithError("pipeline, chain or one-shot could not be made");
        return;
    }
    if (auto ok = chain->apply(pipeline->viewfinder); !ok) {
        state.SkipWithError(ok.error().message.c_str());
        return;
    }
    RgbaImage out;
    double lastMs = 0;
    bench::gpuTimedLoop(
        state, g->info().name,
        [&]() -> Result<void> {
            auto ms = shot->runOnImage("photo", image, out, false,
                                       [&](VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst) {
                                           return chain->record(cmd, src, dst, 1, shot->spans());
                                       });
            if (!ms)
                return std::unexpected(ms.error());
            lastMs = *ms;
            return {};
        },
        [&] { return lastMs; });
}

void encodeJpeg(benchmark::State& state) {
    const RgbaImage& image = photoImage();
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
    const RgbaImage& image = photoImage();
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
        benchmark::DoNotOptimize(bench::touchCacheLines(photoImage().pixels, 1));
}

} // namespace

[[maybe_unused]] const bool registeredPhoto = [] {
    for (const char* file : kPipelines) {
        const std::string stem = std::string(file).substr(0, std::string(file).find('.'));
        benchmark::RegisterBenchmark(std::format("photo/gpu/{}", stem), gpuPhoto, file)
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
    }
    return true;
}();

BENCHMARK(encodeJpeg)->Name("photo/encode/libjpeg-turbo")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(opencvImencode)->Name("photo/anchor/opencv_imencode")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(readFloor)->Name("photo/anchor/read_floor")->Unit(benchmark::kMillisecond)->UseRealTime();
