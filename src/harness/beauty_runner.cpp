// SPDX-License-Identifier: MIT
#include "harness/beauty_runner.hpp"

namespace rearview::stages {

Result<BeautyRunner> BeautyRunner::create(gpu::Device& device) {
    auto oneShot = OneShot::create(device);
    if (!oneShot)
        return std::unexpected(oneShot.error());
    BeautyRunner r;
    r.oneShot_ = std::move(*oneShot);
    return r;
}

Result<void> BeautyRunner::run(const RgbaImage& in, const BeautyParams& params,
                               std::span<const analysis::FaceBox> faces, RgbaImage& out) {
    if (stage_.width() != in.width || stage_.height() != in.height) {
        auto stage = Beauty::create(oneShot_.device(), in.width, in.height);
        if (!stage)
            return std::unexpected(stage.error());
        stage_ = std::move(*stage);
    }
    auto ms = oneShot_.runOnImage("beauty", in, out, false,
                                  [&](VkCommandBuffer cmd, VkDescriptorBufferInfo src, VkDescriptorBufferInfo dst) {
                                      return stage_.record(cmd, src, dst, params, faces);
                                  });
    if (!ms)
        return std::unexpected(ms.error());
    lastGpuMs_ = *ms;
    return {};
}

} // namespace rearview::stages
