// SPDX-License-Identifier: MIT
#include "harness/record_scale_runner.hpp"

#include <cstring>

namespace rearview::stages {

void readNv12(gpu::Buffer& buffer, uint32_t width, uint32_t height, ColorSpace colorSpace, Nv12Image& out) {
    const Nv12Buffer layout = RecordScale::outputLayout(width, height, colorSpace);
    // Nv12Image keeps both planes with one stride, CbCr right after Y: the layout's shape.
    out = Nv12Image(width, height, layout.yStride, colorSpace);
    buffer.invalidate();
    std::memcpy(out.yPlane(), buffer.mapped(), out.bytes().size());
}

Result<RecordScaleRunner> RecordScaleRunner::create(gpu::Device& device) {
    auto oneShot = OneShot::create(device);
    if (!oneShot)
        return std::unexpected(oneShot.error());
    auto stage = RecordScale::create(device);
    if (!stage)
        return std::unexpected(stage.error());
    RecordScaleRunner r;
    r.oneShot_ = std::move(*oneShot);
    r.stage_ = std::move(*stage);
    return r;
}

Result<void> RecordScaleRunner::run(const Nv12View& frame, const RecordPlan& plan, Nv12Image& out) {
    auto in = oneShot_.uploadNv12(upload_, frame);
    if (!in)
        return std::unexpected(in.error());
    Nv12Buffer dst = RecordScale::outputLayout(plan.outWidth, plan.outHeight, frame.colorSpace);
    if (auto r = oneShot_.ensure(output_, dst.size, gpu::MemoryUse::Readback); !r)
        return r;
    dst.buffer = output_.get();
    auto ms = oneShot_.run("record_scale", [&](VkCommandBuffer cmd) { return stage_.record(cmd, *in, plan, dst); });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;
    readNv12(output_, plan.outWidth, plan.outHeight, frame.colorSpace, out);
    return {};
}

} // namespace rearview::stages
