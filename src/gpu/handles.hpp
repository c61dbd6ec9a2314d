// SPDX-License-Identifier: MIT
// Move-only owners for Vulkan handles created from a VkDevice, destroyed through that
// device's own function table.
#pragma once

#include "gpu/vulkan.hpp"

#include <utility>

namespace rearview::gpu {

template <typename T>
struct Destroy;

#define RV_DESTROYER(Type, fn)                                                               \
    template <>                                                                              \
    struct Destroy<Type> {                                                                   \
        static void destroy(const VolkDeviceTable& vk, VkDevice device, Type handle) {       \
            vk.fn(device, handle, nullptr);                                                  \
        }                                                                                    \
    };
RV_DESTROYER(VkPipeline, vkDestroyPipeline)
RV_DESTROYER(VkPipelineLayout, vkDestroyPipelineLayout)
RV_DESTROYER(VkDescriptorSetLayout, vkDestroyDescriptorSetLayout)
RV_DESTROYER(VkDescriptorPool, vkDestroyDescriptorPool)
RV_DESTROYER(VkShaderModule, vkDestroyShaderModule)
RV_DESTROYER(VkCommandPool, vkDestroyCommandPool)
RV_DESTROYER(VkSemaphore, vkDestroySemaphore)
RV_DESTROYER(VkFence, vkDestroyFence)
RV_DESTROYER(VkQueryPool, vkDestroyQueryPool)
RV_DESTROYER(VkImageView, vkDestroyImageView)
RV_DESTROYER(VkSampler, vkDestroySampler)
RV_DESTROYER(VkBuffer, vkDestroyBuffer)
RV_DESTROYER(VkDeviceMemory, vkFreeMemory)
#undef RV_DESTROYER

/// Owns one device-level Vulkan handle and destroys it when dropped. Objects the GPU may
/// still be using must be handed to DeferredDestroyer instead of being dropped.
template <typename T>
class Owned {
public:
    Owned() = default;
    /// `vk`: the function table of `device` (Device::vk()), which must outlive this.
    Owned(const VolkDeviceTable& vk, VkDevice device, T handle) : vk_(&vk), device_(device), handle_(handle) {}
    Owned(const Owned&) = delete;
    Owned& operator=(const Owned&) = delete;
    Owned(Owned&& o) noexcept
        : vk_(o.vk_), device_(o.device_), handle_(std::exchange(o.handle_, VK_NULL_HANDLE)) {}
    Owned& operator=(Owned&& o) noexcept {
        if (this != &o) {
            reset();
            vk_ = o.vk_;
            device_ = o.device_;
            handle_ = std::exchange(o.handle_, VK_NULL_HANDLE);
        }
        return *this;
    }
    ~Owned() { reset(); }

    void reset() {
        if (handle_ != VK_NULL_HANDLE)
            Destroy<T>::destroy(*vk_, device_, handle_);
        handle_ = VK_NULL_HANDLE;
    }
    T get() const { return handle_; }
    explicit operator bool() const { return handle_ != VK_NULL_HANDLE; }

private:
    const VolkDeviceTable* vk_ = nullptr;
    VkDevice device_ = VK_NULL_HANDLE;
    T handle_ = VK_NULL_HANDLE;
};

} // namespace rearview::gpu
