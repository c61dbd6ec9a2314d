// SPDX-License-Identifier: MIT
#include "photo/photo_plan.hpp"

#include "core/panel_mapping.hpp"
#include "photo/exif.hpp"

#include <algorithm>
#include <cmath>
#include <format>

namespace rearview::photo {
namespace {

/// The largest JPEG side (libjpeg's JPEG_MAX_DIMENSION).
constexpr uint32_t kMaxSide = 65500;

uint32_t evenAtLeast2(double v) { return std::max<uint32_t>(2, uint32_t(std::lround(v / 2.0)) * 2); }

} // namespace

Result<PhotoPlan> planPhoto(uint32_t frameWidth, uint32_t frameHeight, const CropPlan& panel,
                            const ViewGeometry& geometry, const PhotoOptions& options) {
    ViewGeometry g = geometry;
    g.fit = FitMode::Fill;
    g.mirror = options.mirror == PhotoMirror::AsPreviewed && geometry.mirror;
    const uint32_t degrees = uint32_t(geometry.rotation);
    PhotoPlan plan;
    if (options.orientation == PhotoOrientation::ExifTag) {
        plan.exifOrientation = exifOrientation(degrees, g.mirror);
        g.rotation = Rotation::R0;
        g.mirror = false;
    }
    // The crop in sensor orientation, at the sensor's resolution (or half of it).
    const double zoom = std::clamp(double(g.zoom), 1.0, 10.0);
    double cw = double(frameWidth) / zoom, ch = double(frameHeight) / zoom;
    if (options.size == PhotoSize::PanelAspect) {
        cw = panel.cropWidth;
        ch = panel.cropHeight;
    }
    const double binning = options.size == PhotoSize::Binned ? 2.0 : 1.0;
    const uint32_t ow = evenAtLeast2(cw / binning), oh = evenAtLeast2(ch / binning);
    const bool quarter = g.rotation == Rotation::R90 || g.rotation == Rotation::R270;
    plan.width = quarter ? oh : ow;
    plan.height = quarter ? ow : oh;
    if (plan.width > kMaxSide || plan.height > kMaxSide)
        return fail(ErrorCode::InvalidArgument,
                    std::format("a {}x{} photo is larger than a JPEG holds ({} per side)", plan.width, plan.height,
                                kMaxSide));
    auto crop = planCrop(frameWidth, frameHeight, plan.width, plan.height, g);
    if (!crop)
        return std::unexpected(crop.error());
    plan.crop = *crop;
    // Panel pixels per sensor pixel over photo pixels per sensor pixel.
    plan.scale = panel.scaleX / plan.crop.scaleX;
    return plan;
}

Result<std::vector<Strip>> planStrips(uint32_t width, uint32_t height, uint64_t maxBindingBytes, uint32_t cell) {
    const uint64_t rowBytes = uint64_t(width) * 4;
    if (uint64_t(height) * rowBytes <= maxBindingBytes)
        return std::vector<Strip>{{0, height, 0, height}};
    // Beauty reaches 2 + 2 cells (two 5-cell windows) and 1 more (bilinear) past a pixel, its
    // unsharp mask one pixel: a margin of 6 cells holds all of it.
    const uint32_t margin = 6 * cell;
    const uint32_t rows = uint32_t(std::min<uint64_t>(height, maxBindingBytes / rowBytes)) / cell * cell;
    if (rows <= 2 * margin)
        return fail(ErrorCode::InvalidArgument,
                    std::format("a {}x{} photo does not fit the device's storage buffers ({} bytes) even in strips of "
                                "{} rows",
                                width, height, maxBindingBytes, 2 * margin + cell));
    const uint32_t keep = rows - 2 * margin;
    std::vector<Strip> strips;
    for (uint32_t k = 0; k < height; k += keep) {
        const uint32_t end = std::min(height, k + keep);
        const uint32_t first = k == 0 ? 0 : k - margin;
        strips.push_back({first, std::min(rows, height - first), k, end - k});
    }
    return strips;
}

CropPlan stripPlan(const CropPlan& full, uint32_t first, uint32_t rows) {
    CropPlan s = full;
    const PanelMap& m = full.map;
    // Panel rows run along the oriented output's rows (rotation 0, 180: y = by j + cy) or its
    // columns (90, 270: y = ay i + cy), forwards or backwards.
    const bool alongRows = m.ay == 0;
    const int32_t step = alongRows ? m.by : m.ay;
    const int32_t lo = step > 0 ? int32_t(first) - m.cy : m.cy - int32_t(first + rows) + 1; // first index shown
    s.panelHeight = rows;
    if (alongRows) {
        s.outHeight = s.regionHeight = rows;
        s.cropY += double(lo) * s.scaleY;
        s.cropHeight = double(rows) * s.scaleY;
    } else {
        s.outWidth = s.regionWidth = rows;
        s.cropX += double(lo) * s.scaleX;
        s.cropWidth = double(rows) * s.scaleX;
    }
    // The same map from the strip's own indices (i - i0, j - j0) onto its rows.
    const int32_t i0 = alongRows ? 0 : lo, j0 = alongRows ? lo : 0;
    s.map.cx = m.cx + m.ax * i0 + m.bx * j0;
    s.map.cy = m.cy + m.ay * i0 + m.by * j0 - int32_t(first);
    return s;
}

std::vector<analysis::FaceBox> facesOnPhoto(std::span<const analysis::FaceBox> faces, const CropPlan& panel,
                                            const PhotoPlan& photo) {
    std::vector<analysis::FaceBox> out;
    const double pw = photo.crop.panelWidth, ph = photo.crop.panelHeight;
    for (const analysis::FaceBox& box : faces) {
        double x0 = pw, y0 = ph, x1 = 0, y1 = 0;
        bool mapped = true;
        for (const auto& [cx, cy] : {std::pair{box.x, box.y}, std::pair{box.x + box.width, box.y + box.height}}) {
            const PanelPoint p{std::clamp(cx / float(panel.panelWidth), 0.0f, 1.0f),
                               std::clamp(cy / float(panel.panelHeight), 0.0f, 1.0f)};
            auto f = panelToFrame(panel, p);
            if (!f) {
                mapped = false;
                break;
            }
            const FramePoint q = frameToPanel(photo.crop, *f);
            x0 = std::min(x0, q.x);
            y0 = std::min(y0, q.y);
            x1 = std::max(x1, q.x);
            y1 = std::max(y1, q.y);
        }
        x0 = std::max(x0, 0.0);
        y0 = std::max(y0, 0.0);
        x1 = std::min(x1, pw);
        y1 = std::min(y1, ph);
        if (mapped && x1 > x0 && y1 > y0)
            out.push_back({float(x0), float(y0), float(x1 - x0), float(y1 - y0)});
    }
    return out;
}

} // namespace rearview::photo
