// SPDX-License-Identifier: MIT
// One opened libavcodec video encoder fed with NV12 RecordFrames.
#pragma once

#include "record/av_support.hpp"
#include "record/record_frame.hpp"

#include <rearview/color_space.hpp>
#include <rearview/error.hpp>
#include <rearview/record.hpp>

#include <memory>
#include <string>

namespace rearview::record {

/// What an encoder is opened with.
struct EncoderConfig {
    uint32_t width = 0;
    uint32_t height = 0;
    double frameRate = 30.0;
    int64_t bitrate = 0;      ///< bits/s, 0 = constant quality
    int quality = -1;         ///< CRF-like, -1 = encoder default
    int keyframeInterval = 30; ///< frames
    uint32_t threads = 0;     ///< 0 = one per core
    ColorSpace colorSpace{};
};

/// The libavcodec colour tags for a rearview colour space (matrix, range, primaries, transfer):
/// BT.601 → smpte170m ×3, BT.709 → bt709 ×3, BT.2020 → bt2020nc / bt2020 / bt2020-10 (SDR).
struct AvColorTags {
    AVColorSpace matrix;
    AVColorRange range;
    AVColorPrimaries primaries;
    AVColorTransferCharacteristic transfer;
};
AvColorTags avColorTags(ColorSpace cs) noexcept;

/// Pts units of every encoder: 1/90000 s.
inline constexpr AVRational kTimeBase{1, 90000};

/// A libavcodec encoder opened for NV12 input. Frames are referenced, not copied, where the
/// encoder takes NV12; for planar-only encoders (libx265) the Y plane is still referenced and
/// only CbCr is split; hardware encoders that need their own frames get an upload.
class Encoder {
public:
    /// Opens `codec` (avcodec_open2) with the configuration; the error says why it would not open.
    static Result<std::unique_ptr<Encoder>> open(const AVCodec* codec, const EncoderConfig& config);
    ~Encoder();
    Encoder(const Encoder&) = delete;
    Encoder& operator=(const Encoder&) = delete;

    std::string_view name() const noexcept;
    bool hardware() const noexcept { return hardware_; }
    const AVCodecContext* context() const noexcept { return ctx_.get(); }

    /// Encodes one frame with `pts` and `duration` in kTimeBase units; `keyframe` forces an IDR.
    Result<void> send(RecordFrame&& frame, int64_t pts, int64_t duration, bool keyframe);
    /// No more frames: the following receive() calls return what is still buffered.
    Result<void> sendEnd();
    /// The next finished packet into `packet` (pts/dts/duration in kTimeBase): true if one
    /// was ready, false if the encoder needs more input or is drained.
    Result<bool> receive(AVPacket* packet);

private:
    Encoder() = default;
    Result<void> setUpInput();

    CodecContextPtr ctx_;
    bool hardware_ = false;
    enum class Input { Nv12, Yuv420p, HwUpload } input_ = Input::Nv12;
    BufferRefPtr hwDevice_;
    BufferRefPtr hwFrames_;
    AVBufferPool* chromaPool_ = nullptr; // Yuv420p: U and V planes
    int chromaStride_ = 0;
    FramePtr frame_;
    FramePtr hwFrame_;
};

} // namespace rearview::record
