// SPDX-License-Identifier: MIT
// CPU reference of the HUD overlay (stages/overlay.hpp); its text model and geometry are
// core/overlay_layout.hpp's.
#pragma once

#include "core/overlay_layout.hpp"

#include <rearview/image.hpp>

namespace rearview::cpu {

/// Draws `text` over `image` in place as the GPU overlay does.
void Overlay(RgbaImage& image, const OverlayText& text, const OverlayStyle& style);

} // namespace rearview::cpu
