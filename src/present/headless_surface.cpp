// SPDX-License-Identifier: MIT
#include "present/surface.hpp"

#include <format>

namespace rearview::present {
namespace {

class HeadlessSurface final : public Surface {
public:
    HeadlessSurface(VkInstance instance, VkExtent2D extent) : Surface(instance), extent_(extent) {}
    VkExtent2D preferredExtent() const override { return extent_; }
    std::string describe() const override { return std::format("headless {}x{}", extent_.width, extent_.height); }
    VkSurfaceKHR* out() { return &surface_; }

private:
    VkExtent2D extent_;
};

} // namespace

Result<std::unique_ptr<Surface>> createHeadlessSurface(gpu::Device& device, uint32_t width, uint32_t height) {
    if (!device.instanceExtensions().headlessSurface)
        return fail(ErrorCode::Unsupported,
                    std::format("the Vulkan loader offers no VK_EXT_headless_surface, so GPU '{}' cannot present "
                                "headless; use the window presenter or update the Vulkan loader and driver",
                                device.info().name));
    if (width == 0 || height == 0)
        return fail(ErrorCode::InvalidArgument, std::format("headless size {}x{} is empty", width, height));
    auto s = std::make_unique<HeadlessSurface>(device.instance(), VkExtent2D{width, height});
    VkHeadlessSurfaceCreateInfoEXT ci{VK_STRUCTURE_TYPE_HEADLESS_SURFACE_CREATE_INFO_EXT};
    RV_VK_TRY(vkCreateHeadlessSurfaceEXT(device.instance(), &ci, nullptr, s->out()));
    RV_TRY(device.checkPresentSupport(s->get()));
    return std::unique_ptr<Surface>(std::move(s));
}

} // namespace rearview::present
