// SPDX-License-Identifier: MIT
// Runs a stage that works on the working image (packed RGBA8 in a storage buffer) over an
// RgbaImage: upload, record, submit, wait, read back.
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"

#include <rearview/image.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <functional>

namespace rearview::test {

/// `record(cmd, image)` records the stage over `image`, which holds `in`'s pixels.
inline RgbaImage runOnWorkingImage(gpu::Device& device, const RgbaImage& in,
                                   const std::function<void(VkCommandBuffer, VkDescriptorBufferInfo)>& record) {
    auto buffer = gpu::Buffer::create(device, in.pixels.size(), VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                      gpu::MemoryUse::Readback);
    auto submitter = gpu::Submitter::create(device, 1);
    REQUIRE(buffer);
    REQUIRE(submitter);
    std::memcpy(buffer->mapped(), in.pixels.data(), in.pixels.size());
    buffer->flush();
    auto cmd = submitter->begin();
    REQUIRE(cmd);
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                       VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    record(*cmd, {buffer->get(), 0, buffer->size()});
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = submitter->submit();
    REQUIRE(value);
    REQUIRE(device.waitTimeline(*value));
    buffer->invalidate();
    RgbaImage out(in.width, in.height);
    std::memcpy(out.pixels.data(), buffer->mapped(), out.pixels.size());
    return out;
}

} // namespace rearview::test
