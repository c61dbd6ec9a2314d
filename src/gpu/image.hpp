// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"
#include "gpu/handles.hpp"

#include <cstddef>
#include <span>
#include <utility>

namespace rearview::gpu {

/// A device-local VkImage, the VMA allocation it owns and one view of all of it (one mip
/// level, one layer). Move-only. Images the GPU may still read go to DeferredDestroyer.
class Image {
public:
    /// `type` 2D or 3D; `usage` gets TRANSFER_DST added so upload() works.
    static Result<Image> create(Device& device, VkImageType type, VkFormat format, VkExtent3D extent,
                                VkImageUsageFlags usage);

    Image() = default;
    Image(Image&& o) noexcept { *this = std::move(o); }
    Image& operator=(Image&& o) noexcept;
    Image(const Image&) = delete;
    Image& operator=(const Image&) = delete;
    ~Image() { reset(); }

    void reset();
    VkImage get() const { return image_; }
    VkImageView view() const { return view_.get(); }
    VkFormat format() const { return format_; }
    VkExtent3D extent() const { return extent_; }
    explicit operator bool() const { return image_ != VK_NULL_HANDLE; }
    /// The descriptor of the image as a sampled image in SHADER_READ_ONLY_OPTIMAL layout (read
    /// with texelFetch, no sampler).
    VkDescriptorImageInfo sampledDescriptor() const {
        return {VK_NULL_HANDLE, view_.get(), VK_IMAGE_LAYOUT_SHADER_READ_ONLY_OPTIMAL};
    }

    /// Copies `texels` (tightly packed, x fastest, then y, then z) into the whole image in a
    /// submission of its own and leaves it in SHADER_READ_ONLY_OPTIMAL for compute shaders.
    /// Returns at once with the submission's timeline value; later submissions to the
    /// device's queue see the data (the submission ends with a barrier to compute reads), and
    /// the staging memory is freed once that value completes. For data set up once (LUTs),
    /// not per frame.
    Result<uint64_t> upload(Device& device, std::span<const std::byte> texels);

private:
    VmaAllocator allocator_ = VK_NULL_HANDLE;
    VkImage image_ = VK_NULL_HANDLE;
    VmaAllocation allocation_ = VK_NULL_HANDLE;
    Owned<VkImageView> view_;
    VkFormat format_ = VK_FORMAT_UNDEFINED;
    VkExtent3D extent_{};
};

} // namespace rearview::gpu
