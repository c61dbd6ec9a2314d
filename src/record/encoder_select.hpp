// SPDX-License-Identifier: MIT
// Which encoder records: hardware first, software last, each candidate actually opened.
#pragma once

#include "record/encoder.hpp"

#include <rearview/record.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rearview::record {

/// The candidate encoder names for a codec, in the order they are tried.
/// HEVC: hevc_vulkan, hevc_vaapi, hevc_v4l2m2m, hevc_nvenc, libx265 (then libx264 when
/// `allowH264Fallback`); H.264: h264_vulkan, h264_vaapi, h264_v4l2m2m, h264_nvenc, libx264.
std::vector<std::string> encoderCandidates(RecordCodec codec, bool allowH264Fallback);

/// An opened encoder and why it was chosen.
struct SelectedEncoder {
    std::unique_ptr<Encoder> encoder;
    std::string name;
    RecordCodec codec = RecordCodec::Hevc;
    bool hardware = false;
    /// "first that opened; skipped: hevc_vaapi (no /dev/dri/renderD* node), ..." or
    /// "requested by name".
    std::string reason;
};

/// The encoder configuration a recording with `options` uses for width x height frames.
EncoderConfig encoderConfig(const RecordOptions& options, uint32_t width, uint32_t height, ColorSpace colorSpace);

/// Opens the encoder for `options` (options.encoder "auto" or a libavcodec encoder name).
/// A named encoder that libavcodec lacks is ErrorCode::NotFound; one that does not open, or
/// no candidate opening, is ErrorCode::Unsupported with every candidate's reason.
Result<SelectedEncoder> selectEncoder(const RecordOptions& options, const EncoderConfig& config);

} // namespace rearview::record
