// SPDX-License-Identifier: MIT
#include "stages/lut3d_runner.hpp"

#include <cstring>

namespace rearview::stages {

Result<Lut3dRunner> Lut3dRunner::create(gpu::Device& device) {
    auto oneShot = OneShot::create(device);
    if (!oneShot)
        return std::unexpected(oneShot.error());
    auto stage = Lut3d::create(device);
    if (!stage)
        return std::unexpected(stage.error());
    Lut3dRunner r;
    r.oneShot_ = std::move(*oneShot);
    r.stage_ = std::move(*stage);
    return r;
}

Result<void> Lut3dRunner::run(const RgbaImage& in, const LutParams& params, RgbaImage& out, bool inPlace) {
    const VkDeviceSize bytes = in.pixels.size();
    if (auto r = oneShot_.ensure(input_, bytes, gpu::MemoryUse::Upload); !r)
        return r;
    // Readback memory is also host-writable: the in-place run starts from it.
    if (auto r = oneShot_.ensure(output_, bytes, gpu::MemoryUse::Readback); !r)
        return r;
    gpu::Buffer& source = inPlace ? output_ : input_;
    std::memcpy(source.mapped(), in.pixels.data(), bytes);
    source.flush();

    auto ms = oneShot_.run("lut3d", [&](VkCommandBuffer cmd) {
        return stage_.record(cmd, {source.get(), 0, bytes}, {output_.get(), 0, bytes}, in.width, in.height, params);
    });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;

    output_.invalidate();
    if (&out != &in)
        out = RgbaImage(in.width, in.height);
    std::memcpy(out.pixels.data(), output_.mapped(), bytes);
    return {};
}

} // namespace rearview::stages
