// SPDX-License-Identifier: MIT
#include "stages/nv12_to_rgba.hpp"

namespace rearview::stages {
namespace {

struct Push {
    uint32_t width, height, yStride, uvOffset, uvStride;
    YcbcrCoefficients k;
};

} // namespace

Result<Nv12ToRgba> Nv12ToRgba::create(gpu::Device& device) {
    return gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::nv12_to_rgba, 2, sizeof(Push))
        .transform([](gpu::ComputePipeline p) { return Nv12ToRgba(std::move(p)); });
}

void Nv12ToRgba::record(VkCommandBuffer cmd, const Nv12Buffer& src, VkDescriptorBufferInfo dst) const {
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {{src.buffer, src.offset, src.size}, dst});
    pipeline_.pushConstants(cmd, Push{src.width, src.height, src.yStride, src.uvOffset, src.uvStride,
                                      coefficientsFor(src.colorSpace)});
    pipeline_.dispatch(cmd, gpu::groupsFor((src.width + 1) / 2, pipeline_.localSizeX()),
                  gpu::groupsFor((src.height + 1) / 2, pipeline_.localSizeY()), 1);
}

} // namespace rearview::stages
