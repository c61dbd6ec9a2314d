// SPDX-License-Identifier: MIT
#include "record/encoder_select.hpp"

#include "core/log.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <format>
#include <string_view>

#include <dlfcn.h>

namespace rearview::record {
namespace {

bool anyDevice(std::string_view dir, std::string_view prefix) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(dir), ec))
        if (entry.path().filename().string().starts_with(prefix))
            return true;
    return false;
}

// Cheap checks that spare probing encoders that cannot work here (and their log noise).
std::string precheck(std::string_view name) {
    if (name.ends_with("_vaapi") && !anyDevice("/dev/dri", "renderD"))
        return "no /dev/dri/renderD* node";
    if (name.ends_with("_v4l2m2m") && !anyDevice("/dev", "video"))
        return "no /dev/video* node";
    if (name.ends_with("_nvenc")) {
        void* cuda = ::dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
        if (!cuda)
            return "no NVIDIA driver (libcuda.so.1 not loadable)";
        ::dlclose(cuda);
    }
    return {};
}

RecordCodec codecOf(const AVCodec* codec) {
    return codec->id == AV_CODEC_ID_H264 ? RecordCodec::H264 : RecordCodec::Hevc;
}

} // namespace

std::vector<std::string> encoderCandidates(RecordCodec codec, bool allowH264Fallback) {
    const std::string p = codec == RecordCodec::Hevc ? "hevc" : "h264";
    std::vector<std::string> names{p + "_vulkan", p + "_vaapi", p + "_v4l2m2m", p + "_nvenc"};
    if (codec == RecordCodec::Hevc) {
        names.push_back("libx265");
        if (allowH264Fallback)
            names.push_back("libx264");
    } else {
        names.push_back("libx264");
    }
    return names;
}

Result<SelectedEncoder> selectEncoder(const RecordOptions& options, const EncoderConfig& config) {
    installAvLogForwarding();
    if (options.encoder != "auto" && !options.encoder.empty()) {
        const AVCodec* codec = avcodec_find_encoder_by_name(options.encoder.c_str());
        if (!codec || codec->type != AVMEDIA_TYPE_VIDEO) {
            std::string known;
            for (const std::string& n : encoderCandidates(options.codec, true))
                if (avcodec_find_encoder_by_name(n.c_str()))
                    known += (known.empty() ? "" : ", ") + n;
            return fail(ErrorCode::NotFound,
                        std::format("unknown encoder '{}': this libavcodec has no video encoder of that name "
                                    "(use \"auto\" or one of: {})", options.encoder, known));
        }
        if (codec->id != AV_CODEC_ID_HEVC && codec->id != AV_CODEC_ID_H264)
            return fail(ErrorCode::InvalidArgument,
                        std::format("encoder '{}' encodes {}, not HEVC or H.264", options.encoder,
                                    avcodec_get_name(codec->id)));
        auto enc = Encoder::open(codec, config);
        if (!enc)
            return fail(ErrorCode::Unsupported,
                        std::format("requested encoder '{}' is not usable here: {}", options.encoder,
                                    enc.error().message));
        SelectedEncoder s;
        s.name = codec->name;
        s.codec = codecOf(codec);
        s.hardware = (*enc)->hardware();
        s.reason = "requested by name";
        s.encoder = std::move(*enc);
        log::info("record: encoder {} ({}, {})", s.name, s.hardware ? "hardware" : "software", s.reason);
        return s;
    }

    std::string skipped;
    for (const std::string& name : encoderCandidates(options.codec, options.allowH264Fallback)) {
        std::string why;
        const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
        if (!codec)
            why = "not in this libavcodec";
        else
            why = precheck(name);
        if (why.empty()) {
            auto enc = Encoder::open(codec, config);
            if (enc) {
                SelectedEncoder s;
                s.name = name;
                s.codec = codecOf(codec);
                s.hardware = (*enc)->hardware();
                s.reason = skipped.empty() ? "first candidate, opened"
                                           : std::format("first candidate that opened; skipped: {}", skipped);
                if (s.codec != options.codec)
                    s.reason += "; no HEVC encoder opened, fell back to H.264";
                s.encoder = std::move(*enc);
                log::info("record: encoder {} ({}, {})", s.name, s.hardware ? "hardware" : "software", s.reason);
                return s;
            }
            why = enc.error().message;
        }
        log::debug("record: skipping encoder {}: {}", name, why);
        skipped += std::format("{}{} ({})", skipped.empty() ? "" : ", ", name, why);
    }
    return fail(ErrorCode::Unsupported,
                std::format("no {} encoder opened at {}x{}: {}", toString(options.codec), config.width,
                            config.height, skipped));
}

EncoderConfig encoderConfig(const RecordOptions& options, uint32_t width, uint32_t height, ColorSpace colorSpace) {
    EncoderConfig config;
    config.width = width;
    config.height = height;
    config.frameRate = options.frameRate;
    config.bitrate = options.bitrate;
    config.quality = options.quality;
    config.keyframeInterval = std::max(1, int(std::lround(options.frameRate * options.fragmentSeconds)));
    config.threads = options.threads;
    config.colorSpace = colorSpace;
    return config;
}

} // namespace rearview::record
