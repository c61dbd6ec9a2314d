// SPDX-License-Identifier: MIT
#pragma once

namespace rearview::analysis {

/// A face rectangle in panel (working image) pixel coordinates: x, y the top-left corner.
struct FaceBox {
    float x = 0, y = 0, width = 0, height = 0;

    float area() const { return width > 0 && height > 0 ? width * height : 0.0f; }
};

/// Intersection over union of two boxes, 0 when they do not overlap.
inline float intersectionOverUnion(const FaceBox& a, const FaceBox& b) {
    const float x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
    const float x1 = a.x + a.width < b.x + b.width ? a.x + a.width : b.x + b.width;
    const float y1 = a.y + a.height < b.y + b.height ? a.y + a.height : b.y + b.height;
    if (x1 <= x0 || y1 <= y0)
        return 0.0f;
    const float inter = (x1 - x0) * (y1 - y0);
    return inter / (a.area() + b.area() - inter);
}

} // namespace rearview::analysis
