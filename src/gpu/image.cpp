// SPDX-License-Identifier: MIT
#include "gpu/image.hpp"

#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"

#include <cstring>
#include <format>

namespace rearview::gpu {

Result<Image> Image::create(Device& device, VkImageType type, VkFormat format, VkExtent3D extent,
                            VkImageUsageFlags usage) {
    VkImageCreateInfo ici{VK_STRUCTURE_TYPE_IMAGE_CREATE_INFO};
    ici.imageType = type;
    ici.format = format;
    ici.extent = extent;
    ici.mipLevels = 1;
    ici.arrayLayers = 1;
    ici.samples = VK_SAMPLE_COUNT_1_BIT;
    ici.tiling = VK_IMAGE_TILING_OPTIMAL;
    ici.usage = usage | VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    ici.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    ici.initialLayout = VK_IMAGE_LAYOUT_UNDEFINED;
    VmaAllocationCreateInfo aci{};
    aci.usage = VMA_MEMORY_USAGE_AUTO_PREFER_DEVICE;
    Image img;
    img.allocator_ = device.allocator();
    img.format_ = format;
    img.extent_ = extent;
    RV_VK_TRY(vmaCreateImage(device.allocator(), &ici, &aci, &img.image_, &img.allocation_, nullptr));

    VkImageViewCreateInfo vci{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
    vci.image = img.image_;
    vci.viewType = type == VK_IMAGE_TYPE_3D ? VK_IMAGE_VIEW_TYPE_3D : VK_IMAGE_VIEW_TYPE_2D;
    vci.format = format;
    vci.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkImageView view = VK_NULL_HANDLE;
    RV_VK_TRY(device.vk().vkCreateImageView(device.device(), &vci, nullptr, &view));
    img.view_ = device.own(view);
    return img;
}

Image& Image::operator=(Image&& o) noexcept {
    if (this != &o) {
        reset();
        allocator_ = o.allocator_;
        image_ = std::exchange(o.image_, VK_NULL_HANDLE);
        allocation_ = std::exchange(o.allocation_, VK_NULL_HANDLE);
        view_ = std::move(o.view_);
        format_ = o.format_;
        extent_ = o.extent_;
    }
    return *this;
}

void Image::reset() {
    view_.reset(); // before the image it views
    if (image_)
        vmaDestroyImage(allocator_, image_, allocation_);
    image_ = VK_NULL_HANDLE;
    allocation_ = VK_NULL_HANDLE;
}

Result<uint64_t> Image::upload(Device& device, std::span<const std::byte> texels) {
    auto staging = Buffer::create(device, texels.size(), VK_BUFFER_USAGE_TRANSFER_SRC_BIT, MemoryUse::Upload);
    if (!staging)
        return std::unexpected(staging.error());
    std::memcpy(staging->mapped(), texels.data(), texels.size());
    staging->flush();
    // A submitter of its own: uploads happen when a LUT changes, not inside the frame loop.
    auto submitter = Submitter::create(device, 1, 1);
    if (!submitter)
        return std::unexpected(submitter.error());
    auto cmd = submitter->begin();
    if (!cmd)
        return std::unexpected(cmd.error());

    auto transition = [&](VkImageLayout from, VkImageLayout to, VkPipelineStageFlags2 srcStage,
                          VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) {
        imageBarrier(device, *cmd, image_, from, to, srcStage, srcAccess, dstStage, dstAccess);
    };
    // From UNDEFINED: the old contents are discarded, but earlier shader reads of this image
    // (a re-upload) must finish before the copy overwrites it.
    transition(VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
               VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_NONE, VK_PIPELINE_STAGE_2_COPY_BIT,
               VK_ACCESS_2_TRANSFER_WRITE_BIT);
    VkBufferImageCopy region{};
    region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
    region.imageExtent = extent_;
    device.vk().vkCmdCopyBufferToImage(*cmd, staging->get(), image_, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
    // Covers compute work in later submissions too (submission order on one queue).
    transition(VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL,
               VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
               VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_SAMPLED_READ_BIT);
    auto value = submitter->submit();
    if (!value)
        return std::unexpected(value.error());
    device.deferred().retire(*value, std::move(*staging));
    device.deferred().retire(*value, std::move(*submitter));
    return *value;
}

} // namespace rearview::gpu
