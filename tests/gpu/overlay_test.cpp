// SPDX-License-Identifier: MIT
// The HUD overlay on the GPU against its CPU reference: exact (the same integer arithmetic
// on both sides), so any difference is a bug and writes the images.
#include "core/font.hpp"
#include "cpu/overlay.hpp"
#include "stages/overlay.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/portrait.hpp"
#include "support/working_image.hpp"

#include <catch2/catch_test_macros.hpp>

#include <format>
#include <string>
#include <vector>

using namespace rearview;

namespace {

using Lines = std::vector<std::string>;

/// One frame of `overlay` over `in`, told its timeline value like the frame loop does.
RgbaImage draw(stages::Overlay& overlay, const RgbaImage& in) {
    RgbaImage out = test::runOnWorkingImage(test::device(), in, [&](VkCommandBuffer cmd, VkDescriptorBufferInfo b) {
        REQUIRE(overlay.record(cmd, b));
    });
    overlay.submitted(test::device().lastTimelineValue());
    return out;
}

void checkExact(const RgbaImage& actual, const RgbaImage& expected, const std::string& name) {
    const test::Difference d = test::compare(actual, expected);
    INFO(name << ": " << d.describe());
    if (d.maxAbs > 0)
        test::writeFailureImages("overlay." + name, actual, expected);
    CHECK(d.maxAbs == 0);
}

/// Whether every pixel outside `l`'s box equals `in`'s.
bool untouchedOutside(const RgbaImage& out, const RgbaImage& in, const OverlayLayout& l) {
    for (uint32_t y = 0; y < in.height; ++y)
        for (uint32_t x = 0; x < in.width; ++x) {
            if (x >= l.x && x < l.x + l.width && y >= l.y && y < l.y + l.height)
                continue;
            if (std::memcmp(out.row(y) + x * 4, in.row(y) + x * 4, 4) != 0)
                return false;
        }
    return true;
}

RgbaImage solid(uint32_t w, uint32_t h, uint8_t r, uint8_t g, uint8_t b) {
    RgbaImage img(w, h);
    for (size_t i = 0; i < img.pixels.size(); i += 4) {
        img.pixels[i] = r;
        img.pixels[i + 1] = g;
        img.pixels[i + 2] = b;
        img.pixels[i + 3] = 255;
    }
    return img;
}

} // namespace

TEST_CASE("Overlay matches its CPU reference for texts, scales and corners, and leaves the rest alone",
          "[gpu][overlay]") {
    const RgbaImage& in = test::portrait();
    auto overlay = stages::Overlay::create(test::device(), in.width, in.height);
    REQUIRE(overlay);
    overlay->setVisible(true);
    struct Case {
        const char* name;
        Lines lines;
        OverlayStyle style;
    };
    const std::string tooLong(60, 'W');
    const std::vector<Case> cases = {
        {"status", {"30.0 fps  p50 4.1 ms  p99 9.8 ms", "main 8160x6120 -> 904x572", "", "REC 00:12"}, {}},
        {"scale2_top_right", {"REC", "120 Hz", "dropped 0"}, {OverlayCorner::TopRight, 12, 2, 0.5f, 0xFF00FFFFu}},
        {"bottom_left_opaque", {"a", "", "longer line of text {}[]|~"}, {OverlayCorner::BottomLeft, 0, 1, 1.0f}},
        {"outside_ascii", {"caf\xC3\xA9\t\x01\x7F!", std::string("nul\0in", 6)}, {OverlayCorner::BottomRight, 4, 2}},
        {"clipped", {tooLong, tooLong, tooLong, tooLong, "fifth line is dropped"}, {OverlayCorner::TopLeft, 8, 2}},
        {"no_dimming", {"transparent box"}, {OverlayCorner::TopLeft, 30, 3, 0.0f}},
    };
    for (const Case& c : cases) {
        REQUIRE(overlay->setStyle(c.style));
        overlay->setText(c.lines);
        const RgbaImage gpuOut = draw(*overlay, in);
        const OverlayText text = OverlayText::from(c.lines);
        RgbaImage expected = in;
        cpu::Overlay(expected, text, c.style);
        checkExact(gpuOut, expected, c.name);
        const OverlayLayout l = OverlayLayout::of(text, c.style, in.width, in.height);
        CHECK(l.width > 0);
        CHECK(untouchedOutside(gpuOut, in, l));
        CHECK(gpuOut.pixels != in.pixels);
    }
    // Characters without a glyph are drawn as '?', the text clipped to 4 lines of 48.
    const OverlayText odd = OverlayText::from(cases[3].lines);
    CHECK(std::string(odd.chars[0].data(), odd.lengths[0]) == "caf\?\?\?\?\?!");
    CHECK(std::string(odd.chars[1].data(), odd.lengths[1]) == "nul?in");
    const OverlayText clipped = OverlayText::from(cases[4].lines);
    CHECK(clipped.lines == OverlayText::kMaxLines);
    CHECK(clipped.columns == OverlayText::kMaxColumns);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Overlay draws the font's glyphs: 'H' lights exactly its pixels at scale 1 and 2", "[gpu][overlay]") {
    const RgbaImage black = solid(64, 48, 0, 0, 0);
    auto overlay = stages::Overlay::create(test::device(), black.width, black.height);
    REQUIRE(overlay);
    overlay->setVisible(true);
    overlay->setText(Lines{"H"});
    const char* const rows[8] = {"##..##..", "##..##..", "##..##..", "######..",
                                 "##..##..", "##..##..", "##..##..", "........"};
    for (uint32_t scale : {1u, 2u}) {
        const OverlayStyle style{OverlayCorner::TopLeft, 5, scale, 0.0f, 0xFFFFFFFFu};
        REQUIRE(overlay->setStyle(style));
        const RgbaImage out = draw(*overlay, black);
        const OverlayLayout l = OverlayLayout::of(OverlayText::from(Lines{"H"}), style, black.width, black.height);
        CHECK(l.textX == 5 + OverlayLayout::kPadding * scale);
        std::string drawn, expected;
        for (uint32_t y = 0; y < black.height; ++y)
            for (uint32_t x = 0; x < black.width; ++x) {
                const bool inGlyph = x >= l.textX && y >= l.textY && x < l.textX + 8 * scale && y < l.textY + 8 * scale;
                const bool lit = inGlyph && rows[(y - l.textY) / scale][(x - l.textX) / scale] == '#';
                expected += lit ? '#' : '.';
                drawn += out.row(y)[x * 4] == 255 ? '#' : '.';
            }
        INFO("scale " << scale);
        CHECK(drawn == expected);
    }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Overlay hidden or without text leaves the image bit-exact; text changes every frame", "[gpu][overlay]") {
    const RgbaImage& in = test::portrait();
    auto overlay = stages::Overlay::create(test::device(), in.width, in.height);
    REQUIRE(overlay);
    overlay->setText(Lines{"hidden by default"});
    CHECK_FALSE(overlay->visible());
    CHECK(draw(*overlay, in).pixels == in.pixels);
    overlay->setVisible(true);
    overlay->setText(Lines{});
    CHECK(draw(*overlay, in).pixels == in.pixels);
    overlay->setText(Lines{"", ""});
    CHECK(draw(*overlay, in).pixels == in.pixels);

    // More frames than ring slots, each with its own text.
    for (uint32_t frame = 0; frame < 2 * stages::Overlay::kRingSlots + 1; ++frame) {
        const Lines lines{std::format("frame {}", frame), std::string(frame, '#')};
        overlay->setText(lines);
        RgbaImage expected = in;
        cpu::Overlay(expected, OverlayText::from(lines), overlay->style());
        checkExact(draw(*overlay, in), expected, std::format("frame{}", frame));
    }
    overlay->setVisible(false);
    CHECK(draw(*overlay, in).pixels == in.pixels);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Overlay clips its box to a small image and refuses out-of-range styles", "[gpu][overlay]") {
    const RgbaImage in = solid(37, 21, 200, 120, 40);
    auto overlay = stages::Overlay::create(test::device(), in.width, in.height);
    REQUIRE(overlay);
    overlay->setVisible(true);
    const Lines lines{"much wider than the image", "and taller", "too"};
    overlay->setText(lines);
    for (OverlayCorner corner : {OverlayCorner::TopLeft, OverlayCorner::BottomRight}) {
        const OverlayStyle style{corner, 8, 2};
        REQUIRE(overlay->setStyle(style));
        RgbaImage expected = in;
        cpu::Overlay(expected, OverlayText::from(lines), style);
        checkExact(draw(*overlay, in), expected, std::format("small_corner{}", int(corner)));
    }
    auto bad = overlay->setStyle({OverlayCorner::TopLeft, 8, 5});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "overlay: scale = 5 is outside the allowed range 1..4");
    CHECK_FALSE(overlay->setStyle({OverlayCorner::TopLeft, 8, 1, 1.5f}));
    CHECK(overlay->style().scale == 2);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
