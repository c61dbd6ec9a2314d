// SPDX-License-Identifier: MIT
// A photo's EXIF metadata, built with libexif into the APP1 segment a JPEG carries.
#pragma once

#include <rearview/error.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rearview::photo {

/// What a photo's EXIF block says.
struct ExifFields {
    std::string make = "rearview";
    std::string model;    ///< the camera (its id)
    std::string software; ///< "rearview <version>"
    /// When the frame was captured: wall-clock time (CLOCK_REALTIME, ns since the epoch),
    /// written as DateTimeOriginal in local time with SubSecTimeOriginal and OffsetTimeOriginal.
    int64_t captureRealtimeNs = 0;
    uint16_t orientation = 1;      ///< EXIF Orientation, 1..8
    uint32_t width = 0, height = 0; ///< PixelXDimension, PixelYDimension
    bool srgb = true;              ///< ColorSpace: 1 (sRGB), else 0xFFFF (uncalibrated)
    std::optional<double> exposureSeconds; ///< ExposureTime, when the camera reported it
    std::optional<double> analogueGain;    ///< as ISOSpeedRatings (100 x gain), when reported
};

/// The EXIF orientation (1..8) of an image whose pixels are in sensor orientation and are to
/// be shown rotated clockwise by `rotationDegrees` (0, 90, 180, 270) and then, with `mirror`,
/// flipped horizontally.
uint16_t exifOrientation(uint32_t rotationDegrees, bool mirror);

/// The APP1 payload ("Exif\0\0" and the TIFF structure), at most 65533 bytes.
Result<std::vector<uint8_t>> buildExif(const ExifFields& fields);

} // namespace rearview::photo
