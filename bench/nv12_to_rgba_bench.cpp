// SPDX-License-Identifier: MIT
// NV12 -> RGBA: the GPU stage (GPU time from timestamp queries) beside its anchors from the
// same run: the read floor (1 and 2 threads) and libyuv NV12ToARGBMatrix (1 thread).
#include "bench_support.hpp"
#include "core/test_patterns.hpp"
#include "cpu/nv12_to_rgba.hpp"

#include <rearview/color_convert.hpp>
#include <rearview/gpu.hpp>

using namespace rearview;

namespace {

const Nv12Image& frame() {
    static Nv12Image image = [] {
        uint32_t w, h;
        bench::frameSize(w, h);
        Nv12Image f(w, h, 0, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
        patterns::fillRamps(f);
        patterns::compressChroma(f);
        return f;
    }();
    return image;
}

GpuContext* gpu() { return bench::gpu(); }

void readFloor(benchmark::State& state) {
    const unsigned threads = unsigned(state.range(0));
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines(frame().bytes(), threads));
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(frame().bytes().size()));
}

void libyuvNv12ToRgba(benchmark::State& state) {
    RgbaImage out(frame().width(), frame().height());
    for (auto _ : state) {
        cpu::Nv12ToRgbaLibyuv(frame().view(), out);
        benchmark::DoNotOptimize(out.pixels.data());
    }
}

void gpuNv12ToRgba(benchmark::State& state) {
    GpuContext* g = gpu();
    if (!g) {
        state.SkipWithError("no Vulkan device");
        return;
    }
    auto conv = Nv12ToRgbaConverter::create(*g, frame().width(), frame().height(), frame().stride());
    if (!conv) {
        state.SkipWithError(conv.error().message.c_str());
        return;
    }
    RgbaImage out;
    for (auto _ : state) {
        if (!conv->convert(frame().view(), out)) {
            state.SkipWithError("conversion failed");
            return;
        }
        if (bench::skipWithoutGpuTime(state, conv->lastGpuMs()))
            return;
        state.SetIterationTime(conv->lastGpuMs() / 1000.0);
    }
    state.SetLabel(g->info().name);
}

} // namespace

BENCHMARK(readFloor)->Name("anchor/read_floor")->Arg(1)->Arg(2)->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(libyuvNv12ToRgba)->Name("anchor/libyuv_nv12_to_argb")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(gpuNv12ToRgba)->Name("gpu/nv12_to_rgba")->Unit(benchmark::kMillisecond)->UseManualTime();
