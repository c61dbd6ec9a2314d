// SPDX-License-Identifier: MIT
// The project's portrait (assets/astronaut.png) as the viewfinder's working image sees it:
// 904x572, through NV12 (BT.601 full range) and the exact conversion back to RGBA.
#pragma once

#include "core/image_file.hpp"
#include "cpu/nv12_to_rgba.hpp"

#include <catch2/catch_test_macros.hpp>

namespace rearview::test {

inline const RgbaImage& portrait() {
    static RgbaImage image = [] {
        auto nv12 = readImageNv12(REARVIEW_ASSETS_DIR "/astronaut.png", 904, 572);
        if (!nv12)
            FAIL(nv12.error().describe());
        RgbaImage rgba;
        cpu::Nv12ToRgba(nv12->view(), rgba);
        return rgba;
    }();
    return image;
}

} // namespace rearview::test
