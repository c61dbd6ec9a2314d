// SPDX-License-Identifier: MIT
// Viewfinder crop/scale: the 50 MP sensor frame (8160x6120 NV12) to the 904x572 panel,
// filled (centred 8160x5163 crop). The GPU stage (timestamp queries) beside its anchors from
// the same run: the read floor of the cropped input (1 and 2 threads), libyuv's box
// NV12Scale + NV12ToARGB (1 thread, and 2 row bands on 2 threads) and OpenCV INTER_AREA.
#include "bench_support.hpp"
#include "core/crop_plan.hpp"
#include "core/test_patterns.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "harness/crop_scale_runner.hpp"

#include <libyuv/convert_argb.h>
#include <libyuv/scale_uv.h>
// The portable benchmark (REARVIEW_PORTABLE_BENCH) is built without OpenCV: its anchors are
// the read floor and libyuv.
#ifndef REARVIEW_BENCH_NO_OPENCV
#include <opencv2/imgproc.hpp>
#endif

#include <thread>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;

struct Frame {
    Nv12Image image;
    CropPlan plan;
    uint32_t cropX, cropY, cropW, cropH; // integer crop for the CPU anchors
};

const Frame& frame() {
    static Frame f = [] {
        uint32_t w, h;
        bench::frameSize(w, h);
        Frame fr;
        fr.image = Nv12Image(w, h, 0, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
        patterns::fillRamps(fr.image);
        fr.plan = *planCrop(w, h, kPanelW, kPanelH, ViewGeometry{});
        fr.cropX = uint32_t(fr.plan.cropX) & ~1u;
        fr.cropY = uint32_t(fr.plan.cropY) & ~1u;
        fr.cropW = uint32_t(fr.plan.cropWidth) & ~1u;
        fr.cropH = uint32_t(fr.plan.cropHeight) & ~1u;
        return fr;
    }();
    return f;
}

const uint8_t* yAt(const Frame& f, uint32_t row) { return f.image.yPlane() + size_t(f.cropY + row) * f.image.stride() + f.cropX; }
const uint8_t* uvAt(const Frame& f, uint32_t row) {
    return f.image.uvPlane() + size_t(f.cropY / 2 + row) * f.image.stride() + f.cropX;
}

void cropReadFloor(benchmark::State& state) {
    const Frame& f = frame();
    const unsigned threads = unsigned(state.range(0));
    // The crop's rows are contiguous in each plane (full-width crop); touch both spans.
    const std::span<const uint8_t> y(yAt(f, 0), size_t(f.image.stride()) * f.cropH);
    const std::span<const uint8_t> uv(uvAt(f, 0), size_t(f.image.stride()) * f.cropH / 2);
    for (auto _ : state) {
        benchmark::DoNotOptimize(bench::touchCacheLines(y, threads));
        benchmark::DoNotOptimize(bench::touchCacheLines(uv, threads));
    }
}

/// libyuv box scale of output rows [row0, row1) of the crop, then conversion to ARGB.
void libyuvBand(const Frame& f, uint32_t row0, uint32_t row1, uint8_t* y, uint8_t* uv, uint8_t* argb) {
    const uint32_t in0 = uint32_t(uint64_t(row0) * f.cropH / kPanelH) & ~1u;
    const uint32_t in1 = row1 == kPanelH ? f.cropH : uint32_t(uint64_t(row1) * f.cropH / kPanelH) & ~1u;
    const int rows = int(row1 - row0), stride = int(f.image.stride());
    libyuv::NV12Scale(yAt(f, in0), stride, uvAt(f, in0 / 2), stride, int(f.cropW), int(in1 - in0),
                      y + size_t(row0) * kPanelW, kPanelW, uv + size_t(row0 / 2) * kPanelW, kPanelW, kPanelW, rows,
                      libyuv::kFilterBox);
    libyuv::NV12ToARGBMatrix(y + size_t(row0) * kPanelW, kPanelW, uv + size_t(row0 / 2) * kPanelW, kPanelW,
                             argb + size_t(row0) * kPanelW * 4, kPanelW * 4, &libyuv::kYuvH709Constants, kPanelW,
                             rows);
}

void libyuvBox(benchmark::State& state) {
    const Frame& f = frame();
    std::vector<uint8_t> y(size_t(kPanelW) * kPanelH), uv(size_t(kPanelW) * kPanelH / 2),
        argb(size_t(kPanelW) * kPanelH * 4);
    const bool twoThreads = state.range(0) == 2;
    for (auto _ : state) {
        if (twoThreads) {
            std::jthread second([&] { libyuvBand(f, kPanelH / 2, kPanelH, y.data(), uv.data(), argb.data()); });
            libyuvBand(f, 0, kPanelH / 2, y.data(), uv.data(), argb.data());
        } else {
            libyuvBand(f, 0, kPanelH, y.data(), uv.data(), argb.data());
        }
        benchmark::DoNotOptimize(argb.data());
    }
}

#ifndef REARVIEW_BENCH_NO_OPENCV
void opencvArea(benchmark::State& state) {
    const Frame& f = frame();
    const cv::Mat yIn(int(f.cropH), int(f.cropW), CV_8UC1, const_cast<uint8_t*>(yAt(f, 0)), f.image.stride());
    const cv::Mat uvIn(int(f.cropH / 2), int(f.cropW / 2), CV_8UC2, const_cast<uint8_t*>(uvAt(f, 0)), f.image.stride());
    cv::Mat y, uv, rgba;
    for (auto _ : state) {
        cv::resize(yIn, y, cv::Size(kPanelW, kPanelH), 0, 0, cv::INTER_AREA);
        cv::resize(uvIn, uv, cv::Size(kPanelW / 2, kPanelH / 2), 0, 0, cv::INTER_AREA);
        cv::cvtColorTwoPlane(y, uv, rgba, cv::COLOR_YUV2RGBA_NV12);
        benchmark::DoNotOptimize(rgba.data);
    }
}
#endif

void gpuCropScale(benchmark::State& state) {
    auto runner = bench::runnerOrSkip<stages::CropScaleRunner>(state);
    if (!runner)
        return;
    const Frame& f = frame();
    RgbaImage out;
    std::vector<double> vertical, horizontal;
    bench::gpuTimedLoop(
        state, bench::gpu()->info().name, [&] { return runner->run(f.image.view(), f.plan, out); },
        [&] {
            vertical.push_back(runner->lastPassMs().vertical);
            horizontal.push_back(runner->lastPassMs().horizontal);
            return runner->lastGpuMs();
        });
    // Where the stage's time goes: its two passes, timed with timestamps between them.
    if (!vertical.empty()) {
        state.counters["vertical_p50_ms"] = bench::percentile(vertical, 0.50);
        state.counters["horizontal_p50_ms"] = bench::percentile(horizontal, 0.50);
    }
}

} // namespace

BENCHMARK(cropReadFloor)->Name("crop_scale/anchor/read_floor")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(libyuvBox)->Name("crop_scale/anchor/libyuv_box")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
#ifndef REARVIEW_BENCH_NO_OPENCV
BENCHMARK(opencvArea)->Name("crop_scale/anchor/opencv_area")->Unit(benchmark::kMillisecond)->UseRealTime();
#endif
BENCHMARK(gpuCropScale)->Name("crop_scale/gpu")->Unit(benchmark::kMillisecond)->UseManualTime();
