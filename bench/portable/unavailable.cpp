// SPDX-License-Identifier: MIT
// The library parts that need libcamera, OpenCV, FFmpeg, SDL, libjpeg or libexif, as the portable benchmark
// (REARVIEW_PORTABLE_BENCH) links them: each entry point reports that this build leaves the
// part out. The viewfinder benchmark on the synthetic source reaches them only to find out
// (face analysis is off, nothing is recorded, photographed, snapshotted or shown in a window).
#include "analysis/face_detector.hpp"
#include "core/image_file.hpp"
#include "core/snapshot.hpp"
#include "photo/exif.hpp"
#include "photo/jpeg_encoder.hpp"
#include "present/surface.hpp"
#include "viewfinder/record_branch.hpp"

#include <format>

namespace rearview {

namespace {
Error leftOut(std::string_view what, std::string_view library) {
    return Error{ErrorCode::Unsupported,
                 std::format("{} needs {}, which the portable benchmark is built without", what, library)};
}
} // namespace

Result<Nv12Image> readImageNv12(const std::string&, uint32_t, uint32_t, uint32_t, ColorSpace) {
    return std::unexpected(leftOut("reading an image file", "OpenCV"));
}

Result<void> writePng(const RgbaImage&, const std::string&) {
    return std::unexpected(leftOut("writing a PNG snapshot", "OpenCV"));
}

namespace analysis {

void FaceDetector::CascadeDeleter::operator()(cv::CascadeClassifier*) const noexcept {}

Result<FaceDetector> FaceDetector::create(const FaceDetectorOptions&) {
    return std::unexpected(leftOut("face detection", "OpenCV"));
}
Result<std::vector<FaceBox>> FaceDetector::detect(const RgbaImage&) {
    return std::unexpected(leftOut("face detection", "OpenCV"));
}
Result<std::vector<FaceBox>> FaceDetector::detectThumbnail(std::span<const uint8_t>, uint32_t, uint32_t, uint32_t,
                                                           uint32_t, uint32_t) {
    return std::unexpected(leftOut("face detection", "OpenCV"));
}

} // namespace analysis

namespace present {

Result<std::unique_ptr<Surface>> createWindowSurface(gpu::Device&, const WindowOptions&) {
    return std::unexpected(leftOut("a window", "SDL"));
}

} // namespace present

namespace photo {

Result<std::vector<uint8_t>> buildExif(const ExifFields&) { return std::unexpected(leftOut("photo EXIF", "libexif")); }
uint16_t exifOrientation(uint32_t, bool) { return 1; }
Result<std::vector<uint8_t>> encodeJpeg(const uint8_t*, uint32_t, uint32_t, size_t, int, std::span<const uint8_t>) {
    return std::unexpected(leftOut("photo encoding", "libjpeg-turbo"));
}

} // namespace photo

// No record branch is ever created here, so a frame loop never has one to call.
namespace viewfinder {

void RecordBranch::offer(const CapturedFrame&) {}
Result<void> RecordBranch::finish(std::chrono::milliseconds) { return std::unexpected(leftOut("recording", "FFmpeg")); }
RecordingStats RecordBranch::stats() const { return {}; }
std::optional<Error> RecordBranch::takeError(bool) { return leftOut("recording", "FFmpeg"); }

} // namespace viewfinder

} // namespace rearview
