// SPDX-License-Identifier: MIT
#include "core/snapshot.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <format>

namespace rearview {

Result<void> writePng(const RgbaImage& image, const std::string& path) {
    if (image.width == 0 || image.height == 0 || image.pixels.size() < size_t(image.width) * image.height * 4)
        return fail(ErrorCode::InvalidArgument, std::format("cannot write an empty {}x{} image to {}", image.width,
                                                            image.height, path));
    const cv::Mat rgba(int(image.height), int(image.width), CV_8UC4, const_cast<uint8_t*>(image.pixels.data()));
    cv::Mat bgra; // OpenCV writes B, G, R, A
    cv::cvtColor(rgba, bgra, cv::COLOR_RGBA2BGRA);
    bool ok = false;
    try {
        ok = cv::imwrite(path, bgra);
    } catch (const cv::Exception& e) {
        return fail(ErrorCode::Io, std::format("cannot write PNG {}: {}", path, e.what()));
    }
    if (!ok)
        return fail(ErrorCode::Io, std::format("cannot write PNG {} (directory missing or not writable?)", path));
    return {};
}

} // namespace rearview
