// SPDX-License-Identifier: MIT
// Shared pieces of rearview's benchmarks: frame size from the environment and the read
// floor anchor (touching every cache line of the input), which every figure is set beside.
#pragma once

#include "core/test_patterns.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "gpu/gpu_context_impl.hpp"

#include <rearview/gpu.hpp>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace rearview::bench {

/// Frame size under test: REARVIEW_BENCH_SIZE=WxH, default the 50 MP sensor (8160x6120).
inline void frameSize(uint32_t& width, uint32_t& height) {
    width = 8160;
    height = 6120;
    if (const char* s = std::getenv("REARVIEW_BENCH_SIZE"))
        std::sscanf(s, "%ux%u", &width, &height);
}

/// The ramps test pattern (every code value) as a working image: NV12 BT.709 limited range
/// through the exact conversion to RGBA8.
inline RgbaImage rampsImage(uint32_t width, uint32_t height) {
    Nv12Image frame(width, height, 0, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
    patterns::fillRamps(frame);
    RgbaImage out;
    cpu::Nv12ToRgba(frame.view(), out);
    return out;
}

/// rampsImage() at frameSize(): a photo's image, made once per process.
inline const RgbaImage& sensorRampsImage() {
    static const RgbaImage image = [] {
        uint32_t w = 0, h = 0;
        frameSize(w, h);
        return rampsImage(w, h);
    }();
    return image;
}

/// The process's one GpuContext (only one may exist), shared by every benchmark; null when
/// no Vulkan device could be set up.
inline GpuContext* gpu() {
    static std::optional<GpuContext> context = [] {
        auto c = GpuContext::create();
        return c ? std::optional<GpuContext>(std::move(*c)) : std::nullopt;
    }();
    return context ? &*context : nullptr;
}

/// A stage runner (`Runner::create(gpu::Device&)`) on the shared GPU; empty, with the
/// benchmark skipped and the reason given, when there is no GPU or creation fails.
template <typename Runner>
std::optional<Runner> runnerOrSkip(benchmark::State& state) {
    GpuContext* g = gpu();
    if (!g) {
        state.SkipWithError("no Vulkan device");
        return std::nullopt;
    }
    auto runner = Runner::create(deviceOf(*g));
    if (!runner) {
        state.SkipWithError(runner.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*runner);
}

/// The p-th quantile (0..1) of `v`, nearest rank; 0 for no samples.
inline double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    const size_t k = std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5));
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(k), v.end());
    return v[k];
}

/// Skips `state` with the reason when `gpuMs` (a stage's GPU time) is not a time: a device
/// without timestamps reports 0, and a manual-time benchmark of 0 s per iteration never ends.
inline bool skipWithoutGpuTime(benchmark::State& state, double gpuMs) {
    if (gpuMs > 0)
        return false;
    state.SkipWithError("the device reports no GPU timestamps, so the stage's GPU time is unknown");
    return true;
}

/// The loop of a GPU-timed benchmark: `run()` runs the stage once (returning a Result),
/// `lastMs()` gives its GPU time, which becomes the iteration time; p50/p99 become counters.
template <typename Run, typename LastMs>
void gpuTimedLoop(benchmark::State& state, const std::string& device, Run run, LastMs lastMs) {
    std::vector<double> ms;
    for (auto _ : state) {
        if (auto r = run(); !r) {
            state.SkipWithError(r.error().message.c_str());
            return;
        }
        ms.push_back(lastMs());
        if (skipWithoutGpuTime(state, ms.back()))
            return;
        state.SetIterationTime(ms.back() / 1000.0);
    }
    state.counters["p50_ms"] = percentile(ms, 0.50);
    state.counters["p99_ms"] = percentile(ms, 0.99);
    state.SetLabel(device);
}

/// Reads one byte of every 64-byte cache line of `bytes`, split over `threads` threads.
inline uint64_t touchCacheLines(std::span<const uint8_t> bytes, unsigned threads) {
    auto range = [&](size_t begin, size_t end) {
        uint64_t sum = 0;
        for (size_t i = begin; i < end; i += 64)
            sum += bytes[i];
        return sum;
    };
    if (threads <= 1)
        return range(0, bytes.size());
    std::vector<uint64_t> sums(threads);
    std::vector<std::jthread> pool;
    const size_t chunk = (bytes.size() / threads + 63) & ~size_t(63);
    for (unsigned t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
            const size_t b = std::min(bytes.size(), t * chunk);
            sums[t] = range(b, std::min(bytes.size(), b + chunk));
        });
    pool.clear();
    uint64_t total = 0;
    for (uint64_t s : sums)
        total += s;
    return total;
}

} // namespace rearview::bench
