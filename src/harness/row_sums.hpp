// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/compute_pipeline.hpp"

namespace rearview::stages {

/// Diagnostic stage: per-row byte sums of a buffer region. Proves the GPU reads exactly the
/// bytes the camera wrote (compared with the CPU's sums over the same mapping).
class RowSums {
public:
    RowSums() = default; ///< empty until assigned from create()
    static Result<RowSums> create(gpu::Device& device);
    /// Sums `rows` rows of `rowBytes` bytes, `stride` apart, from `src` into `dst` (one uint per row).
    void record(VkCommandBuffer cmd, VkDescriptorBufferInfo src, uint32_t rowBytes, uint32_t rows, uint32_t stride,
                VkDescriptorBufferInfo dst) const;

private:
    explicit RowSums(gpu::ComputePipeline pipeline) : pipeline_(std::move(pipeline)) {}
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
