// SPDX-License-Identifier: MIT
#include "capture/libcamera_support.hpp"

#include "core/log.hpp"

#include <libcamera/formats.h>
#include <libcamera/property_ids.h>
#include <libcamera/stream.h>

#include <algorithm>
#include <cstring>
#include <format>
#include <mutex>

namespace rearview {

std::string_view toString(CameraLocation location) noexcept {
    switch (location) {
    case CameraLocation::Front: return "front";
    case CameraLocation::Back: return "back";
    case CameraLocation::External: return "external";
    case CameraLocation::Unknown: return "unknown";
    }
    return "unknown";
}

std::string_view toString(CameraStreamRole role) noexcept {
    switch (role) {
    case CameraStreamRole::Viewfinder: return "viewfinder";
    case CameraStreamRole::VideoRecording: return "video-recording";
    }
    return "unknown";
}

Result<std::vector<CameraInfo>> listCameras() {
    auto manager = capture::cameraManager();
    if (!manager) return std::unexpected(manager.error());
    std::vector<CameraInfo> cameras;
    for (const std::shared_ptr<libcamera::Camera>& camera : (*manager)->cameras())
        cameras.push_back(capture::describeCamera(*camera));
    return cameras;
}

namespace capture {

Result<std::shared_ptr<libcamera::CameraManager>> cameraManager() {
    static std::mutex mutex;
    static std::weak_ptr<libcamera::CameraManager> current;
    std::lock_guard lock(mutex);
    if (auto manager = current.lock()) return manager;

    auto* raw = new libcamera::CameraManager();
    if (int ret = raw->start(); ret < 0) {
        delete raw;
        return fail(ErrorCode::Internal,
                    std::format("libcamera's camera manager did not start: {}. Is another libcamera CameraManager "
                                "alive in this process (libcamera allows one)?",
                                errnoMessage(ret)));
    }
    std::shared_ptr<libcamera::CameraManager> manager(raw, [](libcamera::CameraManager* m) {
        m->stop();
        delete m;
    });
    current = manager;
    log::debug("libcamera {} started, {} camera(s): {}", libcamera::CameraManager::version(), manager->cameras().size(),
               cameraIdList(*manager));
    return manager;
}

std::string cameraIdList(const libcamera::CameraManager& manager) {
    std::string ids;
    for (const auto& camera : manager.cameras()) {
        if (!ids.empty()) ids += ", ";
        ids += camera->id();
    }
    return ids.empty() ? "none" : ids;
}

namespace {

FrameSize toFrameSize(const libcamera::Size& s) { return {s.width, s.height}; }

CameraLocation toLocation(int32_t location) {
    switch (location) {
    case libcamera::properties::CameraLocationFront: return CameraLocation::Front;
    case libcamera::properties::CameraLocationBack: return CameraLocation::Back;
    case libcamera::properties::CameraLocationExternal: return CameraLocation::External;
    default: return CameraLocation::Unknown;
    }
}

/// The NV12 sizes the camera takes unchanged. StreamFormats alone is not enough: a camera
/// that reports a size range (the virtual one does) may accept only a few sizes inside it,
/// so each candidate — the listed sizes, the range's ends and its halvings — is validated.
std::vector<FrameSize> probeNv12Sizes(libcamera::Camera& camera, FrameSize* minSize, FrameSize* maxSize) {
    std::vector<FrameSize> accepted;
    std::unique_ptr<libcamera::CameraConfiguration> config =
        camera.generateConfiguration({libcamera::StreamRole::Viewfinder});
    if (!config || config->empty()) return accepted;
    libcamera::StreamConfiguration& cfg = config->at(0);
    const libcamera::StreamFormats formats = cfg.formats();
    const auto pixelFormats = formats.pixelformats();
    if (std::find(pixelFormats.begin(), pixelFormats.end(), libcamera::formats::NV12) == pixelFormats.end())
        return accepted;

    const libcamera::SizeRange range = formats.range(libcamera::formats::NV12);
    *minSize = toFrameSize(range.min);
    *maxSize = toFrameSize(range.max);

    std::vector<libcamera::Size> candidates = formats.sizes(libcamera::formats::NV12);
    candidates.push_back(range.min);
    candidates.push_back(range.max);
    for (unsigned div = 2; div <= 8; div *= 2)
        candidates.emplace_back(range.max.width / div & ~1u, range.max.height / div & ~1u);

    for (const libcamera::Size& size : candidates) {
        if (size.isNull()) continue;
        if (std::find(accepted.begin(), accepted.end(), toFrameSize(size)) != accepted.end()) continue;
        cfg.pixelFormat = libcamera::formats::NV12;
        cfg.size = size;
        if (config->validate() == libcamera::CameraConfiguration::Valid && cfg.size == size &&
            cfg.pixelFormat == libcamera::formats::NV12)
            accepted.push_back(toFrameSize(size));
    }
    std::sort(accepted.begin(), accepted.end(), [](const FrameSize& a, const FrameSize& b) {
        return uint64_t(a.width) * a.height > uint64_t(b.width) * b.height;
    });
    return accepted;
}

} // namespace

CameraInfo describeCamera(libcamera::Camera& camera) {
    namespace props = libcamera::properties;
    const libcamera::ControlList& properties = camera.properties();
    CameraInfo info;
    info.id = camera.id();
    if (auto location = properties.get(props::Location)) info.location = toLocation(*location);
    info.model = properties.get(props::Model).value_or("Unknown");
    info.nv12Sizes = probeNv12Sizes(camera, &info.nv12MinSize, &info.nv12MaxSize);

    // Not every pipeline handler sets PixelArraySize (the virtual one sets only the active
    // areas), so fall back to the active area and then to the largest stream size.
    if (auto size = properties.get(props::PixelArraySize)) {
        info.pixelArraySize = toFrameSize(*size);
    } else if (auto areas = properties.get(props::PixelArrayActiveAreas); areas && !areas->empty()) {
        for (const libcamera::Rectangle& area : *areas)
            if (uint64_t(area.width) * area.height >
                uint64_t(info.pixelArraySize.width) * info.pixelArraySize.height)
                info.pixelArraySize = {area.width, area.height};
    } else {
        info.pixelArraySize = info.nv12MaxSize;
    }
    return info;
}

std::optional<ColorSpace> fromLibcamera(const std::optional<libcamera::ColorSpace>& cs) {
    if (!cs) return std::nullopt;
    ColorSpace out;
    switch (cs->ycbcrEncoding) {
    case libcamera::ColorSpace::YcbcrEncoding::Rec601: out.matrix = YcbcrMatrix::Bt601; break;
    case libcamera::ColorSpace::YcbcrEncoding::Rec709: out.matrix = YcbcrMatrix::Bt709; break;
    case libcamera::ColorSpace::YcbcrEncoding::Rec2020: out.matrix = YcbcrMatrix::Bt2020; break;
    case libcamera::ColorSpace::YcbcrEncoding::None: return std::nullopt;
    }
    out.range = cs->range == libcamera::ColorSpace::Range::Full ? YcbcrRange::Full : YcbcrRange::Limited;
    return out;
}

std::string errnoMessage(int negativeErrno) {
    const int err = negativeErrno < 0 ? -negativeErrno : negativeErrno;
    return std::format("{} (errno {})", std::strerror(err), err);
}

std::unique_ptr<libcamera::FrameBuffer> nv12FrameBuffer(int fd, size_t uvOffset, size_t uvBytes) {
    // SharedFD duplicates an lvalue fd (an rvalue it would adopt).
    const libcamera::SharedFD shared(fd);
    std::vector<libcamera::FrameBuffer::Plane> planes(2);
    planes[0].fd = shared;
    planes[0].offset = 0;
    planes[0].length = unsigned(uvOffset);
    planes[1].fd = shared;
    planes[1].offset = unsigned(uvOffset);
    planes[1].length = unsigned(uvBytes);
    return std::make_unique<libcamera::FrameBuffer>(planes);
}

} // namespace capture
} // namespace rearview
