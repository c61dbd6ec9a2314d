// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"
#include "gpu/handles.hpp"
#include "rearview_shaders.hpp"

#include <initializer_list>
#include <span>

namespace rearview::gpu {

/// One descriptor for ComputePipeline::pushDescriptors(): a buffer range or an image view,
/// for the binding at its position in the list.
struct Descriptor {
    // Implicit, so a list of buffer and image infos reads as one argument.
    Descriptor(VkDescriptorBufferInfo b) : buffer(b) {}
    Descriptor(VkDescriptorImageInfo i) : image(i), isImage(true) {}
    VkDescriptorBufferInfo buffer{};
    VkDescriptorImageInfo image{};
    bool isImage = false;
};

/// A compute pipeline built from an embedded shader. Descriptors are pushed per dispatch
/// (VK_KHR_push_descriptor), so recording needs no descriptor pools or per-frame
/// allocations; per-frame values travel as push constants, variants as specialization
/// constants (ids 0, 1, ... in the order given).
class ComputePipeline {
public:
    static Result<ComputePipeline> create(Device& device, ShaderId shader,
                                          std::span<const VkDescriptorType> bindings, uint32_t pushConstantBytes,
                                          std::span<const uint32_t> specialization = {});

    /// A pipeline whose bindings are `storageBuffers` storage buffers (0, 1, ...).
    static Result<ComputePipeline> createForBuffers(Device& device, ShaderId shader, uint32_t storageBuffers,
                                                    uint32_t pushConstantBytes) {
        const std::vector<VkDescriptorType> bindings(storageBuffers, VK_DESCRIPTOR_TYPE_STORAGE_BUFFER);
        return create(device, shader, bindings, pushConstantBytes);
    }

    void bind(VkCommandBuffer cmd) const;
    /// Pushes storage buffers to bindings 0, 1, ... in order.
    void pushBuffers(VkCommandBuffer cmd, std::initializer_list<VkDescriptorBufferInfo> buffers) const;
    /// Pushes buffers and images to bindings 0, 1, ... in order; each must match the type
    /// its binding was created with (an image for image types, a buffer otherwise).
    void pushDescriptors(VkCommandBuffer cmd, std::initializer_list<Descriptor> descriptors) const;
    template <typename T>
    void pushConstants(VkCommandBuffer cmd, const T& values) const {
        static_assert(sizeof(T) <= 128, "push constants are limited to 128 bytes");
        vk_->vkCmdPushConstants(cmd, layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof(T), &values);
    }
    /// vkCmdDispatch, through the function table of the pipeline's device.
    void dispatch(VkCommandBuffer cmd, uint32_t groupsX, uint32_t groupsY, uint32_t groupsZ) const {
        vk_->vkCmdDispatch(cmd, groupsX, groupsY, groupsZ);
    }
    VkPipelineLayout layout() const { return layout_.get(); }
    /// The shader's local size, read from its SPIR-V at creation.
    uint32_t localSizeX() const { return localSize_[0]; }
    uint32_t localSizeY() const { return localSize_[1]; }

private:
    const VolkDeviceTable* vk_ = nullptr; ///< the device's (Device::vk())
    Owned<VkDescriptorSetLayout> setLayout_;
    Owned<VkPipelineLayout> layout_;
    Owned<VkPipeline> pipeline_;
    std::vector<VkDescriptorType> bindings_;
    uint32_t localSize_[3] = {1, 1, 1};
};

/// Number of workgroups needed to cover `n` items with groups of `size`.
inline uint32_t groupsFor(uint32_t n, uint32_t size) { return (n + size - 1) / size; }

} // namespace rearview::gpu
