// SPDX-License-Identifier: MIT
#include "present/surface.hpp"

#include <charconv>
#include <cmath>
#include <format>

namespace rearview::present {
namespace {

class DisplaySurface final : public Surface {
public:
    DisplaySurface(VkInstance instance, std::string name, VkExtent2D extent, double hz)
        : Surface(instance), name_(std::move(name)), extent_(extent), hz_(hz) {}
    VkExtent2D preferredExtent() const override { return extent_; }
    std::string describe() const override {
        return std::format("display '{}' {}x{}@{:.2f}", name_, extent_.width, extent_.height, hz_);
    }
    double refreshHz() const override { return hz_; }
    VkSurfaceKHR* out() { return &surface_; }

private:
    std::string name_;
    VkExtent2D extent_;
    double hz_;
};

std::string displayName(const VkDisplayPropertiesKHR& d, uint32_t index) {
    return d.displayName ? std::string(d.displayName) : std::format("display {}", index);
}

} // namespace

Result<std::unique_ptr<Surface>> createDisplaySurface(gpu::Device& device, const DisplayOptions& options) {
    const std::string& gpuName = device.info().name;
    if (!device.instanceExtensions().display)
        return fail(ErrorCode::Unsupported,
                    std::format("the Vulkan loader offers no VK_KHR_display, so GPU '{}' cannot drive a display "
                                "directly; use the window or headless presenter", gpuName));
    VkPhysicalDevice pd = device.physical();
    uint32_t n = 0;
    RV_VK_TRY(vkGetPhysicalDeviceDisplayPropertiesKHR(pd, &n, nullptr));
    std::vector<VkDisplayPropertiesKHR> displays(n);
    RV_VK_TRY(vkGetPhysicalDeviceDisplayPropertiesKHR(pd, &n, displays.data()));
    displays.resize(n);
    if (displays.empty())
        return fail(ErrorCode::NotFound,
                    std::format("GPU '{}' lists no displays it can drive directly (VK_KHR_display found none: no "
                                "connector is attached, the driver has no display engine, or another process such "
                                "as a compositor holds it); use the window or headless presenter",
                                gpuName));

    std::string all;
    for (uint32_t i = 0; i < n; ++i)
        all += std::format("{} [{}] '{}'", all.empty() ? "" : ",", i, displayName(displays[i], i));
    uint32_t chosen = UINT32_MAX;
    if (options.connector.empty()) {
        chosen = 0;
    } else {
        const std::string& c = options.connector;
        uint32_t index = 0;
        auto [ptr, ec] = std::from_chars(c.data(), c.data() + c.size(), index);
        if (ec == std::errc() && ptr == c.data() + c.size())
            chosen = index < n ? index : UINT32_MAX;
        else
            for (uint32_t i = 0; i < n && chosen == UINT32_MAX; ++i)
                if (displayName(displays[i], i).find(c) != std::string::npos)
                    chosen = i;
        if (chosen == UINT32_MAX)
            return fail(ErrorCode::NotFound,
                        std::format("GPU '{}' has no display '{}'; displays:{}", gpuName, c, all));
    }
    VkDisplayKHR display = displays[chosen].display;
    const std::string name = displayName(displays[chosen], chosen);

    uint32_t modeCount = 0;
    RV_VK_TRY(vkGetDisplayModePropertiesKHR(pd, display, &modeCount, nullptr));
    std::vector<VkDisplayModePropertiesKHR> modes(modeCount);
    RV_VK_TRY(vkGetDisplayModePropertiesKHR(pd, display, &modeCount, modes.data()));
    modes.resize(modeCount);
    const VkDisplayModePropertiesKHR* best = nullptr;
    std::string modeList;
    for (auto& m : modes) {
        const auto& p = m.parameters;
        modeList += std::format(" {}x{}@{:.2f}", p.visibleRegion.width, p.visibleRegion.height, p.refreshRate / 1000.0);
        if (p.visibleRegion.width != options.width || p.visibleRegion.height != options.height)
            continue;
        if (!best || std::abs(p.refreshRate / 1000.0 - options.refreshHz) <
                         std::abs(best->parameters.refreshRate / 1000.0 - options.refreshHz))
            best = &m;
    }
    if (!best)
        return fail(ErrorCode::NotFound, std::format("display '{}' on GPU '{}' has no {}x{} mode; modes:{}", name,
                                                     gpuName, options.width, options.height, modeList));

    // A plane that can show this display and is free (or already on it).
    uint32_t planeCount = 0;
    RV_VK_TRY(vkGetPhysicalDeviceDisplayPlanePropertiesKHR(pd, &planeCount, nullptr));
    std::vector<VkDisplayPlanePropertiesKHR> planes(planeCount);
    RV_VK_TRY(vkGetPhysicalDeviceDisplayPlanePropertiesKHR(pd, &planeCount, planes.data()));
    uint32_t plane = UINT32_MAX;
    for (uint32_t i = 0; i < planeCount && plane == UINT32_MAX; ++i) {
        if (planes[i].currentDisplay != VK_NULL_HANDLE && planes[i].currentDisplay != display)
            continue;
        uint32_t dn = 0;
        vkGetDisplayPlaneSupportedDisplaysKHR(pd, i, &dn, nullptr);
        std::vector<VkDisplayKHR> supported(dn);
        vkGetDisplayPlaneSupportedDisplaysKHR(pd, i, &dn, supported.data());
        for (VkDisplayKHR d : supported)
            if (d == display)
                plane = i;
    }
    if (plane == UINT32_MAX)
        return fail(ErrorCode::Unsupported,
                    std::format("display '{}' on GPU '{}' has no free plane to show images on", name, gpuName));

    VkDisplayPlaneCapabilitiesKHR caps{};
    RV_VK_TRY(vkGetDisplayPlaneCapabilitiesKHR(pd, best->displayMode, plane, &caps));
    VkDisplaySurfaceCreateInfoKHR ci{VK_STRUCTURE_TYPE_DISPLAY_SURFACE_CREATE_INFO_KHR};
    ci.displayMode = best->displayMode;
    ci.planeIndex = plane;
    ci.planeStackIndex = planes[plane].currentStackIndex;
    ci.transform = VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR;
    ci.globalAlpha = 1.0f;
    ci.alphaMode = (caps.supportedAlpha & VK_DISPLAY_PLANE_ALPHA_OPAQUE_BIT_KHR) ? VK_DISPLAY_PLANE_ALPHA_OPAQUE_BIT_KHR
                                                                                : VK_DISPLAY_PLANE_ALPHA_GLOBAL_BIT_KHR;
    ci.imageExtent = best->parameters.visibleRegion;
    auto s = std::make_unique<DisplaySurface>(device.instance(), name, best->parameters.visibleRegion,
                                              best->parameters.refreshRate / 1000.0);
    RV_VK_TRY(vkCreateDisplayPlaneSurfaceKHR(device.instance(), &ci, nullptr, s->out()));
    RV_TRY(device.checkPresentSupport(s->get()));
    return std::unique_ptr<Surface>(std::move(s));
}

} // namespace rearview::present
