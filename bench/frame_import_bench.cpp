// SPDX-License-Identifier: MIT
// Capture -> GPU: the cost of importing a new 50 MP capture buffer, the per-frame cost of an
// already imported one, and the staging-copy fallback, beside the read floor of the same
// frame from the same run.
#include "bench_support.hpp"
#include "capture/buffer_allocator.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/gpu_context_impl.hpp"

#include <cstring>
#include <optional>

using namespace rearview;

namespace {

struct Fixture {
    GpuContext* gpu = nullptr;
    std::optional<BufferAllocator> allocator;
    CaptureBuffer buffer;
    CapturedFrame frame;
};

Fixture* fixture() {
    static std::optional<Fixture> f;
    static bool tried = false;
    if (tried)
        return f ? &*f : nullptr;
    tried = true;
    GpuContext* gpu = bench::gpu();
    auto allocator = BufferAllocator::create();
    if (!gpu || !allocator)
        return nullptr;
    uint32_t w, h;
    bench::frameSize(w, h);
    const size_t bytes = size_t(w) * h * 3 / 2;
    auto buffer = allocator->allocate(bytes);
    if (!buffer)
        return nullptr;
    Fixture& fx = f.emplace();
    fx.gpu = gpu;
    fx.allocator.emplace(std::move(*allocator));
    fx.buffer = std::move(*buffer);
    std::memset(fx.buffer.data(), 0x80, bytes);
    fx.frame.memory = &fx.buffer.memory();
    fx.frame.width = w;
    fx.frame.height = h;
    fx.frame.stride = w;
    fx.frame.uvOffset = size_t(w) * h;
    return &fx;
}

void readFloor(benchmark::State& state) {
    Fixture* f = fixture();
    if (!f) {
        state.SkipWithError("no GPU or no buffer");
        return;
    }
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines({f->buffer.data(), f->buffer.size()}, 1));
}

// Runs `perIteration(importer, device)` in the benchmark loop with an importer restricted to
// `path` (any when empty); stops with the error of the first failed acquire.
template <typename F>
void runImporter(benchmark::State& state, std::optional<gpu::ImportPath> path, F perIteration) {
    Fixture* f = fixture();
    if (!f) {
        state.SkipWithError("no GPU or no buffer");
        return;
    }
    gpu::Device& dev = deviceOf(*f->gpu);
    auto importer = gpu::FrameImporter::create(dev, path);
    if (!importer) {
        state.SkipWithError(importer.error().message.c_str());
        return;
    }
    for (auto _ : state) {
        auto g = importer->acquire(f->frame);
        if (!g) {
            state.SkipWithError(g.error().message.c_str());
            return;
        }
        perIteration(*importer, dev, *g);
    }
    state.counters["bytes_copied_per_frame"] = double(importer->stats().bytesCopiedLastFrame);
    state.SetLabel(std::string(gpu::toString(importer->stats().lastPath)));
}

// Import of a buffer seen for the first time (then dropped again, as when buffers are reallocated).
void importNewBuffer(benchmark::State& state) {
    runImporter(state, std::nullopt, [](gpu::FrameImporter& importer, gpu::Device& dev, const gpu::GpuFrame&) {
        importer.forget(fixture()->frame.memory->id, dev.completedTimelineValue());
        dev.collectGarbage();
    });
}

// Per-frame cost once a buffer is imported (cache hit) or with the staging copy.
void perFrame(benchmark::State& state, std::optional<gpu::ImportPath> path) {
    runImporter(state, path, [](gpu::FrameImporter&, gpu::Device&, const gpu::GpuFrame& g) {
        VkBuffer buffer = g.buffer;
        benchmark::DoNotOptimize(buffer);
    });
}

} // namespace

BENCHMARK(readFloor)->Name("anchor/read_floor_50mp")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(importNewBuffer)->Name("import/new_buffer")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(perFrame, imported, std::nullopt)->Name("import/per_frame_imported")->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK_CAPTURE(perFrame, staging, gpu::ImportPath::StagingCopy)->Name("import/per_frame_staging_copy")->Unit(benchmark::kMillisecond)->UseRealTime();
