// SPDX-License-Identifier: MIT
// Record branch crop/scale: the 50 MP sensor frame (8160x6120 NV12), its centred 16:9 crop
// (8160x4590) to 7680x4320 (x1.0625) and to 3840x2160 (x2.125) NV12. The GPU stage
// (timestamp queries) beside its anchors from the same run: libyuv NV12Scale(kFilterBox) of
// the same crop to the same size (1 thread) and the read floor of the crop (2 threads).
// libyuv's box filter falls back to bilinear when the downscale is below 2x, so the 8K
// anchor is a bilinear one. REARVIEW_BENCH_SIZE shrinks the frame, and the outputs with it.
#include "bench_support.hpp"
#include "core/record_plan.hpp"
#include "core/test_patterns.hpp"
#include "harness/record_scale_runner.hpp"

#include <libyuv/scale_uv.h>
#include <libyuv/scale.h>

using namespace rearview;

namespace {

struct Frame {
    Nv12Image image;
    RecordPlan plan[3];                  // 8K, 4K and 1080p for the sensor frame
    uint32_t cropX, cropY, cropW, cropH; // even integer crop for libyuv
};

const Frame& frame() {
    static Frame f = [] {
        uint32_t w, h;
        bench::frameSize(w, h);
        Frame fr;
        fr.image = Nv12Image(w, h, (w + 7) & ~7u, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
        patterns::fillRamps(fr.image);
        // 7680, 3840 and 1920 of 8160: 16/17, 8/17 and 4/17 of the frame width, 16:9.
        for (int i = 0; i < 3; ++i) {
            const uint32_t ow = uint32_t(double(w) * (16 >> i) / 17 / 2 + 0.5) * 2;
            const uint32_t oh = uint32_t(double(ow) * 9 / 16 / 2 + 0.5) * 2;
            fr.plan[i] = *planRecord(w, h, ow, oh);
        }
        const CropRect& c = fr.plan[0].crop;
        fr.cropX = uint32_t(c.x) & ~1u;
        fr.cropY = uint32_t(c.y) & ~1u;
        fr.cropW = uint32_t(c.width) & ~1u;
        fr.cropH = uint32_t(c.height) & ~1u;
        return fr;
    }();
    return f;
}

void labelSize(benchmark::State& state, const RecordPlan& p) {
    state.counters["out_w"] = p.outWidth;
    state.counters["out_h"] = p.outHeight;
}

void readFloor(benchmark::State& state) {
    const Frame& f = frame();
    const uint32_t stride = f.image.stride();
    const std::span<const uint8_t> y(f.image.yPlane() + size_t(f.cropY) * stride, size_t(stride) * f.cropH);
    const std::span<const uint8_t> uv(f.image.uvPlane() + size_t(f.cropY / 2) * stride, size_t(stride) * f.cropH / 2);
    for (auto _ : state) {
        benchmark::DoNotOptimize(bench::touchCacheLines(y, 2));
        benchmark::DoNotOptimize(bench::touchCacheLines(uv, 2));
    }
}

void libyuvBox(benchmark::State& state) {
    const Frame& f = frame();
    const RecordPlan& p = f.plan[state.range(0)];
    const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(p.outWidth, p.outHeight);
    std::vector<uint8_t> out(layout.size);
    const int stride = int(f.image.stride());
    for (auto _ : state) {
        libyuv::NV12Scale(f.image.yPlane() + size_t(f.cropY) * stride + f.cropX, stride,
                          f.image.uvPlane() + size_t(f.cropY / 2) * stride + f.cropX, stride, int(f.cropW),
                          int(f.cropH), out.data(), int(layout.yStride), out.data() + layout.uvOffset,
                          int(layout.uvStride), int(p.outWidth), int(p.outHeight), libyuv::kFilterBox);
        benchmark::DoNotOptimize(out.data());
    }
    labelSize(state, p);
}

void gpuRecordScale(benchmark::State& state) {
    auto runner = bench::runnerOrSkip<stages::RecordScaleRunner>(state);
    if (!runner)
        return;
    const Frame& f = frame();
    const RecordPlan& p = f.plan[state.range(0)];
    Nv12Image out;
    bench::gpuTimedLoop(
        state, bench::gpu()->info().name, [&] { return runner->run(f.image.view(), p, out); },
        [&] { return runner->lastGpuMs(); });
    labelSize(state, p);
}

} // namespace

// Arg 0: 7680x4320 (8K), 1: 3840x2160 (4K), 2: 1920x1080, for the 8160x6120 sensor frame.
BENCHMARK(readFloor)->Name("record_scale/anchor/read_floor_2_threads")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(libyuvBox)->Name("record_scale/anchor/libyuv_box")->Arg(0)->Arg(1)->Arg(2)->ArgName("out")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(gpuRecordScale)->Name("record_scale/gpu")->Arg(0)->Arg(1)->Arg(2)->ArgName("out")->Unit(benchmark::kMillisecond)->UseManualTime();
