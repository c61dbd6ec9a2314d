// SPDX-License-Identifier: MIT
// The 3D LUT colour filter on the 904x572 working image: the GPU stage (timestamp queries;
// p50/p99 per frame as counters) with trilinear and tetrahedral interpolation and 33- and
// 65-point LUTs, beside anchors from the same run: the CPU reference cpu::Lut3d (one thread,
// double precision) and the read floor of the working image. The image is a smooth synthetic
// frame (ramps, like a photo's coherent colours) or uniform noise (every pixel in a
// different LUT cell: the worst case for caches).
#include "bench_support.hpp"
#include <rearview/cube_lut.hpp>
#include "cpu/lut3d.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "harness/lut3d_runner.hpp"

#include <algorithm>
#include <cmath>
#include <random>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;

enum Content : int64_t { Smooth = 0, Noise = 1 };

const RgbaImage& image(int64_t content) {
    static const RgbaImage smooth = bench::rampsImage(kPanelW, kPanelH);
    static const RgbaImage noise = [] {
        RgbaImage out(kPanelW, kPanelH);
        std::mt19937 random(1);
        for (size_t i = 0; i < out.pixels.size(); ++i)
            out.pixels[i] = i % 4 == 3 ? 255 : uint8_t(random());
        return out;
    }();
    return content == Noise ? noise : smooth;
}

/// A look-like LUT (a per-channel curve and a saturation change) of `size` points; its
/// values do not affect the speed.
CubeLut lut(uint32_t size) {
    CubeLut l = CubeLut::identity(size);
    for (size_t e = 0; e < l.rgb.size(); e += 3) {
        const float y = 0.2126f * l.rgb[e] + 0.7152f * l.rgb[e + 1] + 0.0722f * l.rgb[e + 2];
        for (size_t c = 0; c < 3; ++c)
            l.rgb[e + c] = std::clamp(std::pow(y + 1.3f * (l.rgb[e + c] - y), 0.9f), 0.0f, 1.0f);
    }
    return l;
}

LutInterpolation interpolationOf(int64_t arg) {
    return arg ? LutInterpolation::Tetrahedral : LutInterpolation::Trilinear;
}

void gpuLut3d(benchmark::State& state) {
    auto runner = bench::runnerOrSkip<stages::Lut3dRunner>(state);
    if (!runner)
        return;
    if (auto ok = runner->setLut(lut(uint32_t(state.range(1)))); !ok) {
        state.SkipWithError(ok.error().message.c_str());
        return;
    }
    const RgbaImage& in = image(state.range(2));
    const LutParams params{.interpolation = interpolationOf(state.range(0)), .strength = 0.8f};
    RgbaImage out;
    bench::gpuTimedLoop(
        state, bench::gpu()->info().name, [&] { return runner->run(in, params, out); }, [&] { return runner->lastGpuMs(); });
}

void cpuReference(benchmark::State& state) {
    const CubeLut l = lut(uint32_t(state.range(1)));
    const RgbaImage& in = image(state.range(2));
    const LutInterpolation interpolation = interpolationOf(state.range(0));
    RgbaImage out;
    for (auto _ : state) {
        cpu::Lut3d(in, l, interpolation, 0.8f, out);
        benchmark::DoNotOptimize(out.pixels.data());
    }
}

void readFloor(benchmark::State& state) {
    const RgbaImage& in = image(Smooth);
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines(in.pixels, 1));
}

} // namespace

// Args: interpolation (0 trilinear, 1 tetrahedral), LUT size, content (0 smooth, 1 noise).
BENCHMARK(gpuLut3d)
    ->Name("lut3d/gpu")
    ->ArgNames({"tetrahedral", "size", "noise"})
    ->Args({0, 33, Smooth})
    ->Args({1, 33, Smooth})
    ->Args({1, 65, Smooth})
    ->Args({1, 33, Noise})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime();
BENCHMARK(cpuReference)
    ->Name("lut3d/anchor/cpu_reference")
    ->ArgNames({"tetrahedral", "size", "noise"})
    ->Args({0, 33, Smooth})
    ->Args({1, 33, Smooth})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(readFloor)->Name("lut3d/anchor/read_floor")->Unit(benchmark::kMillisecond)->UseRealTime();
