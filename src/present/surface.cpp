// SPDX-License-Identifier: MIT
#include "present/surface.hpp"

#include <format>

namespace rearview::present {

Result<void> Surface::setSize(uint32_t, uint32_t) {
    return fail(ErrorCode::Unsupported, std::format("{} cannot be resized", describe()));
}

void Surface::destroySurface() {
    if (surface_)
        vkDestroySurfaceKHR(instance_, surface_, nullptr);
    surface_ = VK_NULL_HANDLE;
}

} // namespace rearview::present
