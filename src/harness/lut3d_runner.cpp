// SPDX-License-Identifier: MIT
#include "harness/lut3d_runner.hpp"

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
    auto ms = oneShot_.runOnImage("lut3d", in, out, inPlace,
                                  [&](VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst) {
                                      return stage_.record(cmd, src, dst, in.width, in.height, params);
                                  });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;
    return {};
}

} // namespace rearview::stages
