// SPDX-License-Identifier: MIT
// A shipped pipeline's viewfinder list over the 904x572 working image: the chain as the
// viewfinder runs it (each run of per-pixel looks one pass, stages/finish.hpp) beside every
// stage as its own pass, in the same run, and the working image's read floor. GPU time by
// timestamp queries (p50/p99 per frame as counters).
#include "bench_support.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "harness/one_shot.hpp"
#include "stages/stage_chain.hpp"

#include <rearview/pipeline.hpp>

#include <array>
#include <format>
#include <string>

using namespace rearview;

namespace {

constexpr uint32_t kPanelW = 904, kPanelH = 572;
constexpr std::array kPipelines = {"selfie-beauty.yaml", "selfie-natural.yaml", "vivid.yaml", "mono-film.yaml",
                                   "example.yaml"};

const RgbaImage& workingImage() {
    static const RgbaImage image = bench::rampsImage(kPanelW, kPanelH);
    return image;
}

/// How a chain is run: on the panel's working image in place as the viewfinder runs it, fused
/// or a pass per stage; or on a photo's image at the sensor's size, scaled as a photo runs it.
struct ChainRun {
    const RgbaImage& image;
    bool fused = true;
    double scale = 1.0; ///< photo pixels per panel pixel (StageChain::create)
    bool inPlace = true;
};

void gpuChain(benchmark::State& state, const char* pipelineFile, ChainRun run) {
    GpuContext* g = bench::gpu();
    if (!g) {
        state.SkipWithError("no Vulkan device");
        return;
    }
    gpu::Device& device = deviceOf(*g);
    if (VkDeviceSize(run.image.width) * run.image.height * 4 > device.limits().maxStorageBufferRange) {
        // Viewfinder::capturePhoto() runs such a photo in strips (tests/viewfinder/photo_test.cpp
        // times it); one pass over it would bind more than the device allows.
        state.SkipWithMessage(std::format("a {}x{} RGBA8 image is larger than one storage buffer binding ({} bytes)",
                                          run.image.width, run.image.height,
                                          device.limits().maxStorageBufferRange));
        return;
    }
    auto pipeline = loadPipeline(std::string(REARVIEW_PIPELINES_DIR) + "/" + pipelineFile);
    auto chain = stages::StageChain::create(device, run.image.width, run.image.height, run.scale);
    auto shot = stages::OneShot::create(device);
    if (!pipeline || !chain || !shot) {
        state.SkipWithError("pipeline, chain or one-shot could not be made");
        return;
    }
    chain->setFused(run.fused);
    if (auto ok = chain->apply(pipeline->viewfinder); !ok) {
        state.SkipWithError(ok.error().message.c_str());
        return;
    }
    RgbaImage out;
    uint32_t seed = 0;
    double lastMs = 0;
    bench::gpuTimedLoop(
        state, g->info().name,
        [&]() -> Result<void> {
            auto ms = shot->runOnImage(
                "chain", run.image, out, run.inPlace,
                [&](VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst) {
                    return chain->record(cmd, run.inPlace ? dst : src, dst, ++seed, shot->spans());
                });
            if (!ms)
                return std::unexpected(ms.error());
            lastMs = *ms;
            return {};
        },
        [&] { return lastMs; });
}

void readFloor(benchmark::State& state) {
    for (auto _ : state)
        benchmark::DoNotOptimize(bench::touchCacheLines(workingImage().pixels, 1));
}

} // namespace

// stage_chain/gpu/<pipeline>/fused:1 as the viewfinder runs it, fused:0 a pass per stage;
// photo/gpu/<pipeline> the shipped looks at the sensor's size as a photo runs them (the rest of
// the photo's figures: photo_bench.cpp).
[[maybe_unused]] const bool registered = [] {
    for (const char* file : kPipelines) {
        const std::string stem = std::string(file).substr(0, std::string(file).find('.'));
        for (const bool fused : {false, true})
            benchmark::RegisterBenchmark(std::format("stage_chain/gpu/{}/fused:{}", stem, int(fused)), gpuChain, file,
                                         ChainRun{.image = workingImage(), .fused = fused})
                ->Unit(benchmark::kMillisecond)
                ->UseManualTime();
        if (stem == "example")
            continue;
        benchmark::RegisterBenchmark(std::format("photo/gpu/{}", stem), [file](benchmark::State& state) {
            const RgbaImage& image = bench::sensorRampsImage();
            gpuChain(state, file, {.image = image, .scale = double(image.width) / kPanelW, .inPlace = false});
        })
            ->Unit(benchmark::kMillisecond)
            ->UseManualTime();
    }
    return true;
}();

BENCHMARK(readFloor)->Name("stage_chain/anchor/read_floor")->Unit(benchmark::kMillisecond)->UseRealTime();
