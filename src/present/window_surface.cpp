// SPDX-License-Identifier: MIT
#include "present/surface.hpp"

#include <SDL3/SDL.h>
#include <SDL3/SDL_vulkan.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <format>

namespace rearview::present {
namespace {

class WindowSurface final : public Surface {
public:
    explicit WindowSurface(VkInstance instance) : Surface(instance) {}
    ~WindowSurface() override {
        destroySurface(); // before the window it was made from
        if (window_)
            SDL_DestroyWindow(window_);
        if (videoInitialised_)
            SDL_QuitSubSystem(SDL_INIT_VIDEO);
    }

    // Read on the presenter thread, so it is a copy kept by the SDL thread.
    VkExtent2D preferredExtent() const override {
        const uint64_t s = pixelSize_.load();
        return {uint32_t(s >> 32), uint32_t(s)};
    }
    void updateSize() {
        int w = 0, h = 0;
        SDL_GetWindowSizeInPixels(window_, &w, &h);
        pixelSize_ = (uint64_t(uint32_t(std::max(w, 0))) << 32) | uint32_t(std::max(h, 0));
    }
    std::string describe() const override {
        VkExtent2D e = preferredExtent();
        return std::format("window {}x{} ({})", e.width, e.height, driver_);
    }
    std::vector<Event> pollEvents() override {
        std::vector<Event> events;
        SDL_Event e;
        while (SDL_PollEvent(&e)) {
            switch (e.type) {
            case SDL_EVENT_QUIT:
            case SDL_EVENT_WINDOW_CLOSE_REQUESTED: events.push_back({Event::Type::Quit}); break;
            case SDL_EVENT_WINDOW_PIXEL_SIZE_CHANGED:
                updateSize();
                events.push_back({Event::Type::Resized, uint32_t(e.window.data1), uint32_t(e.window.data2)});
                break;
            case SDL_EVENT_WINDOW_MINIMIZED: events.push_back({Event::Type::Minimised}); break;
            case SDL_EVENT_WINDOW_RESTORED: events.push_back({Event::Type::Restored}); break;
            case SDL_EVENT_KEY_DOWN: events.push_back({Event::Type::Key, 0, 0, uint32_t(e.key.key)}); break;
            default: break;
            }
        }
        return events;
    }
    Result<void> setSize(uint32_t width, uint32_t height) override {
        if (!SDL_SetWindowSize(window_, int(width), int(height)))
            return fail(ErrorCode::Internal, std::format("SDL_SetWindowSize({}, {}): {}", width, height, SDL_GetError()));
        SDL_SyncWindow(window_); // so the surface reports the new size to the presenter thread
        updateSize();
        return {};
    }
    uint64_t x11Window() const override {
        return uint64_t(SDL_GetNumberProperty(SDL_GetWindowProperties(window_), SDL_PROP_WINDOW_X11_WINDOW_NUMBER, 0));
    }

    SDL_Window* window_ = nullptr;
    std::atomic<uint64_t> pixelSize_{0};
    bool videoInitialised_ = false;
    std::string driver_;
    VkSurfaceKHR* out() { return &surface_; }
};

bool instanceHas(const gpu::InstanceExtensions& ie, const char* name) {
    if (!std::strcmp(name, "VK_KHR_surface")) return ie.surface;
    if (!std::strcmp(name, "VK_KHR_xlib_surface")) return ie.xlibSurface;
    if (!std::strcmp(name, "VK_KHR_xcb_surface")) return ie.xcbSurface;
    if (!std::strcmp(name, "VK_KHR_wayland_surface")) return ie.waylandSurface;
    if (!std::strcmp(name, "VK_EXT_headless_surface")) return ie.headlessSurface;
    if (!std::strcmp(name, "VK_KHR_display")) return ie.display;
    return false;
}

} // namespace

Result<std::unique_ptr<Surface>> createWindowSurface(gpu::Device& device, const WindowOptions& options) {
    if (options.width == 0 || options.height == 0)
        return fail(ErrorCode::InvalidArgument, std::format("window size {}x{} is empty", options.width, options.height));
    auto s = std::make_unique<WindowSurface>(device.instance());
    if (!SDL_InitSubSystem(SDL_INIT_VIDEO)) {
        const char* display = std::getenv("DISPLAY");
        const char* wayland = std::getenv("WAYLAND_DISPLAY");
        return fail(ErrorCode::Unsupported,
                    std::format("cannot open a window: SDL video init failed ({}); DISPLAY={}, WAYLAND_DISPLAY={}. "
                                "Run under X11 or Wayland (tests: xvfb-run), or use the headless presenter",
                                SDL_GetError(), display ? display : "(unset)", wayland ? wayland : "(unset)"));
    }
    s->videoInitialised_ = true;
    s->driver_ = SDL_GetCurrentVideoDriver() ? SDL_GetCurrentVideoDriver() : "?";

    Uint32 count = 0;
    const char* const* needed = SDL_Vulkan_GetInstanceExtensions(&count);
    if (!needed)
        return fail(ErrorCode::Unsupported,
                    std::format("SDL's {} video driver cannot make Vulkan surfaces: {}", s->driver_, SDL_GetError()));
    for (Uint32 i = 0; i < count; ++i)
        if (!instanceHas(device.instanceExtensions(), needed[i]))
            return fail(ErrorCode::Unsupported,
                        std::format("a window on SDL's {} driver needs the instance extension {}, which the Vulkan "
                                    "loader does not offer", s->driver_, needed[i]));

    SDL_WindowFlags flags = SDL_WINDOW_VULKAN | (options.resizable ? SDL_WINDOW_RESIZABLE : 0);
    s->window_ = SDL_CreateWindow(options.title.c_str(), int(options.width), int(options.height), flags);
    if (!s->window_)
        return fail(ErrorCode::Unsupported, std::format("SDL_CreateWindow({}x{}) on {}: {}", options.width,
                                                        options.height, s->driver_, SDL_GetError()));
    s->updateSize();
    if (!SDL_Vulkan_CreateSurface(s->window_, device.instance(), nullptr, s->out()))
        return fail(ErrorCode::Unsupported,
                    std::format("SDL_Vulkan_CreateSurface on {}: {}", s->driver_, SDL_GetError()));
    RV_TRY(device.checkPresentSupport(s->get()));
    return std::unique_ptr<Surface>(std::move(s));
}

} // namespace rearview::present
