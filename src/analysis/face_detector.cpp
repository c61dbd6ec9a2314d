// SPDX-License-Identifier: MIT
#include "analysis/face_detector.hpp"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include <algorithm>
#include <filesystem>
#include <format>

namespace rearview::analysis {
namespace {

constexpr const char* kCascadeName = "haarcascade_frontalface_default.xml";
constexpr const char* kCascadeDirs[] = {"/usr/share/opencv4/haarcascades", "/usr/local/share/opencv4/haarcascades",
                                        "/usr/share/opencv/haarcascades"};

} // namespace

void FaceDetector::CascadeDeleter::operator()(cv::CascadeClassifier* cascade) const noexcept { delete cascade; }

Result<FaceDetector> FaceDetector::create(const FaceDetectorOptions& options) {
    std::string path = options.cascadePath;
    if (path.empty()) {
        for (const char* dir : kCascadeDirs)
            if (std::error_code ec; std::filesystem::exists(std::filesystem::path(dir) / kCascadeName, ec)) {
                path = (std::filesystem::path(dir) / kCascadeName).string();
                break;
            }
        if (path.empty())
            return fail(ErrorCode::NotFound,
                        std::format("face detection: {} not found in {}, {} or {}; install the opencv-data package "
                                    "or set the cascade path",
                                    kCascadeName, kCascadeDirs[0], kCascadeDirs[1], kCascadeDirs[2]));
    } else if (std::error_code ec; !std::filesystem::exists(path, ec)) {
        return fail(ErrorCode::NotFound, std::format("face detection: cascade file {} does not exist", path));
    }
    FaceDetector d;
    d.cascade_.reset(new cv::CascadeClassifier());
    bool loaded = false;
    try {
        loaded = d.cascade_->load(path);
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Parse, std::format("face detection: cannot load cascade {}: {}", path, e.what()));
    }
    if (!loaded || d.cascade_->empty())
        return fail(ErrorCode::Parse, std::format("face detection: {} is not a cascade OpenCV can load", path));
    if (!(options.edgePadding >= 0.0f && options.edgePadding <= 1.0f))
        return fail(ErrorCode::InvalidArgument,
                    std::format("face detection: edge padding {} is outside 0..1", options.edgePadding));
    if (options.thumbnailWidth < 32)
        return fail(ErrorCode::InvalidArgument,
                    std::format("face detection: thumbnail width {} is below 32", options.thumbnailWidth));
    d.options_ = options;
    d.path_ = std::move(path);
    return d;
}

Result<std::vector<FaceBox>> FaceDetector::detect(const RgbaImage& image) {
    if (image.width == 0 || image.height == 0)
        return fail(ErrorCode::InvalidArgument, "face detection: empty image");
    const cv::Mat rgba(int(image.height), int(image.width), CV_8UC4, const_cast<uint8_t*>(image.pixels.data()));
    const uint32_t w = std::min(options_.thumbnailWidth, image.width);
    const uint32_t h = std::max(1u, uint32_t((uint64_t(image.height) * w + image.width / 2) / image.width));
    cv::Mat grey, thumb;
    try {
        cv::cvtColor(rgba, grey, cv::COLOR_RGBA2GRAY);
        cv::resize(grey, thumb, cv::Size(int(w), int(h)), 0, 0, cv::INTER_AREA);
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Internal, std::format("face detection: thumbnail failed: {}", e.what()));
    }
    return detectThumbnail({thumb.data, thumb.total()}, w, h, uint32_t(thumb.step[0]), image.width, image.height);
}

Result<std::vector<FaceBox>> FaceDetector::detectThumbnail(std::span<const uint8_t> grey, uint32_t width,
                                                           uint32_t height, uint32_t stride, uint32_t panelWidth,
                                                           uint32_t panelHeight) {
    if (width == 0 || height == 0 || stride < width || grey.size() < size_t(stride) * (height - 1) + width)
        return fail(ErrorCode::InvalidArgument,
                    std::format("face detection: {}x{} thumbnail with stride {} in {} bytes", width, height, stride,
                                grey.size()));
    const cv::Mat thumb(int(height), int(width), CV_8UC1, const_cast<uint8_t*>(grey.data()), stride);
    std::vector<cv::Rect> hits;
    const int pad = int(options_.edgePadding * float(width) + 0.5f);
    try {
        cv::Mat padded, equalised;
        cv::copyMakeBorder(thumb, padded, pad, pad, pad, pad, cv::BORDER_REFLECT);
        // Evens out exposure, which the cascade's thresholds assume.
        cv::equalizeHist(padded, equalised);
        cascade_->detectMultiScale(equalised, hits, options_.scaleFactor, options_.minNeighbors, 0,
                                   cv::Size(options_.minSize, options_.minSize));
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Internal, std::format("face detection: cascade failed: {}", e.what()));
    }
    const float sx = float(panelWidth) / float(width), sy = float(panelHeight) / float(height);
    std::vector<FaceBox> boxes;
    boxes.reserve(hits.size());
    for (const cv::Rect& r : hits) {
        const float x0 = std::clamp(float(r.x - pad) * sx, 0.0f, float(panelWidth));
        const float y0 = std::clamp(float(r.y - pad) * sy, 0.0f, float(panelHeight));
        const float x1 = std::clamp(float(r.x - pad + r.width) * sx, 0.0f, float(panelWidth));
        const float y1 = std::clamp(float(r.y - pad + r.height) * sy, 0.0f, float(panelHeight));
        if (x1 > x0 && y1 > y0)
            boxes.push_back({x0, y0, x1 - x0, y1 - y0});
    }
    return boxes;
}

} // namespace rearview::analysis
