// SPDX-License-Identifier: MIT
#include "present/blit.hpp"

namespace rearview::present {
namespace {

struct BlitPush {
    uint32_t srcWidth, srcHeight;
    uint32_t dstWidth, dstHeight;
    int32_t rectX, rectY;
    uint32_t rectWidth, rectHeight;
    uint32_t hasSource;
    uint32_t bgra;
};

BlitPush pushFor(const Blit::Source& src, VkExtent2D extent, bool bgra) {
    BlitPush p{};
    p.dstWidth = extent.width;
    p.dstHeight = extent.height;
    p.bgra = bgra ? 1 : 0;
    if (src.valid()) {
        FitRect r = fitCentred(src.width, src.height, extent.width, extent.height);
        p.srcWidth = src.width;
        p.srcHeight = src.height;
        p.rectX = r.x;
        p.rectY = r.y;
        p.rectWidth = r.width;
        p.rectHeight = r.height;
        p.hasSource = 1;
    }
    return p;
}

} // namespace

Result<Blit> Blit::create(gpu::Device& device, bool withImageTarget) {
    Blit b;
    auto toBuffer = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::present_to_buffer, 2, sizeof(BlitPush));
    if (!toBuffer)
        return std::unexpected(toBuffer.error());
    b.toBuffer_ = std::move(*toBuffer);
    if (withImageTarget) {
        const VkDescriptorType bindings[] = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_IMAGE};
        auto toImage = gpu::ComputePipeline::create(device, gpu::ShaderId::present_to_image, bindings, sizeof(BlitPush));
        if (!toImage)
            return std::unexpected(toImage.error());
        b.toImage_ = std::move(*toImage);
    }
    auto dummy = gpu::Buffer::create(device, 16, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::GpuOnly);
    if (!dummy)
        return std::unexpected(dummy.error());
    b.dummyBuffer_ = std::move(*dummy);
    b.dummy_ = {b.dummyBuffer_.get(), 0, VK_WHOLE_SIZE};
    return b;
}

void Blit::recordToImage(VkCommandBuffer cmd, const Source& src, VkImageView dst, VkExtent2D extent) const {
    toImage_.bind(cmd);
    toImage_.pushDescriptors(cmd, {src.valid() ? src.buffer : dummy_,
                                   VkDescriptorImageInfo{VK_NULL_HANDLE, dst, VK_IMAGE_LAYOUT_GENERAL}});
    toImage_.pushConstants(cmd, pushFor(src, extent, false));
    toImage_.dispatch(cmd, gpu::groupsFor(extent.width, toImage_.localSizeX()),
                  gpu::groupsFor(extent.height, toImage_.localSizeY()), 1);
}

void Blit::recordToBuffer(VkCommandBuffer cmd, const Source& src, VkDescriptorBufferInfo dst, VkExtent2D extent,
                          bool bgra) const {
    toBuffer_.bind(cmd);
    toBuffer_.pushBuffers(cmd, {src.valid() ? src.buffer : dummy_, dst});
    toBuffer_.pushConstants(cmd, pushFor(src, extent, bgra));
    toBuffer_.dispatch(cmd, gpu::groupsFor(extent.width, toBuffer_.localSizeX()),
                  gpu::groupsFor(extent.height, toBuffer_.localSizeY()), 1);
}

} // namespace rearview::present
