// SPDX-License-Identifier: MIT
// Still images through the camera pipeline: how people preview a look on their own photos.
#pragma once

#include "capture/synthetic_source.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rearview {

/// What a still source shows.
struct StillSourceOptions {
    /// A PNG/JPEG file, or a directory whose .png/.jpg/.jpeg files are shown in name order.
    std::filesystem::path path;
    uint32_t width = 4080;   ///< frame size the images are delivered at (centre-cropped to its aspect)
    uint32_t height = 3060;
    double frameRate = 30.0; ///< frames per second, each a copy of the current image
    double secondsPerImage = 2.0;
    ColorSpace colorSpace{YcbcrMatrix::Bt601, YcbcrRange::Full};
    /// Buffers the image is held in (a consumer holding them all gets no further frame).
    uint32_t bufferCount = 3;
};

/// Delivers each image as a stream of NV12 camera-like frames for `secondsPerImage`, then
/// the next one, round and round. Only the current image is decoded and held, so a large
/// directory costs no more memory than one image; the decode at each change delays that
/// frame (the panel repeats the previous one meanwhile). Sequence numbers run on across
/// images.
class StillSource final : public FrameSource {
public:
    /// Errors: NotFound (no such path, or a directory without images; the message says which
    /// extensions count), Parse/Io (an image that does not decode), InvalidArgument (sizes,
    /// rates).
    static Result<StillSource> create(StillSourceOptions options);

    Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) override;
    FrameFormat format() const override;

    const std::vector<std::filesystem::path>& images() const { return images_; }
    /// The image frames come from now.
    const std::filesystem::path& current() const { return images_[index_]; }

private:
    StillSource() = default;
    Result<void> open(size_t index);

    StillSourceOptions options_;
    std::vector<std::filesystem::path> images_;
    size_t index_ = 0;
    std::optional<SyntheticSource> source_;
    uint64_t shownSinceNs_ = 0;
    uint64_t sequence_ = 0;
};

} // namespace rearview
