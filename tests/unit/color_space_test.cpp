// SPDX-License-Identifier: MIT
#include <rearview/color_space.hpp>

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

using namespace rearview;
using Catch::Approx;

TEST_CASE("BT.601 full range has the JFIF coefficients", "[unit]") {
    const auto k = coefficientsFor({YcbcrMatrix::Bt601, YcbcrRange::Full});
    CHECK(k.yOffset == 0.0f);
    CHECK(k.yScale == Approx(1.0 / 255));
    CHECK(k.crToR == Approx(1.402));
    CHECK(k.cbToB == Approx(1.772));
    CHECK(k.cbToG == Approx(-0.344136).epsilon(1e-5));
    CHECK(k.crToG == Approx(-0.714136).epsilon(1e-5));
}

TEST_CASE("BT.709 limited range has the studio-swing coefficients", "[unit]") {
    const auto k = coefficientsFor({YcbcrMatrix::Bt709, YcbcrRange::Limited});
    CHECK(k.yOffset == 16.0f);
    CHECK(k.yScale == Approx(1.0 / 219));
    CHECK(k.cScale == Approx(1.0 / 224));
    CHECK(k.crToR == Approx(1.5748));
    CHECK(k.cbToB == Approx(1.8556));
    CHECK(k.cbToG == Approx(-0.187324).epsilon(1e-5));
    CHECK(k.crToG == Approx(-0.468124).epsilon(1e-5));
}

TEST_CASE("BT.2020 non-constant luminance coefficients", "[unit]") {
    const auto k = coefficientsFor({YcbcrMatrix::Bt2020, YcbcrRange::Limited});
    CHECK(k.crToR == Approx(1.4746));
    CHECK(k.cbToB == Approx(1.8814));
    CHECK(k.cbToG == Approx(-0.164553).epsilon(1e-5));
    CHECK(k.crToG == Approx(-0.571353).epsilon(1e-5));
}

TEST_CASE("Colour space names", "[unit]") {
    CHECK(toString(YcbcrMatrix::Bt2020) == "bt2020");
    CHECK(toString(YcbcrRange::Limited) == "limited");
}
