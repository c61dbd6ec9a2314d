// SPDX-License-Identifier: MIT
#include "cpu/overlay.hpp"

#include "core/font.hpp"

#include <algorithm>
#include <cmath>
#include <format>

namespace rearview::cpu {

void Overlay(RgbaImage& image, const OverlayText& text, const OverlayStyle& style) {
    const OverlayLayout l = OverlayLayout::of(text, style, image.width, image.height);
    const uint32_t s = std::clamp(style.scale, 1u, 4u);
    for (uint32_t y = l.y; y < l.y + l.height; ++y)
        for (uint32_t x = l.x; x < l.x + l.width; ++x) {
            uint8_t* px = image.row(y) + size_t(x) * 4;
            bool lit = false;
            if (x >= l.textX && y >= l.textY) {
                const uint32_t fx = (x - l.textX) / s, fy = (y - l.textY) / s;
                const uint32_t line = fy / OverlayLayout::kLinePitch, row = fy % OverlayLayout::kLinePitch;
                const uint32_t col = fx / font::kGlyphWidth, bit = fx % font::kGlyphWidth;
                if (line < OverlayText::kMaxLines && row < font::kGlyphHeight && col < text.lengths[line])
                    lit = (font::glyph(text.chars[line][col])[row] >> bit) & 1u;
            }
            if (lit) {
                for (int c = 0; c < 4; ++c)
                    px[c] = uint8_t(style.textColor >> (8 * c));
            } else {
                for (int c = 0; c < 3; ++c)
                    px[c] = uint8_t((px[c] * l.keep + 128) >> 8);
            }
        }
}

} // namespace rearview::cpu
