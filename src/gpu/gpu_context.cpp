// SPDX-License-Identifier: MIT
#include "gpu/gpu_context_impl.hpp"

#include "core/thread_priority.hpp"

#include <rearview/gpu_interop.hpp>

namespace rearview {

Result<GpuContext> GpuContext::create(const GpuOptions& options) {
    // A viewfinder presents the panel from this device: on a CPU driver its shader workers,
    // started here, get the panel's priority where the process may raise it (the caller's
    // thread keeps its own).
    Result<std::unique_ptr<gpu::Device>> device = std::unexpected(Error{});
    runWithPriority(ThreadPriority::Panel, [&] { device = gpu::Device::create(options); });
    if (!device)
        return std::unexpected(device.error());
    return GpuContext(std::make_unique<Impl>(std::move(*device)));
}

Result<GpuContext> GpuContext::adopt(const AppVulkanDevice& app, const GpuOptions& options) {
    gpu::Device::AppHandles handles{.instance = reinterpret_cast<VkInstance>(app.instance),
                                    .physical = reinterpret_cast<VkPhysicalDevice>(app.physicalDevice),
                                    .device = reinterpret_cast<VkDevice>(app.device),
                                    .queueFamily = app.queueFamily,
                                    .queueIndex = app.queueIndex,
                                    .instanceExtensions = app.instanceExtensions,
                                    .deviceExtensions = app.deviceExtensions,
                                    .lockQueue = app.lockQueue,
                                    .unlockQueue = app.unlockQueue};
    auto device = gpu::Device::adopt(handles, options);
    if (!device)
        return std::unexpected(device.error());
    return GpuContext(std::make_unique<Impl>(std::move(*device)));
}

VulkanRequirements vulkanRequirements() {
    return {.apiVersion = VK_API_VERSION_1_3,
            .deviceExtensions = {VK_KHR_PUSH_DESCRIPTOR_EXTENSION_NAME},
            .optionalExtensions = {VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME,
                                   VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME, VK_KHR_SWAPCHAIN_EXTENSION_NAME,
                                   VK_GOOGLE_DISPLAY_TIMING_EXTENSION_NAME, VK_KHR_CALIBRATED_TIMESTAMPS_EXTENSION_NAME},
            .features = gpu::Device::requiredFeatures()};
}

GpuContext::GpuContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuContext::GpuContext(GpuContext&&) noexcept = default;
GpuContext& GpuContext::operator=(GpuContext&&) noexcept = default;
GpuContext::~GpuContext() = default;

const GpuInfo& GpuContext::info() const { return impl_->device->info(); }
uint64_t GpuContext::validationMessages() const { return impl_->device->validationMessages(); }

} // namespace rearview
