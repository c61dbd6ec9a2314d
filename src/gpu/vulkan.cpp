// SPDX-License-Identifier: MIT
#define VOLK_IMPLEMENTATION
#include "gpu/vulkan.hpp"

#include <format>

namespace rearview::gpu {

std::string_view toString(VkResult result) noexcept {
    switch (result) {
#define RV_CASE(x) case x: return #x;
        RV_CASE(VK_SUCCESS)
        RV_CASE(VK_NOT_READY)
        RV_CASE(VK_TIMEOUT)
        RV_CASE(VK_INCOMPLETE)
        RV_CASE(VK_SUBOPTIMAL_KHR)
        RV_CASE(VK_ERROR_OUT_OF_HOST_MEMORY)
        RV_CASE(VK_ERROR_OUT_OF_DEVICE_MEMORY)
        RV_CASE(VK_ERROR_INITIALIZATION_FAILED)
        RV_CASE(VK_ERROR_DEVICE_LOST)
        RV_CASE(VK_ERROR_MEMORY_MAP_FAILED)
        RV_CASE(VK_ERROR_LAYER_NOT_PRESENT)
        RV_CASE(VK_ERROR_EXTENSION_NOT_PRESENT)
        RV_CASE(VK_ERROR_FEATURE_NOT_PRESENT)
        RV_CASE(VK_ERROR_INCOMPATIBLE_DRIVER)
        RV_CASE(VK_ERROR_TOO_MANY_OBJECTS)
        RV_CASE(VK_ERROR_FORMAT_NOT_SUPPORTED)
        RV_CASE(VK_ERROR_FRAGMENTED_POOL)
        RV_CASE(VK_ERROR_OUT_OF_POOL_MEMORY)
        RV_CASE(VK_ERROR_INVALID_EXTERNAL_HANDLE)
        RV_CASE(VK_ERROR_SURFACE_LOST_KHR)
        RV_CASE(VK_ERROR_OUT_OF_DATE_KHR)
#undef RV_CASE
    default: return "VK_ERROR_UNKNOWN";
    }
}

Error vkError(VkResult result, std::string_view what) {
    ErrorCode code = ErrorCode::Internal;
    switch (result) {
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY: code = ErrorCode::OutOfMemory; break;
    case VK_ERROR_DEVICE_LOST:
    case VK_ERROR_SURFACE_LOST_KHR: code = ErrorCode::DeviceLost; break;
    case VK_ERROR_LAYER_NOT_PRESENT:
    case VK_ERROR_EXTENSION_NOT_PRESENT:
    case VK_ERROR_FEATURE_NOT_PRESENT:
    case VK_ERROR_INCOMPATIBLE_DRIVER:
    case VK_ERROR_FORMAT_NOT_SUPPORTED: code = ErrorCode::Unsupported; break;
    default: break;
    }
    return Error{code, std::format("{} failed with {} ({})", what, toString(result), int(result))};
}

} // namespace rearview::gpu
