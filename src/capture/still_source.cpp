// SPDX-License-Identifier: MIT
#include "capture/still_source.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

#include <algorithm>
#include <format>

namespace rearview {

namespace {

bool isImage(const std::filesystem::path& p) {
    std::string ext = p.extension().string();
    std::ranges::transform(ext, ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return ext == ".png" || ext == ".jpg" || ext == ".jpeg";
}

} // namespace

Result<StillSource> StillSource::create(StillSourceOptions options) {
    if (!(options.secondsPerImage > 0))
        return fail(ErrorCode::InvalidArgument,
                    std::format("seconds per image {} must be positive", options.secondsPerImage));
    std::error_code ec;
    const auto status = std::filesystem::status(options.path, ec);
    if (ec || !std::filesystem::exists(status))
        return fail(ErrorCode::NotFound, std::format("still source '{}' does not exist", options.path.string()));
    StillSource s;
    if (std::filesystem::is_directory(status)) {
        for (const auto& entry : std::filesystem::directory_iterator(options.path, ec))
            if (entry.is_regular_file() && isImage(entry.path()))
                s.images_.push_back(entry.path());
        if (ec)
            return fail(ErrorCode::Io, std::format("cannot list '{}': {}", options.path.string(), ec.message()));
        std::ranges::sort(s.images_);
        if (s.images_.empty())
            return fail(ErrorCode::NotFound, std::format("directory '{}' holds no .png, .jpg or .jpeg files",
                                                         options.path.string()));
    } else {
        s.images_.push_back(options.path);
    }
    s.options_ = std::move(options);
    if (auto r = s.open(0); !r)
        return std::unexpected(r.error());
    return s;
}

Result<void> StillSource::open(size_t index) {
    auto source = SyntheticSource::create({.width = options_.width,
                                           .height = options_.height,
                                           .frameRate = options_.frameRate,
                                           .bufferCount = options_.bufferCount,
                                           .imagePath = images_[index].string(),
                                           .colorSpace = options_.colorSpace});
    if (!source)
        return std::unexpected(source.error());
    source_.emplace(std::move(*source));
    index_ = index;
    shownSinceNs_ = monotonicNs();
    log::info("stills: showing {} ({} of {})", images_[index].string(), index + 1, images_.size());
    return {};
}

Result<std::optional<CapturedFrame>> StillSource::nextFrame(std::chrono::milliseconds timeout) {
    if (images_.size() > 1 && double(monotonicNs() - shownSinceNs_) >= options_.secondsPerImage * 1e9) {
        // A file that does not decode (any more) is skipped rather than ending the stream;
        // when none other does, the current image stays.
        for (size_t step = 1; step < images_.size(); ++step) {
            const size_t next = (index_ + step) % images_.size();
            auto opened = open(next);
            if (opened)
                break;
            log::warn("stills: skipping {}: {}", images_[next].string(), opened.error().message);
        }
        shownSinceNs_ = monotonicNs();
    }
    auto frame = source_->nextFrame(timeout);
    if (frame && *frame)
        (*frame)->sequence = sequence_++;
    return frame;
}

FrameFormat StillSource::format() const { return source_->format(); }

} // namespace rearview
