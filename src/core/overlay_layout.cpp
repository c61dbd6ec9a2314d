// SPDX-License-Identifier: MIT
#include "core/overlay_layout.hpp"

#include "core/font.hpp"

#include <algorithm>
#include <cmath>
#include <format>

namespace rearview {

Result<void> validate(const OverlayStyle& s) {
    auto outside = [](std::string_view field, auto value, std::string_view range) {
        return fail(ErrorCode::InvalidArgument,
                    std::format("overlay: {} = {} is outside the allowed range {}", field, value, range));
    };
    if (s.margin > 256)
        return outside("margin", s.margin, "0..256");
    if (s.scale < 1 || s.scale > 4)
        return outside("scale", s.scale, "1..4");
    if (!(s.backgroundOpacity >= 0.0f && s.backgroundOpacity <= 1.0f))
        return outside("backgroundOpacity", s.backgroundOpacity, "0..1");
    if (uint32_t(s.corner) > uint32_t(OverlayCorner::BottomRight))
        return outside("corner", uint32_t(s.corner), "0..3");
    return {};
}

OverlayText OverlayText::from(std::span<const std::string> lines) {
    OverlayText t;
    const size_t n = std::min<size_t>(lines.size(), kMaxLines);
    for (size_t i = 0; i < n; ++i) {
        const size_t len = std::min<size_t>(lines[i].size(), kMaxColumns);
        for (size_t c = 0; c < len; ++c)
            t.chars[i][c] = font::printableOr(lines[i][c]);
        t.lengths[i] = uint32_t(len);
        if (len > 0)
            t.lines = uint32_t(i + 1);
        t.columns = std::max(t.columns, uint32_t(len));
    }
    return t;
}

OverlayLayout OverlayLayout::of(const OverlayText& text, const OverlayStyle& style, uint32_t imageWidth,
                                uint32_t imageHeight) {
    OverlayLayout l;
    l.keep = 256 - uint32_t(std::lround(std::clamp(style.backgroundOpacity, 0.0f, 1.0f) * 256.0f));
    if (text.empty() || imageWidth == 0 || imageHeight == 0)
        return l;
    const uint32_t s = std::clamp(style.scale, 1u, 4u);
    const uint32_t w = (2 * kPadding + text.columns * font::kGlyphWidth) * s;
    const uint32_t h = (2 * kPadding + (text.lines - 1) * kLinePitch + font::kGlyphHeight) * s;
    const bool right = style.corner == OverlayCorner::TopRight || style.corner == OverlayCorner::BottomRight;
    const bool bottom = style.corner == OverlayCorner::BottomLeft || style.corner == OverlayCorner::BottomRight;
    // A box that does not fit keeps its far edge at the margin while it can, then starts at 0.
    auto place = [](bool far, uint32_t size, uint32_t extent, uint32_t margin) {
        const uint32_t m = std::min(margin, extent - 1);
        if (!far)
            return m;
        return size + m <= extent ? extent - m - size : 0u;
    };
    l.x = place(right, w, imageWidth, style.margin);
    l.y = place(bottom, h, imageHeight, style.margin);
    l.width = std::min(w, imageWidth - l.x);
    l.height = std::min(h, imageHeight - l.y);
    l.textX = l.x + kPadding * s;
    l.textY = l.y + kPadding * s;
    return l;
}

} // namespace rearview
