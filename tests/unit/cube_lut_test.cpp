// SPDX-License-Identifier: MIT
// The .cube parser: what it accepts (comments, blank lines, CRLF, titles, domains, Resolve's
// input range), every error it reports with file:line, key and allowed values, the files of
// the built-in looks, and the CPU reference's interpolation on LUTs with known results.
#include <rearview/cube_lut.hpp>
#include "cpu/lut3d.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <format>
#include <string>

using namespace rearview;
using Catch::Matchers::ContainsSubstring;

namespace {

/// A size-2 LUT's 8 data lines: entry i holds (i, i + 0.25, i + 0.5) / 10.
std::string size2Data(std::string_view eol = "\n") {
    std::string s;
    for (int i = 0; i < 8; ++i)
        s += std::format("{} {} {}{}", i / 10.0, (i + 0.25) / 10.0, (i + 0.5) / 10.0, eol);
    return s;
}

/// Parses `text`, which must fail, and returns the message after checking its code.
std::string parseError(const std::string& text) {
    auto lut = CubeLut::parse(text, "looks/test.cube");
    REQUIRE_FALSE(lut);
    CHECK(lut.error().code == ErrorCode::Parse);
    return lut.error().message;
}

} // namespace

TEST_CASE("A .cube file with comments, blank lines, a title and CRLF line ends parses", "[unit]") {
    const std::string text =
        "# made by hand\r\n\r\nTITLE \"Warm # 2\"\r\n  # indented comment\r\nLUT_3D_SIZE 2\r\n\r\n" +
        size2Data("\r\n");
    auto lut = CubeLut::parse(text, "warm.cube");
    REQUIRE(lut);
    CHECK(lut->title == "Warm # 2");
    CHECK(lut->size == 2);
    REQUIRE(lut->rgb.size() == 24);
    CHECK(lut->domainMin == std::array{0.0f, 0.0f, 0.0f});
    CHECK(lut->domainMax == std::array{1.0f, 1.0f, 1.0f});
    // Red varies fastest: the second data line is (r=1, g=0, b=0), the third (0, 1, 0), the
    // fifth (0, 0, 1).
    CHECK(lut->at(1, 0, 0)[0] == 0.1f);
    CHECK(lut->at(0, 1, 0)[0] == 0.2f);
    CHECK(lut->at(0, 0, 1)[0] == 0.4f);
    CHECK(lut->at(1, 1, 1)[2] == 0.75f);
}

TEST_CASE("DOMAIN_MIN / DOMAIN_MAX and LUT_3D_INPUT_RANGE set the input domain", "[unit]") {
    auto lut = CubeLut::parse("LUT_3D_SIZE 2\nDOMAIN_MIN 0.1 -0.2 0\nDOMAIN_MAX 0.9 1.5 +2e0\n" + size2Data());
    REQUIRE(lut);
    CHECK(lut->domainMin == std::array{0.1f, -0.2f, 0.0f});
    CHECK(lut->domainMax == std::array{0.9f, 1.5f, 2.0f});
    auto resolve = CubeLut::parse("LUT_3D_INPUT_RANGE 0.0 4.0\nLUT_3D_SIZE 2\n" + size2Data());
    REQUIRE(resolve);
    CHECK(resolve->domainMin == std::array{0.0f, 0.0f, 0.0f});
    CHECK(resolve->domainMax == std::array{4.0f, 4.0f, 4.0f});
}

TEST_CASE("Trailing comments on data lines, tabs and a byte order mark are accepted", "[unit]") {
    std::string text = "\xEF\xBB\xBFLUT_3D_SIZE\t2 # two points per axis\n";
    for (int i = 0; i < 8; ++i)
        text += std::format("{}\t{} {}   # entry {}\n", i / 10.0, 0.5, 1, i);
    auto lut = CubeLut::parse(text);
    REQUIRE(lut);
    CHECK(lut->at(1, 1, 1)[0] == 0.7f);
}

TEST_CASE(".cube errors name the file, the line, the key and what is allowed", "[unit]") {
    SECTION("1D LUTs") {
        const std::string m = parseError("# shaper\nLUT_1D_SIZE 1024\n0 0 0\n");
        CHECK_THAT(m, ContainsSubstring("looks/test.cube:2:") && ContainsSubstring("LUT_1D_SIZE") &&
                          ContainsSubstring("1D LUTs are not supported") && ContainsSubstring("2..65"));
    }
    SECTION("missing size") {
        CHECK_THAT(parseError("TITLE \"x\"\n# nothing else\n"),
                   ContainsSubstring("looks/test.cube:2:") && ContainsSubstring("without LUT_3D_SIZE") &&
                       ContainsSubstring("2..65"));
        CHECK_THAT(parseError("0 0 0\n"), ContainsSubstring("looks/test.cube:1: data before LUT_3D_SIZE"));
        CHECK_THAT(parseError(""), ContainsSubstring("without LUT_3D_SIZE"));
    }
    SECTION("too few entries") {
        std::string text = "LUT_3D_SIZE 2\n" + size2Data();
        text.resize(text.rfind('\n', text.size() - 2) + 1); // drop the last data line
        CHECK_THAT(parseError(text),
                   ContainsSubstring("looks/test.cube:8:") &&
                       ContainsSubstring("LUT_3D_SIZE 2 (line 1) needs 8 (2^3) data lines, found 7"));
    }
    SECTION("too many entries") {
        CHECK_THAT(parseError("LUT_3D_SIZE 2\n" + size2Data() + "1 1 1\n"),
                   ContainsSubstring("looks/test.cube:10:") &&
                       ContainsSubstring("more entries than LUT_3D_SIZE 2") && ContainsSubstring("exactly 8"));
    }
    SECTION("values that are not numbers") {
        const std::string head = "LUT_3D_SIZE 2\n0 0 0\n";
        CHECK_THAT(parseError(head + "0.5 abc 0.1\n"),
                   ContainsSubstring("looks/test.cube:3:") && ContainsSubstring("'abc' is not a number") &&
                       ContainsSubstring("finite decimal numbers"));
        CHECK_THAT(parseError(head + "0.5 nan 0.1\n"), ContainsSubstring(":3:") && ContainsSubstring("'nan'"));
        CHECK_THAT(parseError(head + "0.5 1e999 0.1\n"), ContainsSubstring(":3:") && ContainsSubstring("'1e999'"));
        CHECK_THAT(parseError(head + "0.5,0.2,0.1\n"), ContainsSubstring(":3:") && ContainsSubstring("1 value;") &&
                                                           ContainsSubstring("three numbers"));
        CHECK_THAT(parseError(head + "0.5 0.2\n"), ContainsSubstring(":3:") && ContainsSubstring("2 values"));
        CHECK_THAT(parseError(head + "red 0.2 0.1\n"), ContainsSubstring(":3:") && ContainsSubstring("'red'"));
    }
    SECTION("size out of range or not an integer") {
        for (const std::string size : {"1", "66", "0", "1000"})
            CHECK_THAT(parseError("\nLUT_3D_SIZE " + size + "\n"),
                       ContainsSubstring("looks/test.cube:2: LUT_3D_SIZE " + size + " is out of range") &&
                           ContainsSubstring("allowed: 2..65"));
        for (const std::string size : {"17.5", "x", "-3", "17 17", ""})
            CHECK_THAT(parseError("LUT_3D_SIZE " + size + "\n"),
                       ContainsSubstring("looks/test.cube:1: LUT_3D_SIZE") &&
                           ContainsSubstring("not an integer") && ContainsSubstring("allowed: 2..65"));
    }
    SECTION("unknown keywords") {
        CHECK_THAT(parseError("LUT_3D_SIZE 2\nLUT_4D_SIZE 2\n"),
                   ContainsSubstring("looks/test.cube:2: unknown keyword 'LUT_4D_SIZE'") &&
                       ContainsSubstring("TITLE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, LUT_3D_INPUT_RANGE"));
        CHECK_THAT(parseError("title \"lower case\"\n"), ContainsSubstring(":1: unknown keyword 'title'"));
    }
    SECTION("keywords out of place, twice or malformed") {
        CHECK_THAT(parseError("LUT_3D_SIZE 2\n0 0 0\nDOMAIN_MAX 2 2 2\n"),
                   ContainsSubstring(":3: keyword DOMAIN_MAX after the first data line"));
        CHECK_THAT(parseError("LUT_3D_SIZE 2\nLUT_3D_SIZE 3\n"),
                   ContainsSubstring(":2: LUT_3D_SIZE given twice (first on line 1)"));
        CHECK_THAT(parseError("DOMAIN_MIN 0 0\n"), ContainsSubstring(":1: DOMAIN_MIN takes 3 numbers, found 2") &&
                                                         ContainsSubstring("three numbers (red, green, blue)"));
        CHECK_THAT(parseError("DOMAIN_MAX 1 one 1\n"), ContainsSubstring(":1: DOMAIN_MAX: 'one' is not a number"));
        CHECK_THAT(parseError("TITLE no quotes\n"), ContainsSubstring(":1: TITLE no quotes: allowed: a title in "
                                                                      "double quotes"));
        CHECK_THAT(parseError("DOMAIN_MIN 0 0 0\nLUT_3D_INPUT_RANGE 0 1\n"),
                   ContainsSubstring(":2: LUT_3D_INPUT_RANGE together with DOMAIN_MIN/DOMAIN_MAX"));
    }
    SECTION("empty domain") {
        CHECK_THAT(parseError("LUT_3D_SIZE 2\nDOMAIN_MIN 0 0.5 0\nDOMAIN_MAX 1 0.5 1\n" + size2Data()),
                   ContainsSubstring("looks/test.cube:3: green domain 0.5..0.5 is empty") &&
                       ContainsSubstring("DOMAIN_MIN below DOMAIN_MAX"));
    }
}

TEST_CASE("Loading a missing .cube file says which file", "[unit]") {
    auto lut = CubeLut::load("/nonexistent/rearview/warm.cube");
    REQUIRE_FALSE(lut);
    CHECK(lut.error().code == ErrorCode::NotFound);
    CHECK_THAT(lut.error().message, ContainsSubstring("/nonexistent/rearview/warm.cube"));
}

TEST_CASE("toCubeText() round-trips through the parser", "[unit]") {
    CubeLut lut = CubeLut::identity(5);
    lut.title = "round trip";
    lut.domainMax = {1.0f, 2.0f, 1.5f};
    lut.at(1, 2, 3)[1] = -0.125f;
    auto back = CubeLut::parse(lut.toCubeText());
    REQUIRE(back);
    CHECK(back->title == "round trip");
    CHECK(back->domainMax == lut.domainMax);
    REQUIRE(back->rgb.size() == lut.rgb.size());
    for (size_t i = 0; i < lut.rgb.size(); ++i)
        REQUIRE(std::abs(back->rgb[i] - lut.rgb[i]) <= 5e-7f);
}

TEST_CASE("The built-in looks parse as 33-point LUTs", "[unit]") {
    const auto dir = std::filesystem::path(REARVIEW_ASSETS_DIR).parent_path() / "pipelines" / "luts";
    for (const char* name : {"natural", "vivid", "warm", "cool", "mono", "film"}) {
        auto lut = CubeLut::load((dir / (std::string(name) + ".cube")).string());
        INFO(name);
        REQUIRE(lut);
        CHECK(lut->size == 33);
        CHECK(lut->title == std::string("rearview ") + name);
    }
}

TEST_CASE("The CPU reference reproduces identity and affine LUTs exactly with both interpolations", "[unit]") {
    // Every 8-bit colour of a coarse lattice plus odd values, alpha varying.
    RgbaImage in(64, 64);
    for (size_t i = 0; i < in.pixels.size(); ++i)
        in.pixels[i] = uint8_t((i * 37 + i / 4 * 11) % 256);
    for (LutInterpolation interpolation : {LutInterpolation::Trilinear, LutInterpolation::Tetrahedral})
        for (uint32_t size : {2u, 3u, 17u, 65u}) {
            INFO(toString(interpolation) << " size " << size);
            RgbaImage out;
            cpu::Lut3d(in, CubeLut::identity(size), interpolation, 1.0f, out);
            CHECK(out.pixels == in.pixels);
            // An affine LUT (out = 1 - in, channels rotated) is interpolated exactly by both.
            CubeLut affine = CubeLut::identity(size);
            for (size_t e = 0; e < affine.rgb.size(); e += 3) {
                const float r = affine.rgb[e], g = affine.rgb[e + 1], b = affine.rgb[e + 2];
                affine.rgb[e] = 1 - g;
                affine.rgb[e + 1] = 1 - b;
                affine.rgb[e + 2] = 1 - r;
            }
            cpu::Lut3d(in, affine, interpolation, 1.0f, out);
            bool exact = true;
            for (size_t i = 0; i < in.pixels.size(); i += 4) {
                const uint8_t* p = &in.pixels[i];
                const uint8_t* q = &out.pixels[i];
                exact = exact && q[0] == 255 - p[1] && q[1] == 255 - p[2] && q[2] == 255 - p[0] && q[3] == p[3];
            }
            CHECK(exact);
        }
}

TEST_CASE("The CPU reference maps inputs through the domain and blends by strength", "[unit]") {
    RgbaImage in(256, 1);
    for (uint32_t x = 0; x < 256; ++x) {
        uint8_t* p = in.row(0) + x * 4;
        p[0] = p[1] = p[2] = uint8_t(x);
        p[3] = 255;
    }
    // Domain [0, 1.7]: input v reads the identity LUT at v / 1.7 (never halfway between two
    // code values, so rounding is unambiguous).
    CubeLut wide = CubeLut::identity(17);
    wide.domainMax = {1.7f, 1.7f, 1.7f};
    RgbaImage out;
    cpu::Lut3d(in, wide, LutInterpolation::Tetrahedral, 1.0f, out);
    for (uint32_t x = 0; x < 256; ++x)
        REQUIRE(out.row(0)[x * 4] == uint8_t(std::lround(x / double(1.7f))));
    // Domain [0.2, 0.7]: inputs below 0.2 clamp to the first grid point, above 0.7 to the
    // last.
    CubeLut narrow = CubeLut::identity(9);
    narrow.domainMin = {0.2f, 0.2f, 0.2f};
    narrow.domainMax = {0.7f, 0.7f, 0.7f};
    cpu::Lut3d(in, narrow, LutInterpolation::Trilinear, 1.0f, out);
    for (uint32_t x = 0; x < 256; ++x) {
        const double t = (x / 255.0 - double(0.2f)) / (double(0.7f) - double(0.2f));
        REQUIRE(out.row(0)[x * 4 + 1] == uint8_t(std::lround(std::clamp(t, 0.0, 1.0) * 255.0)));
    }
    // Strength blends the look with the input: an all-white LUT at 0.2.
    CubeLut white = CubeLut::identity(2);
    std::ranges::fill(white.rgb, 1.0f);
    cpu::Lut3d(in, white, LutInterpolation::Tetrahedral, 0.2f, out);
    for (uint32_t x = 0; x < 256; ++x)
        REQUIRE(out.row(0)[x * 4 + 2] == uint8_t(std::lround(x + double(0.2f) * (255.0 - x))));
}
