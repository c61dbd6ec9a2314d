// SPDX-License-Identifier: MIT
// Capture -> GPU overhead per frame at 50 MP with the synthetic source (no camera cost):
// nextFrame(), the importer's acquire, a submission that makes the frame's buffer available
// to shaders, and FramesInFlight bookkeeping. Its anchors, from the same run, are in
// frame_import_bench.cpp: the read floor of a 50 MP buffer, the import of a new buffer and the
// per-frame staging copy.
#include "bench_support.hpp"
#include "capture/synthetic_source.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/frames_in_flight.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "gpu/submitter.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

using namespace rearview;

namespace {

using Clock = std::chrono::steady_clock;

constexpr uint32_t kBuffers = 4;   // like a camera's request pool
constexpr uint32_t kInFlight = 2;  // frames the GPU may be reading at once

// One source for every benchmark here: filling 50 MP buffers takes a while.
SyntheticSource* source() {
    static std::optional<SyntheticSource> s = []() -> std::optional<SyntheticSource> {
        uint32_t w, h;
        bench::frameSize(w, h);
        auto created = SyntheticSource::create({.width = w, .height = h, .bufferCount = kBuffers});
        if (!created) return std::nullopt;
        return std::move(*created);
    }();
    return s ? &*s : nullptr;
}

// The imported frame becomes readable by compute shaders (host writes, i.e. the camera's,
// before this submission are made visible to them).
void makeAvailable(const gpu::Device& device, VkCommandBuffer cmd, const gpu::GpuFrame& frame) {
    VkBufferMemoryBarrier2 b{VK_STRUCTURE_TYPE_BUFFER_MEMORY_BARRIER_2};
    b.srcStageMask = VK_PIPELINE_STAGE_2_HOST_BIT;
    b.srcAccessMask = VK_ACCESS_2_HOST_WRITE_BIT;
    b.dstStageMask = VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT;
    b.dstAccessMask = VK_ACCESS_2_SHADER_STORAGE_READ_BIT;
    b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.buffer = frame.buffer;
    b.offset = frame.offset;
    b.size = frame.size;
    VkDependencyInfo di{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    di.bufferMemoryBarrierCount = 1;
    di.pBufferMemoryBarriers = &b;
    device.vk().vkCmdPipelineBarrier2(cmd, &di);
}

// One frame per iteration through the whole capture -> GPU hand-over, steady state (every
// buffer already imported).
void captureToGpu(benchmark::State& state, std::optional<gpu::ImportPath> path) {
    GpuContext* g = bench::gpu();
    SyntheticSource* s = source();
    if (!g || !s) {
        state.SkipWithError(!g ? "no Vulkan device" : "cannot create the synthetic source");
        return;
    }
    gpu::Device& dev = deviceOf(*g);
    auto importer = gpu::FrameImporter::create(dev, path);
    auto submitter = gpu::Submitter::create(dev, kInFlight + 1);
    auto inFlight = gpu::FramesInFlight::create(dev, kInFlight);
    if (!importer || !submitter || !inFlight) {
        state.SkipWithError(!importer ? importer.error().message.c_str()
                            : !submitter ? submitter.error().message.c_str()
                                         : inFlight.error().message.c_str());
        return;
    }

    uint64_t lastValue = 0;
    auto oneFrame = [&]() -> Result<void> {
        auto frame = s->nextFrame(std::chrono::seconds(1));
        if (!frame) return std::unexpected(frame.error());
        if (!*frame) return fail(ErrorCode::Internal, "no synthetic frame within 1 s");
        auto in = importer->acquire(**frame);
        if (!in) return std::unexpected(in.error());
        auto cmd = submitter->begin();
        if (!cmd) return std::unexpected(cmd.error());
        makeAvailable(dev, *cmd, *in);
        auto value = submitter->submit();
        if (!value) return std::unexpected(value.error());
        importer->submitted(*in, *value);
        lastValue = *value;
        return inFlight->hold(std::move(**frame), *value);
    };
    for (uint32_t i = 0; i < kBuffers; ++i) // import every buffer first: steady state only
        if (auto ok = oneFrame(); !ok) {
            state.SkipWithError(ok.error().message.c_str());
            return;
        }

    const SyntheticStats before = s->stats();
    const uint64_t boundWaitsBefore = inFlight->boundWaits();
    std::vector<double> ms;
    ms.reserve(1024);
    for (auto _ : state) {
        const auto t0 = Clock::now();
        if (auto ok = oneFrame(); !ok) {
            state.SkipWithError(ok.error().message.c_str());
            break;
        }
        ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    (void)inFlight->drain();
    (void)dev.waitTimeline(lastValue); // the importer's buffers go away with it

    const SyntheticStats after = s->stats();
    state.counters["p50_ms"] = bench::percentile(ms, 0.50);
    state.counters["p99_ms"] = bench::percentile(ms, 0.99);
    state.counters["bytes_copied_per_frame"] = double(importer->stats().bytesCopiedLastFrame);
    state.counters["waited_for_buffer"] = double(after.framesWaitedForBuffer - before.framesWaitedForBuffer);
    // Share of frames that waited for the GPU to finish an older frame (bound reached).
    state.counters["bound_waits_per_frame"] =
        ms.empty() ? 0.0 : double(inFlight->boundWaits() - boundWaitsBefore) / double(ms.size());
    state.SetLabel(std::string(gpu::toString(importer->stats().lastPath)) + ", " + after.bufferDescription);
}

} // namespace

BENCHMARK_CAPTURE(captureToGpu, imported, std::nullopt)
    ->Name("capture/synthetic_to_gpu_per_frame")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(captureToGpu, staging, gpu::ImportPath::StagingCopy)
    ->Name("capture/synthetic_to_gpu_per_frame_staging_copy")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
