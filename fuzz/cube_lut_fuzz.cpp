// SPDX-License-Identifier: MIT
// The .cube parser on arbitrary bytes: it returns a LUT or an error that says something,
// never crashes, leaks or hangs; a LUT it accepts holds size³ entries, and the text it writes
// back out parses again to a LUT of the same size (where its domain survives 6 decimals).
#include <rearview/cube_lut.hpp>

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using rearview::CubeLut;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto lut = CubeLut::parse(text, "fuzz.cube");
    if (!lut) {
        if (lut.error().message.empty())
            std::abort();
        return 0;
    }
    const size_t n = lut->size;
    if (n < CubeLut::kMinSize || n > CubeLut::kMaxSize || lut->rgb.size() != n * n * n * 3)
        std::abort();
    bool domainPrintable = true;
    for (int c = 0; c < 3; ++c)
        domainPrintable = domainPrintable && lut->domainMax[c] - lut->domainMin[c] > 1e-3f;
    auto again = CubeLut::parse(lut->toCubeText(), "again.cube");
    if (domainPrintable && (!again || again->size != n))
        std::abort();
    return 0;
}
