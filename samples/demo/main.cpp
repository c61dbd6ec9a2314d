// SPDX-License-Identifier: MIT
// rearview-demo: a smoke of the GPU path. Picks the Vulkan device, converts a synthetic
// 8160x6120 NV12 frame to RGBA on the GPU and with libyuv, prints both times from the same
// run and whether the outputs match; then captures one 50 MP frame from the virtual camera
// "main", crops/scales it to the 904x572 panel on the GPU (fill, mirrored), checks it against
// the CPU reference and writes the panel image as a PNG snapshot.
#include "capture/camera_source.hpp"
#include "core/crop_plan.hpp"
#include "core/snapshot.hpp"
#include "core/test_patterns.hpp"
#include "cpu/crop_scale.hpp"
#include "cpu/nv12_to_rgba.hpp"
#include "gpu/gpu_context_impl.hpp"
#include "stages/crop_scale_runner.hpp"

#include <rearview/color_convert.hpp>
#include <rearview/gpu.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <print>
#include <string>
#include <vector>

using namespace rearview;

namespace {

double median(std::vector<double> v) {
    std::ranges::sort(v);
    return v[v.size() / 2];
}

int maxAbsDiff(const RgbaImage& a, const RgbaImage& b) {
    int worst = 0;
    for (size_t i = 0; i < a.pixels.size(); ++i)
        worst = std::max(worst, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
    return worst;
}

/// One frame from the virtual camera through the viewfinder's crop/scale stage, saved to
/// `snapshot`. Returns false when the output differs from the CPU reference.
bool viewfinderSnapshot(GpuContext& gpu, const std::string& snapshot, int runs) {
    auto source = CameraSource::create({.cameraId = "main", .size = {8160, 6120}, .frameRate = 0.0, .bufferCount = 2});
    if (!source) {
        std::println("camera   : skipped ({})", source.error().describe());
        return true;
    }
    if (auto started = source->start(); !started) {
        std::println(stderr, "rearview-demo: {}", started.error().describe());
        return false;
    }
    auto frame = source->nextFrame(std::chrono::seconds(10));
    if (!frame || !frame->has_value()) {
        std::println(stderr, "rearview-demo: no frame from the camera: {}",
                     frame ? std::string("timed out") : frame.error().describe());
        return false;
    }
    const CapturedFrame& f = **frame;
    const Nv12View view{f.memory->data, f.memory->data + f.uvOffset, f.width, f.height, f.stride, f.stride,
                        f.colorSpace};
    auto plan = planCrop(f.width, f.height, 904, 572, ViewGeometry{});
    auto runner = stages::CropScaleRunner::create(deviceOf(gpu));
    if (!plan || !runner) {
        std::println(stderr, "rearview-demo: {}", (!plan ? plan.error() : runner.error()).describe());
        return false;
    }
    RgbaImage panel, reference;
    std::vector<double> gpuMs;
    for (int r = 0; r < runs; ++r) {
        if (auto ok = runner->run(view, *plan, panel); !ok) {
            std::println(stderr, "rearview-demo: {}", ok.error().describe());
            return false;
        }
        gpuMs.push_back(runner->lastGpuMs());
    }
    cpu::CropScale(view, *plan, reference);
    const int diff = maxAbsDiff(panel, reference);
    std::println("camera   : main {}x{} NV12 ({} {}), crop {:.0f}x{:.0f} -> 904x572, area, mirrored", f.width,
                 f.height, toString(f.colorSpace.matrix), toString(f.colorSpace.range), plan->cropWidth,
                 plan->cropHeight);
    std::println("viewfind : {:8.2f} ms GPU (median of {}), max abs diff {} vs the exact reference [limit 1]",
                 median(gpuMs), runs, diff);
    if (auto written = writePng(panel, snapshot); !written) {
        std::println(stderr, "rearview-demo: {}", written.error().describe());
        return false;
    }
    std::println("snapshot : {}", snapshot);
    return diff <= 1;
}

} // namespace

int main(int argc, char** argv) {
    uint32_t width = 8160, height = 6120;
    int runs = 5;
    std::string snapshot = "viewfinder.png";
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--size" && i + 1 < argc && std::sscanf(argv[++i], "%ux%u", &width, &height) == 2)
            continue;
        if (a == "--runs" && i + 1 < argc) {
            runs = std::max(1, std::atoi(argv[++i]));
            continue;
        }
        if (a == "--snapshot" && i + 1 < argc) {
            snapshot = argv[++i];
            continue;
        }
        std::println(stderr, "usage: rearview-demo [--size WxH] [--runs N] [--snapshot PNG]");
        return 2;
    }

    auto gpu = GpuContext::create();
    if (!gpu) {
        std::println(stderr, "rearview-demo: {}", gpu.error().describe());
        return 1;
    }
    const GpuInfo& info = gpu->info();
    std::println("device   : {} ({}, Vulkan {}, {})", info.name, info.type, info.apiVersion, info.whyChosen);
    std::println("driver   : {} {}", info.driverName, info.driverInfo);

    Nv12Image frame(width, height, 0, ColorSpace{YcbcrMatrix::Bt709, YcbcrRange::Limited});
    patterns::fillRamps(frame);
    patterns::compressChroma(frame); // in gamut, so libyuv's fixed point does not saturate

    auto converter = Nv12ToRgbaConverter::create(*gpu, width, height, frame.stride());
    if (!converter) {
        std::println(stderr, "rearview-demo: {}", converter.error().describe());
        return 1;
    }
    RgbaImage gpuOut, yuvOut, exact;
    std::vector<double> gpuMs, libyuvMs;
    for (int r = 0; r < runs; ++r) {
        if (auto ok = converter->convert(frame.view(), gpuOut); !ok) {
            std::println(stderr, "rearview-demo: {}", ok.error().describe());
            return 1;
        }
        gpuMs.push_back(converter->lastGpuMs());
        auto t0 = std::chrono::steady_clock::now();
        cpu::Nv12ToRgbaLibyuv(frame.view(), yuvOut);
        libyuvMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    cpu::Nv12ToRgba(frame.view(), exact);

    const int vsExact = maxAbsDiff(gpuOut, exact);
    const int vsLibyuv = maxAbsDiff(gpuOut, yuvOut);
    std::println("frame    : {}x{} NV12, BT.709 limited range, median of {} runs", width, height, runs);
    std::println("gpu      : {:8.2f} ms  (timestamp queries around the dispatch)", median(gpuMs));
    std::println("libyuv   : {:8.2f} ms  (NV12ToARGBMatrix, 1 thread)", median(libyuvMs));
    std::println("ratio    : {:8.2f}x libyuv", median(gpuMs) / median(libyuvMs));
    // libyuv's 6-bit fixed-point coefficients are up to 5 code values off the exact result.
    const bool match = vsExact <= 1 && vsLibyuv <= 6;
    std::println("verdict  : {} (max abs diff {} vs exact reference [limit 1], {} vs libyuv [limit 6])",
                 match ? "outputs match" : "OUTPUTS DIFFER", vsExact, vsLibyuv);
    const bool viewfinderOk = viewfinderSnapshot(*gpu, snapshot, runs);
    return match && viewfinderOk ? 0 : 1;
}
