// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/compute_pipeline.hpp"

#include <rearview/color_space.hpp>

namespace rearview::stages {

/// Where an NV12 frame sits in a GPU buffer.
struct Nv12Buffer {
    VkBuffer buffer = VK_NULL_HANDLE;
    VkDeviceSize offset = 0; ///< byte offset of the Y plane (must meet minStorageBufferOffsetAlignment)
    VkDeviceSize size = 0;   ///< bytes from `offset` to the end of the CbCr plane
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t yStride = 0;
    uint32_t uvOffset = 0;   ///< from the Y plane
    uint32_t uvStride = 0;
    ColorSpace colorSpace{};
};

/// NV12 -> packed RGBA8 in one dispatch with the exact matrix and range of the frame.
class Nv12ToRgba {
public:
    Nv12ToRgba() = default; ///< empty until assigned from create()
    static Result<Nv12ToRgba> create(gpu::Device& device);

    /// Records the conversion of `src` into `dst` (width * height uints, R in the low byte).
    void record(VkCommandBuffer cmd, const Nv12Buffer& src, VkDescriptorBufferInfo dst) const;

private:
    explicit Nv12ToRgba(gpu::ComputePipeline pipeline) : pipeline_(std::move(pipeline)) {}
    gpu::ComputePipeline pipeline_;
};

} // namespace rearview::stages
