// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/compute_pipeline.hpp"
#include "present/fit_rect.hpp"

namespace rearview::present {

/// The presentation blit on the GPU: a packed RGBA8 working image (or nothing: black)
/// fitted into a target of any size with black bars (see present::fitCentred(); its CPU reference is cpu::Blit()). Two targets:
/// a storage image in GENERAL layout (the view's format does the RGBA/BGRA order), or a
/// packed buffer in the target format's byte order for swapchains whose images cannot be
/// storage images (copied into the image afterwards).
class Blit {
public:
    Blit() = default; ///< empty until assigned from create()
    /// `withImageTarget`: also build the storage-image variant (needs
    /// shaderStorageImageWriteWithoutFormat).
    static Result<Blit> create(gpu::Device& device, bool withImageTarget);

    /// The source of a blit: the working image, or none for black.
    struct Source {
        VkDescriptorBufferInfo buffer{};
        uint32_t width = 0;
        uint32_t height = 0;
        bool valid() const { return buffer.buffer != VK_NULL_HANDLE && width && height; }
    };
    void recordToImage(VkCommandBuffer cmd, const Source& src, VkImageView dst, VkExtent2D extent) const;
    void recordToBuffer(VkCommandBuffer cmd, const Source& src, VkDescriptorBufferInfo dst, VkExtent2D extent,
                        bool bgra) const;
    bool hasImageTarget() const { return bool(toImage_.layout()); }

private:
    gpu::ComputePipeline toImage_;
    gpu::ComputePipeline toBuffer_;
    VkDescriptorBufferInfo dummy_{}; ///< bound when there is no source (the binding must be valid)
    gpu::Buffer dummyBuffer_;
};

} // namespace rearview::present
