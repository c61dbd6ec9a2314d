// SPDX-License-Identifier: MIT
// Beauty on the 904x572 working image: the GPU stage (timestamp queries; p50/p99 per frame
// as counters) beside anchors from the same run: OpenCV bilateralFilter (the usual
// edge-preserving smoothing baseline, d = 9), the CPU reference cpu::Beauty (one thread) and
// the read floor; and the face detector on its thumbnail (the analysis tap's cost per run).
#include "analysis/face_detector.hpp"
#include "bench_support.hpp"
#include "core/test_patterns.hpp"
#include "cpu/beauty.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "harness/beauty_runner.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;
const analysis::FaceBox kFace{300, 40, 200, 200};
const BeautyParams kParams{0.7f, 0.3f, 0.2f, FaceMode::Auto};

const RgbaImage& image() {
    static const RgbaImage img = [] {
        Nv12Image frame(kPanelW, kPanelH);
        patterns::fillZonePlate(frame);
        RgbaImage out;
        cpu::Nv12ToRgba(frame.view(), out);
        return out;
    }();
    return img;
}

void gpuBeauty(benchmark::State& state) {
    auto runner = bench::runnerOrSkip<stages::BeautyRunner>(state);
    if (!runner)
        return;
    RgbaImage out;
    bench::gpuTimedLoop(
        state, bench::gpu()->info().name, [&] { return runner->run(image(), kParams, std::span(&kFace, 1), out); },
        [&] { return runner->lastGpuMs(); });
}

void bilateral(benchmark::State& state) {
    const RgbaImage& in = image();
    cv::Mat rgba(int(in.height), int(in.width), CV_8UC4, const_cast<uint8_t*>(in.pixels.data())), rgb, out;
    cv::cvtColor(rgba, rgb, cv::COLOR_RGBA2RGB);
    const int threads = cv::getNumThreads();
    cv::setNumThreads(int(state.range(0)));
    for (auto _ : state) {
        cv::bilateralFilter(rgb, out, 9, 30.0, 7.0);
        benchmark::DoNotOptimize(out.data);
    }
    cv::setNumThreads(threads);
}

void cpuReference(benchmark::State& state) {
    RgbaImage work;
    for (auto _ : state) {
        work = image();
        cpu::Beauty(work, kParams, std::span(&kFace, 1));
        benchmark::DoNotOptimize(work.pixels.data());
    }
}

void readFloor(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines(image().pixels, 1));
}

void faceDetect(benchmark::State& state) {
    auto detector = analysis::FaceDetector::create();
    if (!detector) {
        state.SkipWithError(detector.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        auto faces = detector->detect(image());
        if (!faces) {
            state.SkipWithError(faces.error().message.c_str());
            return;
        }
        benchmark::DoNotOptimize(faces->data());
    }
}

} // namespace

BENCHMARK(gpuBeauty)->Name("beauty/gpu")->Unit(benchmark::kMillisecond)->UseManualTime();
// Arg: OpenCV threads.
BENCHMARK(bilateral)->Name("beauty/anchor/opencv_bilateral")->ArgName("threads")->Arg(1)->Arg(2)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cpuReference)->Name("beauty/anchor/cpu_reference")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(readFloor)->Name("beauty/anchor/read_floor")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(faceDetect)->Name("beauty/face_detect_452")->Unit(benchmark::kMillisecond)->UseRealTime();
