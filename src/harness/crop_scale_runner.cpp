// SPDX-License-Identifier: MIT
#include "harness/crop_scale_runner.hpp"

#include <cstring>

namespace rearview::stages {

Result<CropScaleRunner> CropScaleRunner::create(gpu::Device& device) {
    auto oneShot = OneShot::create(device);
    if (!oneShot)
        return std::unexpected(oneShot.error());
    auto stage = CropScale::create(device);
    if (!stage)
        return std::unexpected(stage.error());
    CropScaleRunner r;
    r.oneShot_ = std::move(*oneShot);
    r.stage_ = std::move(*stage);
    return r;
}

Result<void> CropScaleRunner::run(const Nv12View& frame, const CropPlan& plan, RgbaImage& out) {
    auto in = oneShot_.uploadNv12(upload_, frame);
    if (!in)
        return std::unexpected(in.error());
    const VkDeviceSize outBytes = VkDeviceSize(plan.panelWidth) * plan.panelHeight * 4;
    if (auto r = oneShot_.ensure(output_, outBytes, gpu::MemoryUse::Readback); !r)
        return r;
    auto ms = oneShot_.run("crop_scale", [&](VkCommandBuffer cmd) {
        return stage_.record(cmd, *in, plan, {output_.get(), 0, outBytes}, oneShot_.spans());
    });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;
    lastPasses_ = {oneShot_.lastSpanMs(CropScale::kVerticalSpan), oneShot_.lastSpanMs(CropScale::kHorizontalSpan)};

    output_.invalidate();
    out = RgbaImage(plan.panelWidth, plan.panelHeight);
    std::memcpy(out.pixels.data(), output_.mapped(), out.pixels.size());
    return {};
}

} // namespace rearview::stages
