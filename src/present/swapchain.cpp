// SPDX-License-Identifier: MIT
#include "present/swapchain.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <format>

namespace rearview::present {

/// One VkSwapchainKHR and what belongs to it; destroyed as a whole once retired.
struct Swapchain::Generation {
    VkDevice device = VK_NULL_HANDLE;
    const VolkDeviceTable* vk = nullptr; ///< the device's
    VkSwapchainKHR swapchain = VK_NULL_HANDLE;
    std::vector<VkImage> images;
    std::vector<VkImageView> views;
    std::vector<VkSemaphore> renderDone;
    VkExtent2D extent{};
    VkFormat format = VK_FORMAT_UNDEFINED;
    bool storage = false;
    bool transferSrc = false;

    Generation() = default;
    Generation(const Generation&) = delete;
    Generation& operator=(const Generation&) = delete;
    ~Generation() {
        for (VkImageView v : views)
            vk->vkDestroyImageView(device, v, nullptr);
        for (VkSemaphore s : renderDone)
            vk->vkDestroySemaphore(device, s, nullptr);
        if (swapchain)
            vk->vkDestroySwapchainKHR(device, swapchain, nullptr);
    }
};

namespace {

constexpr uint32_t kAcquireSlots = 8;

bool isBgra(VkFormat f) { return f == VK_FORMAT_B8G8R8A8_UNORM || f == VK_FORMAT_B8G8R8A8_SRGB; }

} // namespace

Result<std::unique_ptr<Swapchain>> Swapchain::create(gpu::Device& device, Surface& surface, const Options& options) {
    std::unique_ptr<Swapchain> s(new Swapchain());
    s->device_ = &device;
    s->surface_ = &surface;
    s->options_ = options;
    for (uint32_t i = 0; i < kAcquireSlots; ++i) {
        auto sem = s->newSemaphore();
        if (!sem)
            return std::unexpected(sem.error());
        s->acquireSlots_.push_back({*sem, 0});
    }
    RV_TRY(s->recreate());
    return s;
}

Swapchain::~Swapchain() {
    // The owner waited for its submissions; the acquire semaphores are no longer in use.
    current_.reset();
    replaced_.clear();
    for (auto& slot : acquireSlots_)
        device_->vk().vkDestroySemaphore(device_->device(), slot.semaphore, nullptr);
}

Result<VkSemaphore> Swapchain::newSemaphore() const {
    VkSemaphoreCreateInfo ci{VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO};
    VkSemaphore sem = VK_NULL_HANDLE;
    RV_VK_TRY(device_->vk().vkCreateSemaphore(device_->device(), &ci, nullptr, &sem));
    return sem;
}

Result<void> Swapchain::recreate() {
    VkPhysicalDevice pd = device_->physical();
    VkSurfaceKHR surface = surface_->get();
    VkSurfaceCapabilitiesKHR caps{};
    RV_VK_TRY(vkGetPhysicalDeviceSurfaceCapabilitiesKHR(pd, surface, &caps));

    VkExtent2D extent = caps.currentExtent;
    if (extent.width == UINT32_MAX) {
        extent = surface_->preferredExtent();
        extent.width = std::clamp(extent.width, caps.minImageExtent.width, caps.maxImageExtent.width);
        extent.height = std::clamp(extent.height, caps.minImageExtent.height, caps.maxImageExtent.height);
    }
    if (current_)
        replaced_.push_back(std::move(current_));
    if (extent.width == 0 || extent.height == 0)
        return {}; // minimised: nothing to present to until the surface has a size again

    uint32_t formatCount = 0;
    RV_VK_TRY(vkGetPhysicalDeviceSurfaceFormatsKHR(pd, surface, &formatCount, nullptr));
    std::vector<VkSurfaceFormatKHR> formats(formatCount);
    RV_VK_TRY(vkGetPhysicalDeviceSurfaceFormatsKHR(pd, surface, &formatCount, formats.data()));
    // 8-bit formats only: the working image is 8-bit sRGB-encoded values, written unchanged
    // (UNORM). _SRGB formats are accepted for the copy path, which moves bytes unchanged too.
    const VkFormat preferred[] = {VK_FORMAT_B8G8R8A8_UNORM, VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_B8G8R8A8_SRGB,
                                  VK_FORMAT_R8G8B8A8_SRGB};
    VkSurfaceFormatKHR chosen{VK_FORMAT_UNDEFINED, VK_COLOR_SPACE_SRGB_NONLINEAR_KHR};
    for (VkFormat want : preferred) {
        auto it = std::ranges::find_if(formats, [&](auto& f) {
            return f.format == want && f.colorSpace == VK_COLOR_SPACE_SRGB_NONLINEAR_KHR;
        });
        if (it != formats.end()) {
            chosen = *it;
            break;
        }
    }
    if (chosen.format == VK_FORMAT_UNDEFINED) {
        std::string list;
        for (auto& f : formats)
            list += std::format(" {}", int(f.format));
        return fail(ErrorCode::Unsupported,
                    std::format("{} offers no 8-bit RGBA/BGRA sRGB swapchain format (VkFormat values:{})",
                                surface_->describe(), list));
    }

    VkFormatProperties fp{};
    vkGetPhysicalDeviceFormatProperties(pd, chosen.format, &fp);
    VkPhysicalDeviceFeatures features{};
    vkGetPhysicalDeviceFeatures(pd, &features);
    const bool storage = options_.allowStorage && (caps.supportedUsageFlags & VK_IMAGE_USAGE_STORAGE_BIT) &&
                         (fp.optimalTilingFeatures & VK_FORMAT_FEATURE_STORAGE_IMAGE_BIT) &&
                         features.shaderStorageImageWriteWithoutFormat &&
                         (chosen.format == VK_FORMAT_B8G8R8A8_UNORM || chosen.format == VK_FORMAT_R8G8B8A8_UNORM);
    const bool transferDst = caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_DST_BIT;
    const bool transferSrc = caps.supportedUsageFlags & VK_IMAGE_USAGE_TRANSFER_SRC_BIT;
    if (!storage && !transferDst)
        return fail(ErrorCode::Unsupported,
                    std::format("{}: swapchain images can be neither storage images nor copy destinations, so "
                                "compute cannot write them",
                                surface_->describe()));

    uint32_t modeCount = 0;
    RV_VK_TRY(vkGetPhysicalDeviceSurfacePresentModesKHR(pd, surface, &modeCount, nullptr));
    std::vector<VkPresentModeKHR> modes(modeCount);
    RV_VK_TRY(vkGetPhysicalDeviceSurfacePresentModesKHR(pd, surface, &modeCount, modes.data()));
    VkPresentModeKHR mode = VK_PRESENT_MODE_FIFO_KHR; // always available
    if (!options_.vsync)
        for (VkPresentModeKHR want : {VK_PRESENT_MODE_MAILBOX_KHR, VK_PRESENT_MODE_IMMEDIATE_KHR})
            if (std::ranges::find(modes, want) != modes.end()) {
                mode = want;
                break;
            }

    uint32_t imageCount = std::max(options_.minImages, caps.minImageCount);
    if (caps.maxImageCount)
        imageCount = std::min(imageCount, caps.maxImageCount);

    VkSwapchainCreateInfoKHR ci{VK_STRUCTURE_TYPE_SWAPCHAIN_CREATE_INFO_KHR};
    ci.surface = surface;
    ci.minImageCount = imageCount;
    ci.imageFormat = chosen.format;
    ci.imageColorSpace = chosen.colorSpace;
    ci.imageExtent = extent;
    ci.imageArrayLayers = 1;
    ci.imageUsage = (storage ? VK_IMAGE_USAGE_STORAGE_BIT : 0) | (transferDst ? VK_IMAGE_USAGE_TRANSFER_DST_BIT : 0) |
                    (transferSrc ? VK_IMAGE_USAGE_TRANSFER_SRC_BIT : 0);
    ci.imageSharingMode = VK_SHARING_MODE_EXCLUSIVE;
    ci.preTransform = (caps.supportedTransforms & VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR)
                          ? VK_SURFACE_TRANSFORM_IDENTITY_BIT_KHR
                          : caps.currentTransform;
    ci.compositeAlpha = VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR;
    for (auto a : {VK_COMPOSITE_ALPHA_OPAQUE_BIT_KHR, VK_COMPOSITE_ALPHA_INHERIT_BIT_KHR,
                   VK_COMPOSITE_ALPHA_PRE_MULTIPLIED_BIT_KHR, VK_COMPOSITE_ALPHA_POST_MULTIPLIED_BIT_KHR})
        if (caps.supportedCompositeAlpha & a) {
            ci.compositeAlpha = a;
            break;
        }
    ci.presentMode = mode;
    ci.clipped = VK_TRUE;
    ci.oldSwapchain = replaced_.empty() ? VK_NULL_HANDLE : replaced_.back()->swapchain;

    auto g = std::make_unique<Generation>();
    g->device = device_->device();
    g->vk = &device_->vk();
    g->extent = extent;
    g->format = chosen.format;
    g->storage = storage;
    g->transferSrc = transferSrc;
    RV_VK_TRY(device_->vk().vkCreateSwapchainKHR(device_->device(), &ci, nullptr, &g->swapchain));
    uint32_t n = 0;
    RV_VK_TRY(device_->vk().vkGetSwapchainImagesKHR(device_->device(), g->swapchain, &n, nullptr));
    g->images.resize(n);
    RV_VK_TRY(device_->vk().vkGetSwapchainImagesKHR(device_->device(), g->swapchain, &n, g->images.data()));
    for (VkImage image : g->images) {
        auto sem = newSemaphore();
        if (!sem)
            return std::unexpected(sem.error());
        g->renderDone.push_back(*sem);
        if (!storage)
            continue; // the copy path writes images with transfers and needs no views
        VkImageViewCreateInfo vi{VK_STRUCTURE_TYPE_IMAGE_VIEW_CREATE_INFO};
        vi.image = image;
        vi.viewType = VK_IMAGE_VIEW_TYPE_2D;
        vi.format = chosen.format;
        vi.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
        VkImageView view = VK_NULL_HANDLE;
        RV_VK_TRY(device_->vk().vkCreateImageView(device_->device(), &vi, nullptr, &view));
        g->views.push_back(view);
    }
    log::debug("swapchain for {}: {}x{}, format {}, {} images, present mode {}, {} path", surface_->describe(),
               extent.width, extent.height, int(chosen.format), n, int(mode), storage ? "storage" : "copy");
    current_ = std::move(g);
    ++generation_;
    return {};
}

Result<Swapchain::Acquired> Swapchain::acquire(uint64_t timeoutNs) {
    Acquired a;
    if (!current_) {
        a.status = Status::OutOfDate;
        return a;
    }
    a.slot = nextSlot_;
    nextSlot_ = (nextSlot_ + 1) % kAcquireSlots;
    AcquireSlot& slot = acquireSlots_[a.slot];
    if (slot.lastUse)
        RV_TRY(device_->waitTimeline(slot.lastUse)); // the wait on this semaphore has been consumed
    slot.lastUse = 0;
    a.ready = slot.semaphore;
    VkResult r = device_->vk().vkAcquireNextImageKHR(device_->device(), current_->swapchain, timeoutNs, a.ready, VK_NULL_HANDLE,
                                       &a.image);
    switch (r) {
    case VK_SUCCESS: a.status = Status::Ok; break;
    case VK_SUBOPTIMAL_KHR: a.status = Status::Suboptimal; break;
    case VK_ERROR_OUT_OF_DATE_KHR: a.status = Status::OutOfDate; break;
    case VK_TIMEOUT:
    case VK_NOT_READY: a.status = Status::NotReady; break;
    default: return std::unexpected(gpu::vkError(r, "vkAcquireNextImageKHR"));
    }
    return a;
}

Result<VkResult> Swapchain::present(uint32_t image, const void* next) {
    VkPresentInfoKHR pi{VK_STRUCTURE_TYPE_PRESENT_INFO_KHR};
    pi.pNext = next;
    pi.waitSemaphoreCount = 1;
    pi.pWaitSemaphores = &current_->renderDone[image];
    pi.swapchainCount = 1;
    pi.pSwapchains = &current_->swapchain;
    pi.pImageIndices = &image;
    auto r = device_->present(pi);
    if (r && *r == VK_ERROR_SURFACE_LOST_KHR)
        return fail(ErrorCode::DeviceLost, std::format("{} was lost", surface_->describe()));
    return r;
}

void Swapchain::retireReplaced(uint64_t value) {
    for (auto& g : replaced_)
        device_->deferred().retire(value, std::move(g));
    replaced_.clear();
}

VkSwapchainKHR Swapchain::handle() const { return current_ ? current_->swapchain : VK_NULL_HANDLE; }
VkImage Swapchain::image(uint32_t i) const { return current_->images[i]; }
VkImageView Swapchain::view(uint32_t i) const { return current_->views.at(i); }
VkSemaphore Swapchain::renderDone(uint32_t i) const { return current_->renderDone[i]; }
VkExtent2D Swapchain::extent() const { return current_ ? current_->extent : VkExtent2D{0, 0}; }
uint32_t Swapchain::imageCount() const { return current_ ? uint32_t(current_->images.size()) : 0; }
VkFormat Swapchain::format() const { return current_ ? current_->format : VK_FORMAT_UNDEFINED; }
bool Swapchain::storage() const { return current_ && current_->storage; }
bool Swapchain::bgra() const { return current_ && isBgra(current_->format); }
bool Swapchain::transferSrc() const { return current_ && current_->transferSrc; }

} // namespace rearview::present
