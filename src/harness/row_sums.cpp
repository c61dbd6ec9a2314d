// SPDX-License-Identifier: MIT
#include "harness/row_sums.hpp"

namespace rearview::stages {

namespace {
struct Push {
    uint32_t rowBytes, rows, stride;
};
} // namespace

Result<RowSums> RowSums::create(gpu::Device& device) {
    return gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::row_sums, 2, sizeof(Push))
        .transform([](gpu::ComputePipeline p) { return RowSums(std::move(p)); });
}

void RowSums::record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, uint32_t rowBytes, uint32_t rows,
                     uint32_t stride, VkDescriptorBufferInfo dst) const {
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {src, dst});
    pipeline_.pushConstants(cmd, Push{rowBytes, rows, stride});
    pipeline_.dispatch(cmd, rows, 1, 1);
}

} // namespace rearview::stages
