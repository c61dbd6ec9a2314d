// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_box.hpp"

#include <rearview/error.hpp>
#include <rearview/image.hpp>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace cv {
class CascadeClassifier;
}

namespace rearview::analysis {

/// How FaceDetector finds and looks for faces.
struct FaceDetectorOptions {
    /// The Haar cascade XML; empty: haarcascade_frontalface_default.xml from OpenCV's data
    /// directory (Debian's opencv-data: /usr/share/opencv4/haarcascades).
    std::string cascadePath;
    uint32_t thumbnailWidth = 452; ///< detect() shrinks the image to this width (aspect kept)
    double scaleFactor = 1.1;      ///< cascade pyramid step
    int minNeighbors = 4;          ///< overlapping hits a detection needs
    int minSize = 20;              ///< smallest face, in thumbnail pixels
    /// Mirrored border added around the thumbnail, as a fraction of its width: a selfie held
    /// close cuts the forehead or chin off, and the cascade only fires on whole faces.
    float edgePadding = 1.0f / 6.0f;
};

/// Frontal faces with OpenCV's Haar cascade on a small grey thumbnail of the working image;
/// boxes come back in panel coordinates, clipped to the panel. Not thread-safe: one detector per thread.
class FaceDetector {
public:
    FaceDetector() = default;
    FaceDetector(FaceDetector&&) noexcept = default;
    FaceDetector& operator=(FaceDetector&&) noexcept = default;
    ~FaceDetector() = default;

    /// Loads the cascade. Errors: NotFound (no cascade file; names where it looked and
    /// which package provides it), Parse (a file OpenCV cannot load as a cascade).
    static Result<FaceDetector> create(const FaceDetectorOptions& options = {});

    /// Faces in `image` (a working image): shrunk to a grey thumbnail (area average) first.
    Result<std::vector<FaceBox>> detect(const RgbaImage& image);
    /// Faces in a grey thumbnail (`width` x `height` bytes, rows `stride` apart) of a
    /// `panelWidth` x `panelHeight` image, mapped back to the panel's coordinates.
    Result<std::vector<FaceBox>> detectThumbnail(std::span<const uint8_t> grey, uint32_t width, uint32_t height,
                                                 uint32_t stride, uint32_t panelWidth, uint32_t panelHeight);

    const std::string& cascadePath() const { return path_; }

private:
    /// Deletes the cascade where OpenCV is linked (face_detector.cpp), so this header and
    /// the detector's special members need no OpenCV type.
    struct CascadeDeleter {
        void operator()(cv::CascadeClassifier* cascade) const noexcept;
    };
    std::unique_ptr<cv::CascadeClassifier, CascadeDeleter> cascade_;
    FaceDetectorOptions options_;
    std::string path_;
};

} // namespace rearview::analysis
