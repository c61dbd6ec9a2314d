// SPDX-License-Identifier: MIT
// The one place that includes Vulkan: volk (function pointers loaded at run time, so the
// library works without a Vulkan loader at link time) and VMA configured to use them.
// Instance-level functions are volk's process-wide pointers (the loader's trampolines, which
// dispatch on the handle and so serve every instance); device-level functions are never
// called through volk's globals (they are not loaded) but through the table of the device
// they are made on (gpu::Device::vk(), volkLoadDeviceTable), as each device may come from a
// different driver or an application.
#pragma once

#include "core/try.hpp"

#include <rearview/error.hpp>

#include <volk.h>

#include <string_view>

namespace rearview::gpu {

/// Maps a VkResult to an Error that names the call that failed.
Error vkError(VkResult result, std::string_view what);

/// "VK_ERROR_OUT_OF_DEVICE_MEMORY", ...
std::string_view toString(VkResult result) noexcept;

/// Returns an unexpected Error from the enclosing function when a Vulkan call fails.
#define RV_VK_TRY(call)                                                                      \
    do {                                                                                     \
        if (VkResult rv_result_ = (call); rv_result_ != VK_SUCCESS)                          \
            return std::unexpected(::rearview::gpu::vkError(rv_result_, #call));             \
    } while (0)

} // namespace rearview::gpu
