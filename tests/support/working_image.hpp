// SPDX-License-Identifier: MIT
// Runs a stage that works on the working image (packed RGBA8 in a storage buffer) in place
// over an RgbaImage: upload, record, submit, wait, read back.
#pragma once

#include "harness/one_shot.hpp"

#include <rearview/image.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <functional>

namespace rearview::test {

/// `record(cmd, image)` records the stage over `image`, which holds `in`'s pixels.
inline RgbaImage runOnWorkingImage(gpu::Device& device, const RgbaImage& in,
                                   const std::function<void(VkCommandBuffer, VkDescriptorBufferInfo)>& record) {
    auto oneShot = stages::OneShot::create(device);
    REQUIRE(oneShot);
    gpu::Buffer buffer; // Readback memory is host-writable too: the image starts there
    REQUIRE(oneShot->ensure(buffer, in.pixels.size(), gpu::MemoryUse::Readback));
    std::memcpy(buffer.mapped(), in.pixels.data(), in.pixels.size());
    buffer.flush();
    auto ms = oneShot->run("stage", [&](VkCommandBuffer cmd) -> Result<void> {
        record(cmd, {buffer.get(), 0, buffer.size()});
        return {};
    });
    REQUIRE(ms);
    buffer.invalidate();
    RgbaImage out(in.width, in.height);
    std::memcpy(out.pixels.data(), buffer.mapped(), out.pixels.size());
    return out;
}

} // namespace rearview::test
