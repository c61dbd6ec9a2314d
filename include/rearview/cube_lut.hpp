// SPDX-License-Identifier: MIT
// 3D colour lookup tables in the Adobe / Resolve `.cube` format: the looks of the colour
// filter stage (pipelines/luts/*.cube, docs/looks.md).
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rearview {

/// A 3D LUT: size^3 RGB entries over the input cube [domainMin, domainMax] per channel.
/// Entries are stored as in the file, red varying fastest: entry (r, g, b) is at index
/// (b * size + g) * size + r. Output values are not limited to [0, 1]; users clamp.
struct REARVIEW_API CubeLut {
    static constexpr uint32_t kMinSize = 2;
    static constexpr uint32_t kMaxSize = 65;

    std::string title;
    uint32_t size = 0;
    std::array<float, 3> domainMin{0.0f, 0.0f, 0.0f};
    std::array<float, 3> domainMax{1.0f, 1.0f, 1.0f};
    std::vector<float> rgb; ///< size^3 * 3 floats

    /// Parses `.cube` text. `source` names the text in error messages ("file:line: ...").
    /// Accepted: `TITLE "..."`, `LUT_3D_SIZE n` (2..65), `DOMAIN_MIN r g b`, `DOMAIN_MAX r g b`
    /// (each min < max), Resolve's `LUT_3D_INPUT_RANGE min max`, `#` comments, blank lines,
    /// LF or CRLF line ends, then exactly size^3 lines of three numbers. Keywords come
    /// before the data. Everything else (1D LUTs, unknown keywords, a missing size, a wrong
    /// number of entries, values that are not finite numbers) is an ErrorCode::Parse error
    /// that names the line, the key and what is allowed.
    static Result<CubeLut> parse(std::string_view text, std::string_view source = "<cube text>");
    /// Reads and parses a `.cube` file. Errors: NotFound / Io for the file, Parse as above.
    static Result<CubeLut> load(const std::string& path);
    /// The identity LUT of `size` (2..65) over [0, 1].
    static CubeLut identity(uint32_t size);

    /// Entry (r, g, b): three floats.
    const float* at(uint32_t r, uint32_t g, uint32_t b) const { return &rgb[index(r, g, b)]; }
    float* at(uint32_t r, uint32_t g, uint32_t b) { return &rgb[index(r, g, b)]; }
    size_t index(uint32_t r, uint32_t g, uint32_t b) const { return ((size_t(b) * size + g) * size + r) * 3; }

    /// The text of a `.cube` file holding this LUT (LF line ends, 6 decimals), which parse()
    /// reads back to within 5e-7 per value.
    std::string toCubeText() const;
};

} // namespace rearview
