// SPDX-License-Identifier: MIT
// The window presenter under Xvfb (started by the test): what the X server shows in the
// window against the swapchain image read back on the GPU (PSNR >= 35 dB; both are the
// same bytes unless the window system converts them), the readback against the blit's CPU
// reference, then a resize that re-creates the swapchain while presenting continues.
#include "cpu/blit.hpp"
#include "present/presenter.hpp"
#include "present_support.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/portrait.hpp"

#include <catch2/catch_test_macros.hpp>

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bit>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

/// An Xvfb server of our own on a free display number (-displayfd), stopped at the end.
class Xvfb {
public:
    static std::optional<Xvfb> start() {
        int fds[2];
        if (pipe(fds) != 0)
            return std::nullopt;
        const std::string fd = std::to_string(fds[1]);
        const pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1600x1200x24", "-nolisten", "tcp",
                   static_cast<char*>(nullptr));
            _exit(127);
        }
        close(fds[1]);
        if (pid < 0) {
            close(fds[0]);
            return std::nullopt;
        }
        Xvfb x;
        x.pid_ = pid;
        std::string number;
        pollfd p{fds[0], POLLIN, 0};
        while (poll(&p, 1, 10'000) > 0) {
            char c;
            if (read(fds[0], &c, 1) != 1 || c == '\n')
                break;
            number += c;
        }
        close(fds[0]);
        if (number.empty())
            return std::nullopt; // x's destructor stops the server
        x.display_ = ":" + number;
        return x;
    }
    Xvfb(Xvfb&& o) noexcept : pid_(std::exchange(o.pid_, -1)), display_(std::move(o.display_)) {}
    ~Xvfb() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
    }
    const std::string& display() const { return display_; }

private:
    Xvfb() = default;
    pid_t pid_ = -1;
    std::string display_;
};

/// The window's contents as the X server has them.
RgbaImage screenshot(const std::string& display, uint64_t window, uint32_t width, uint32_t height) {
    Display* d = XOpenDisplay(display.c_str());
    REQUIRE(d);
    XSync(d, False);
    XImage* img = XGetImage(d, Window(window), 0, 0, width, height, AllPlanes, ZPixmap);
    REQUIRE(img);
    RgbaImage out(width, height);
    auto channel = [](unsigned long pixel, unsigned long mask) {
        return uint8_t((pixel & mask) >> std::countr_zero(mask));
    };
    for (uint32_t y = 0; y < height; ++y)
        for (uint32_t x = 0; x < width; ++x) {
            const unsigned long p = XGetPixel(img, int(x), int(y));
            uint8_t* o = out.row(y) + x * 4;
            o[0] = channel(p, img->red_mask);
            o[1] = channel(p, img->green_mask);
            o[2] = channel(p, img->blue_mask);
            o[3] = 255;
        }
    XDestroyImage(img);
    XCloseDisplay(d);
    return out;
}

void pump(present::Presenter& p, std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < end) {
        p.pollEvents();
        std::this_thread::sleep_for(5ms);
    }
}

present::Presenter::Capture captureFrame(present::Presenter& p, uint64_t sequence) {
    for (int i = 0; i < 50; ++i) {
        auto shot = p.capture();
        REQUIRE(shot);
        if (shot->hasFrame && shot->sequence == sequence)
            return std::move(*shot);
        p.pollEvents();
    }
    FAIL("frame " << sequence << " was never presented");
    return {};
}

void checkScreen(const std::string& display, present::Presenter& p, const RgbaImage& readback, const char* name) {
    pump(p, 150ms); // the last presents reach the X server
    const RgbaImage screen = screenshot(display, p.x11Window(), readback.width, readback.height);
    const double db = test::psnr(screen, readback);
    INFO(name << ": screenshot vs GPU readback PSNR " << db << " dB");
    if (db < 35)
        test::writeFailureImages(std::string("present_window.") + name, screen, readback);
    CHECK(db >= 35);
}

} // namespace

TEST_CASE("Window presenter under Xvfb: the window shows the presented frame, and survives a resize", "[present]") {
    auto xvfb = Xvfb::start();
    if (!xvfb)
        SKIP("Xvfb cannot be started (install xvfb)");
    setenv("DISPLAY", xvfb->display().c_str(), 1);
    unsetenv("WAYLAND_DISPLAY");

    gpu::Device& device = test::device();
    auto mailbox = present::Mailbox::create(device, 904, 572);
    REQUIRE(mailbox);
    auto submitter = gpu::Submitter::create(device);
    REQUIRE(submitter);
    {
        auto presenter = present::Presenter::create(device, **mailbox,
                                                    {.kind = present::SurfaceKind::Window, .width = 904, .height = 572});
        REQUIRE(presenter);
        present::Presenter& p = **presenter;
        INFO(p.describe());
        CHECK(p.x11Window() != 0);
        const RgbaImage& portrait = test::portrait();
        test::publishImage(device, *submitter, **mailbox, portrait, 1);
        REQUIRE(p.start());
        pump(p, 200ms);

        // At panel size the window shows the working image unchanged.
        auto shot = captureFrame(p, 1);
        REQUIRE(shot.image.width == 904);
        REQUIRE(shot.image.height == 572);
        CHECK(test::compare(shot.image, cpu::Blit(portrait, 904, 572)).maxAbs == 0);
        checkScreen(xvfb->display(), p, shot.image, "904x572");

        // Resized: the swapchain is re-created and the frame is fitted with bars.
        REQUIRE(p.setWindowSize(1000, 700));
        pump(p, 400ms);
        const present::PresentStats s = p.stats();
        CHECK(s.swapchainRecreations >= 1);
        CHECK(s.width == 1000);
        CHECK(s.height == 700);
        test::publishImage(device, *submitter, **mailbox, portrait, 2);
        auto resized = captureFrame(p, 2);
        REQUIRE(resized.image.width == 1000);
        const test::Difference d = test::compare(resized.image, cpu::Blit(portrait, 1000, 700));
        INFO(d.describe());
        CHECK(d.maxAbs <= 1);
        checkScreen(xvfb->display(), p, resized.image, "1000x700");

        pump(p, 200ms);
        REQUIRE(p.stop());
        const present::PresentStats end = p.stats();
        UNSCOPED_INFO("window: presented " << end.presented << ", missed " << end.missedRefreshes << ", recreations "
                                           << end.swapchainRecreations << ", interval p50 " << end.presentIntervalP50Ms
                                           << " ms p99 " << end.presentIntervalP99Ms << " ms");
        CHECK(end.presented > 50);
        CHECK(end.stale == 0);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}
