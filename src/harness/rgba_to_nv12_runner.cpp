// SPDX-License-Identifier: MIT
#include "harness/rgba_to_nv12_runner.hpp"

#include "harness/record_scale_runner.hpp"

#include <cstring>

namespace rearview::stages {

Result<RgbaToNv12Runner> RgbaToNv12Runner::create(gpu::Device& device) {
    auto oneShot = OneShot::create(device);
    if (!oneShot)
        return std::unexpected(oneShot.error());
    auto stage = RgbaToNv12::create(device);
    if (!stage)
        return std::unexpected(stage.error());
    RgbaToNv12Runner r;
    r.oneShot_ = std::move(*oneShot);
    r.stage_ = std::move(*stage);
    return r;
}

Result<void> RgbaToNv12Runner::run(const RgbaImage& in, ColorSpace cs, Nv12Image& out) {
    const VkDeviceSize inBytes = in.pixels.size();
    if (auto r = oneShot_.ensure(input_, inBytes, gpu::MemoryUse::Upload); !r)
        return r;
    Nv12Buffer dst = RecordScale::outputLayout(in.width, in.height, cs);
    if (auto r = oneShot_.ensure(output_, dst.size, gpu::MemoryUse::Readback); !r)
        return r;
    std::memcpy(input_.mapped(), in.pixels.data(), inBytes);
    input_.flush();
    dst.buffer = output_.get();
    auto ms = oneShot_.run("rgba_to_nv12",
                           [&](VkCommandBuffer cmd) { return stage_.record(cmd, {input_.get(), 0, inBytes}, dst); });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;
    readNv12(output_, in.width, in.height, cs, out);
    return {};
}

} // namespace rearview::stages
