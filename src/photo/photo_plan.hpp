// SPDX-License-Identifier: MIT
// What a photo of one sensor frame is made of: its crop plan at the photo's resolution, how
// many times the panel's scale it is (for the size-dependent stage parameters), its EXIF
// orientation, and the panel's face boxes moved onto it.
#pragma once

#include "analysis/face_box.hpp"
#include "core/crop_plan.hpp"

#include <rearview/error.hpp>
#include <rearview/photo.hpp>
#include <rearview/view_geometry.hpp>

#include <cstdint>
#include <span>
#include <vector>

namespace rearview::photo {

/// A photo's geometry.
struct PhotoPlan {
    CropPlan crop;          ///< sensor frame -> photo image (its panel size is the photo's size)
    uint32_t width = 0, height = 0; ///< of the stored image
    /// Photo pixels per panel pixel over the same scene: what the stage chain scales beauty's
    /// grid and the grain by, so the photo looks like the preview.
    double scale = 1;
    uint16_t exifOrientation = 1; ///< 1 unless PhotoOrientation::ExifTag with a rotation or mirror
};

/// Plans the photo of a `frameWidth` x `frameHeight` sensor frame shown on the panel per
/// `panel` (the viewfinder's crop plan for that frame, made with `geometry`), as `options`
/// ask (size, mirror, orientation). The photo always fills (a Fit view's bars are not
/// photographed); the zoom and centre are the panel's. Fails for sizes a JPEG cannot hold.
Result<PhotoPlan> planPhoto(uint32_t frameWidth, uint32_t frameHeight, const CropPlan& panel,
                            const ViewGeometry& geometry, const PhotoOptions& options);

/// Rows of a photo processed at once: rows first.. first + rows, of which
/// keepFirst.. keepFirst + keepRows are kept (the rest is margin the stages read across).
struct Strip {
    uint32_t first = 0, rows = 0;
    uint32_t keepFirst = 0, keepRows = 0;
};

/// The strips a `width` x `height` RGBA8 photo goes through the stages in when one storage
/// buffer binding holds at most `maxBindingBytes`: one strip of every row when it fits; else
/// strips of as many rows as fit, starting on multiples of `cell` (beauty's grid stays the whole
/// image's) and overlapping by a margin wider than beauty reaches (its windows, 5 cells twice,
/// and its bilinear cell). InvalidArgument when not even that margin fits.
Result<std::vector<Strip>> planStrips(uint32_t width, uint32_t height, uint64_t maxBindingBytes, uint32_t cell);

/// The crop plan of rows `first`.. `first + rows` of the photo `full` plans (a filled plan):
/// the part of the crop those rows show, in whatever rotation and mirror, as an image of
/// `rows` rows.
CropPlan stripPlan(const CropPlan& full, uint32_t first, uint32_t rows);

/// The panel's face boxes (panel pixels of `panel`) in the photo's pixels: each box's corners
/// through the sensor frame onto the photo, boxes that leave the photo clipped or dropped.
std::vector<analysis::FaceBox> facesOnPhoto(std::span<const analysis::FaceBox> faces, const CropPlan& panel,
                                            const PhotoPlan& photo);

} // namespace rearview::photo
