// SPDX-License-Identifier: MIT
// The bitmap font the HUD draws with: 8x8 glyphs for printable ASCII.
#pragma once

#include <cstdint>
#include <span>

namespace rearview::font {

inline constexpr uint32_t kGlyphWidth = 8;
inline constexpr uint32_t kGlyphHeight = 8;
inline constexpr char kFirst = ' '; ///< first glyph in the table (0x20)
inline constexpr char kLast = '~';  ///< last glyph in the table (0x7E)
inline constexpr uint32_t kGlyphCount = uint32_t(kLast - kFirst + 1);

/// Whether `c` has a glyph of its own (printable ASCII); others are drawn as '?'.
constexpr bool printable(char c) { return c >= kFirst && c <= kLast; }
/// `c` if it is printable, '?' otherwise.
constexpr char printableOr(char c) { return printable(c) ? c : '?'; }

/// The rows of `c`'s glyph (printableOr(c)), top row first; bit i of a row is column i
/// counted from the left.
std::span<const uint8_t, kGlyphHeight> glyph(char c);

/// Every glyph from kFirst to kLast, kGlyphHeight bytes each, laid out as glyph() returns
/// them: what the GPU stage uploads.
std::span<const uint8_t> glyphTable();

} // namespace rearview::font
