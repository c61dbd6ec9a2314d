// SPDX-License-Identifier: MIT
#include "stages/face_thumbnail.hpp"

#include <format>

namespace rearview::stages {
namespace {

struct Push {
    uint32_t width, height, thumbWidth, thumbHeight, strideWords;
};

} // namespace

Result<FaceThumbnail> FaceThumbnail::create(gpu::Device& device) {
    auto p = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::face_thumbnail, 2, sizeof(Push));
    if (!p)
        return std::unexpected(p.error());
    FaceThumbnail t;
    t.pipeline_ = std::move(*p);
    return t;
}

Result<void> FaceThumbnail::record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width,
                                   uint32_t height, VkDescriptorBufferInfo thumb) const {
    const VkDeviceSize needed = VkDeviceSize(ThumbnailLayout::strideBytes(width)) * ThumbnailLayout::height(height);
    if (thumb.range != VK_WHOLE_SIZE && thumb.range < needed)
        return fail(ErrorCode::InvalidArgument,
                    std::format("thumbnail buffer of {} bytes is smaller than the {} a {}x{} image needs", thumb.range,
                                needed, width, height));
    const Push push{width, height, ThumbnailLayout::width(width), ThumbnailLayout::height(height),
                    ThumbnailLayout::strideBytes(width) / 4};
    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {image, thumb});
    pipeline_.pushConstants(cmd, push);
    pipeline_.dispatch(cmd, gpu::groupsFor(push.strideWords, pipeline_.localSizeX()), push.thumbHeight, 1);
    return {};
}

} // namespace rearview::stages
