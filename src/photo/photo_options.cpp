// SPDX-License-Identifier: MIT
#include <rearview/photo.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <format>

namespace rearview {

std::string_view toString(PhotoSize size) noexcept {
    switch (size) {
    case PhotoSize::Full: return "full";
    case PhotoSize::Binned: return "binned";
    case PhotoSize::PanelAspect: return "panel-aspect";
    }
    return "?";
}

std::string_view toString(PhotoMirror mirror) noexcept {
    switch (mirror) {
    case PhotoMirror::Unmirrored: return "unmirrored";
    case PhotoMirror::AsPreviewed: return "as-previewed";
    }
    return "?";
}

std::string_view toString(PhotoOrientation orientation) noexcept {
    switch (orientation) {
    case PhotoOrientation::Pixels: return "pixels";
    case PhotoOrientation::ExifTag: return "exif-tag";
    }
    return "?";
}

Result<void> validate(const PhotoOptions& o) {
    if (o.path.empty())
        return fail(ErrorCode::InvalidArgument, "photo path is empty: name the .jpg file to write");
    const std::filesystem::path path(o.path);
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext != ".jpg" && ext != ".jpeg")
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo path '{}': photos are JPEG files; the name must end in .jpg or .jpeg", o.path));
    const std::filesystem::path dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec))
        return fail(ErrorCode::NotFound,
                    std::format("photo path '{}': the directory '{}' does not exist", o.path, dir.string()));
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return fail(ErrorCode::Io, std::format("photo path '{}': the directory '{}' is not writable", o.path,
                                               dir.string()));
    if (std::filesystem::is_directory(path, ec))
        return fail(ErrorCode::InvalidArgument, std::format("photo path '{}' is a directory", o.path));
    if (o.size != PhotoSize::Full && o.size != PhotoSize::Binned && o.size != PhotoSize::PanelAspect)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo size {} is not full, binned or panel-aspect", unsigned(o.size)));
    if (o.mirror != PhotoMirror::Unmirrored && o.mirror != PhotoMirror::AsPreviewed)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo mirror {} is not unmirrored or as-previewed", unsigned(o.mirror)));
    if (o.orientation != PhotoOrientation::Pixels && o.orientation != PhotoOrientation::ExifTag)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo orientation {} is not pixels or exif-tag", unsigned(o.orientation)));
    if (o.quality < 1 || o.quality > 100)
        return fail(ErrorCode::InvalidArgument, std::format("photo quality {} is not 1..100", o.quality));
    if (o.burst < 1 || o.burst > kMaxPhotoBurst)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo burst {} is not 1..{} frames", o.burst, kMaxPhotoBurst));
    if (!std::isfinite(o.timerSeconds) || o.timerSeconds < 0 || o.timerSeconds > kMaxPhotoTimer)
        return fail(ErrorCode::InvalidArgument,
                    std::format("photo self-timer {} s is not 0..{} s", o.timerSeconds, kMaxPhotoTimer));
    return {};
}

} // namespace rearview
