// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rearview::present {

/// What a window reports to the thread that created it (no SDL types, so it can be mapped
/// to the public API).
struct Event {
    enum class Type {
        Quit,      ///< the window was closed or the application asked to quit
        Resized,   ///< new size in pixels: width x height
        Minimised, ///< nothing is shown until Restored
        Restored,
        Key,       ///< a key went down: `key` is its character for printable keys (SDL keycode otherwise)
    };
    Type type = Type::Quit;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t key = 0;
};

/// A VkSurfaceKHR and what it presents to (window, display plane, nothing). Destroys the
/// surface before what it was made from.
class Surface {
public:
    virtual ~Surface() { destroySurface(); }
    Surface(const Surface&) = delete;
    Surface& operator=(const Surface&) = delete;

    VkSurfaceKHR get() const { return surface_; }
    /// The swapchain extent to use when the surface does not dictate one.
    virtual VkExtent2D preferredExtent() const = 0;
    /// "window 904x572 (x11)", "display 'eDP-1' 904x572@120.00", "headless".
    virtual std::string describe() const = 0;
    /// Window events; only on the thread that created the surface.
    virtual std::vector<Event> pollEvents() { return {}; }
    /// Resizes the window (creating thread only); Unsupported for other surfaces.
    virtual Result<void> setSize(uint32_t width, uint32_t height);
    /// The X11 window id, 0 when there is none.
    virtual uint64_t x11Window() const { return 0; }
    /// The refresh rate the surface runs at, 0 when it has none of its own (window, headless).
    virtual double refreshHz() const { return 0; }

protected:
    explicit Surface(VkInstance instance) : instance_(instance) {}
    void destroySurface();
    VkInstance instance_ = VK_NULL_HANDLE;
    VkSurfaceKHR surface_ = VK_NULL_HANDLE;
};

/// An SDL3 window of `width` x `height` with a Vulkan surface on the device's instance (X11
/// or Wayland, whichever SDL picks). SDL is initialised on the calling thread, which must
/// also poll its events.
struct WindowOptions {
    uint32_t width = 904;
    uint32_t height = 572;
    std::string title = "rearview";
    bool resizable = true;
};
Result<std::unique_ptr<Surface>> createWindowSurface(gpu::Device& device, const WindowOptions& options);

/// A display plane driven directly through VK_KHR_display (no window system).
struct DisplayOptions {
    std::string connector;   ///< display name substring or index; empty: the first display
    uint32_t width = 904;    ///< mode size
    uint32_t height = 572;
    double refreshHz = 120;  ///< the mode whose refresh is nearest
};
Result<std::unique_ptr<Surface>> createDisplaySurface(gpu::Device& device, const DisplayOptions& options);

/// A VK_EXT_headless_surface: presents go nowhere; the presenter paces itself.
Result<std::unique_ptr<Surface>> createHeadlessSurface(gpu::Device& device, uint32_t width, uint32_t height);

} // namespace rearview::present
