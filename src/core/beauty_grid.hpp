// SPDX-License-Identifier: MIT
// The beauty algorithm's grid and constants (the algorithm: cpu/beauty.hpp), one definition
// for the GPU stage (stages/beauty.hpp) and its CPU reference.
#pragma once

#include "analysis/face_box.hpp"

#include <rearview/pipeline.hpp>

#include <cstdint>
#include <span>

namespace rearview {

/// The beauty stage's grid and constants, shared with the GPU stage.
struct BeautyGrid {
    static constexpr uint32_t kCell = 4;         ///< pixels per grid cell on the panel, in each direction
    static constexpr int kRadius = 2;            ///< box window radius in cells (5x5)
    static constexpr uint32_t kMaxFaces = 8;     ///< face boxes the stage takes
    static constexpr float kFaceGain = 1.5f;     ///< skin mask gain inside a face box
    static constexpr float kBackgroundGain = 0.3f; ///< outside face boxes when faces are known
    /// Face boxes grow by this fraction of their size on every side: detectors box the eyes
    /// to the mouth, skin goes on to the forehead, cheeks and chin.
    static constexpr float kFaceMargin = 0.2f;

    uint32_t width = 0, height = 0; ///< grid size: the image's, in cells, rounded up
    /// Pixels per cell in each direction: kCell on the panel; an image `scale` times the
    /// panel's size (a photo) takes cellFor(scale), so its grid, and the look, match the panel's.
    uint32_t cell = kCell;
    static BeautyGrid forImage(uint32_t imageWidth, uint32_t imageHeight, uint32_t cell = kCell) {
        return {(imageWidth + cell - 1) / cell, (imageHeight + cell - 1) / cell, cell};
    }
    /// The cell size for an image `scale` times the panel's: kCell times it, rounded to an even
    /// number (cell centres on pixel edges), at least 2.
    static uint32_t cellFor(double scale);

    /// Pixel p lies between the cells whose centres (cell i + cell / 2) surround its centre: the
    /// lower one's index, and p's fraction of the way to the next (shaders/common/beauty_grid.glsl).
    int cellBelow(uint32_t p) const { return int((p + cell / 2) / cell) - 1; }
    float cellFraction(uint32_t p) const { return (float((p + cell / 2) % cell) + 0.5f) * (1.0f / float(cell)); }
    /// The reduce step's 1 / (cell x cell).
    float invArea() const { return 1.0f / float(cell * cell); }

    /// A face box as a half-open range of grid cells [x0, x1) x [y0, y1): the cells whose
    /// centres lie inside the box grown by kFaceMargin, clamped to the grid.
    struct CellRange {
        uint32_t x0 = 0, x1 = 0, y0 = 0, y1 = 0;
    };
    CellRange cellsOf(const analysis::FaceBox& box) const;

    /// The guided filter's regularisation for `smoothing`: larger values flatten stronger
    /// structure.
    static float epsilon(float smoothing) {
        const float s = 0.01f + 0.12f * smoothing;
        return s * s;
    }
};

/// Whether face boxes weight the mask: with FaceMode::Auto and at least one face.
bool beautyUsesFaces(const BeautyParams& params, std::span<const analysis::FaceBox> faces);

} // namespace rearview
