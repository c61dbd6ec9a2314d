// SPDX-License-Identifier: MIT
// The HUD overlay's text model and box geometry, shared by the GPU stage (stages/overlay.hpp)
// and its CPU reference (cpu/overlay.hpp): the same layout and integer arithmetic, so the two
// match exactly.
//
// The box sits in a corner of the image, `margin` pixels from both edges (clamped to the
// image when it does not fit, and clipped by it). It is `padding` font pixels around the
// text on every side; lines are kLinePitch font pixels apart; every font pixel is
// `scale` x `scale` image pixels. Inside the box every pixel is dimmed,
// rgb' = (rgb * keep + 128) >> 8 with keep = 256 - round(opacity * 256) (alpha kept), and a
// lit glyph pixel is replaced by the text colour. Nothing outside the box changes.
#pragma once

#include <rearview/error.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace rearview {

/// Which corner of the image the HUD sits in.
enum class OverlayCorner : uint8_t { TopLeft, TopRight, BottomLeft, BottomRight };

/// How the HUD looks; may change every frame.
struct OverlayStyle {
    OverlayCorner corner = OverlayCorner::TopLeft;
    uint32_t margin = 8;                ///< pixels between the box and the image edges, 0..256
    uint32_t scale = 1;                 ///< image pixels per font pixel, 1..4
    float backgroundOpacity = 0.6f;     ///< how much the box darkens the picture, 0..1
    uint32_t textColor = 0xFFFFFFFFu;   ///< packed RGBA8, R in the low byte
};

/// Checks the style's ranges; the error names the field, the value and the range.
Result<void> validate(const OverlayStyle& style);

/// The HUD's text as drawn: at most kMaxLines lines of at most kMaxColumns characters,
/// longer input clipped, characters without a glyph replaced by '?'.
struct OverlayText {
    static constexpr uint32_t kMaxLines = 4;
    static constexpr uint32_t kMaxColumns = 48;

    std::array<std::array<char, kMaxColumns>, kMaxLines> chars{};
    std::array<uint32_t, kMaxLines> lengths{};
    uint32_t lines = 0;   ///< up to the last non-empty line
    uint32_t columns = 0; ///< the longest line

    static OverlayText from(std::span<const std::string> lines);
    bool empty() const { return lines == 0; }
};

/// Where the HUD box and its text go in a width x height image (already clipped to it).
struct OverlayLayout {
    static constexpr uint32_t kPadding = 3;   ///< font pixels between the box edge and the text
    static constexpr uint32_t kLinePitch = 10; ///< font pixels from one line to the next

    uint32_t x = 0, y = 0;          ///< box origin
    uint32_t width = 0, height = 0; ///< box size (0 when there is nothing to draw)
    uint32_t textX = 0, textY = 0;  ///< top-left of the first glyph
    uint32_t keep = 256;            ///< background: rgb' = (rgb * keep + 128) >> 8

    static OverlayLayout of(const OverlayText& text, const OverlayStyle& style, uint32_t imageWidth,
                            uint32_t imageHeight);
};

} // namespace rearview
