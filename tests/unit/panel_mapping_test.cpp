// SPDX-License-Identifier: MIT
// Tap to focus: a panel point maps back to the frame pixel the panel shows there, for every
// rotation x mirror x zoom x fill/fit. Checked against what the crop/scale reference really
// draws: a bright dot in the frame, found on the panel, maps back onto the dot.
#include "core/panel_mapping.hpp"
#include "cpu/crop_scale.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cmath>
#include <format>

using namespace rearview;

namespace {

constexpr uint32_t kFrameW = 640, kFrameH = 480, kPanelW = 180, kPanelH = 120;

/// A dark frame with a bright 4x4 dot whose centre is at (x, y).
Nv12Image frameWithDot(double x, double y) {
    Nv12Image f(kFrameW, kFrameH);
    std::fill(f.yPlane(), f.yPlane() + f.uvOffset(), uint8_t(16));
    std::fill(f.uvPlane(), f.uvPlane() + size_t(f.stride()) * kFrameH / 2, uint8_t(128));
    for (int dy = -2; dy < 2; ++dy)
        for (int dx = -2; dx < 2; ++dx)
            f.yPlane()[size_t(std::lround(y) + dy) * f.stride() + size_t(std::lround(x) + dx)] = 235;
    return f;
}

/// The panel pixel where the dot shows brightest, as a panel point at its centre.
PanelPoint brightest(const RgbaImage& panel) {
    uint32_t bx = 0, by = 0;
    int best = -1;
    for (uint32_t y = 0; y < panel.height; ++y)
        for (uint32_t x = 0; x < panel.width; ++x)
            if (const int v = panel.row(y)[x * 4]; v > best)
                best = v, bx = x, by = y;
    return {(float(bx) + 0.5f) / float(panel.width), (float(by) + 0.5f) / float(panel.height)};
}

} // namespace

TEST_CASE("A panel point maps back to the frame pixel shown there, for every rotation, mirror, zoom and fit",
          "[unit]") {
    size_t cases = 0;
    for (const Rotation rotation : {Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270})
        for (const bool mirror : {false, true})
            for (const float zoom : {1.0f, 2.5f, 6.0f})
                for (const FitMode fit : {FitMode::Fill, FitMode::Fit}) {
                    const ViewGeometry g{.fit = fit, .zoom = zoom, .centerX = 0.4f, .centerY = 0.55f,
                                         .rotation = rotation, .mirror = mirror};
                    auto plan = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, g);
                    REQUIRE(plan);
                    // A dot inside the crop, off its centre in both directions.
                    const double fx = plan->cropX + 0.3 * plan->cropWidth, fy = plan->cropY + 0.7 * plan->cropHeight;
                    RgbaImage panel;
                    cpu::CropScale(frameWithDot(fx, fy).view(), *plan, panel);
                    const PanelPoint p = brightest(panel);
                    auto back = panelToFrame(*plan, p);
                    INFO(std::format("rotation {} mirror {} zoom {} {}: dot at ({:.1f}, {:.1f}), panel ({:.3f}, {:.3f})",
                                     toString(rotation), mirror, zoom, toString(fit), fx, fy, p.x, p.y));
                    REQUIRE(back);
                    INFO(std::format("maps back to ({:.1f}, {:.1f})", back->x, back->y));
                    // Within one panel pixel's footprint of the dot (and the dot's own half size).
                    const double tolerance = std::max({plan->scaleX, plan->scaleY, 1.0}) + 2.0;
                    CHECK(std::abs(back->x - fx) <= tolerance);
                    CHECK(std::abs(back->y - fy) <= tolerance);
                    ++cases;
                }
    CHECK(cases == 48);
}

TEST_CASE("Mirror and rotation send a panel point where the user expects; bars and off-panel points are refused",
          "[unit]") {
    auto mirrored = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, ViewGeometry{});
    REQUIRE(mirrored);
    // Mirrored (the default): the panel's left shows the frame's right.
    CHECK(panelToFrame(*mirrored, {0.1f, 0.5f})->x > kFrameW / 2.0);
    auto plain = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, ViewGeometry{.mirror = false});
    REQUIRE(plain);
    CHECK(panelToFrame(*plain, {0.1f, 0.5f})->x < kFrameW / 2.0);
    // The panel's centre is the crop's centre, whatever the rotation.
    for (const Rotation r : {Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270}) {
        auto plan = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, ViewGeometry{.rotation = r});
        REQUIRE(plan);
        auto c = panelToFrame(*plan, {0.5f, 0.5f});
        REQUIRE(c);
        CHECK(std::abs(c->x - (plan->cropX + plan->cropWidth / 2)) < 1e-6);
        CHECK(std::abs(c->y - (plan->cropY + plan->cropHeight / 2)) < 1e-6);
    }
    // Rotated 90 clockwise: the panel's top shows the frame's left.
    auto r90 = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, ViewGeometry{.rotation = Rotation::R90, .mirror = false});
    REQUIRE(r90);
    CHECK(panelToFrame(*r90, {0.5f, 0.05f})->x < r90->cropX + r90->cropWidth / 2);

    // 4:3 fitted onto 3:2 leaves bars left and right.
    auto fit = planCrop(kFrameW, kFrameH, kPanelW, kPanelH, ViewGeometry{.fit = FitMode::Fit});
    REQUIRE(fit);
    auto bar = panelToFrame(*fit, {0.02f, 0.5f});
    REQUIRE_FALSE(bar);
    CHECK(bar.error().message.find("black bars") != std::string::npos);
    for (const PanelPoint off : {PanelPoint{-0.1f, 0.5f}, PanelPoint{0.5f, 1.5f}, PanelPoint{std::nanf(""), 0.5f}}) {
        auto r = panelToFrame(*plain, off);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == ErrorCode::InvalidArgument);
        CHECK(r.error().message.find("off the panel") != std::string::npos);
    }
}
