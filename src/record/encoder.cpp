// SPDX-License-Identifier: MIT
#include "record/encoder.hpp"

#include "core/log.hpp"

#include <libyuv/planar_functions.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <format>
#include <string_view>
#include <thread>

extern "C" {
#include <libavutil/hwcontext.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
}

namespace rearview::record {
namespace {

bool nameHas(std::string_view name, std::string_view part) { return name.find(part) != std::string_view::npos; }

bool isHardwareEncoder(const AVCodec* codec) {
    const std::string_view n = codec->name;
    return (codec->capabilities & AV_CODEC_CAP_HARDWARE) || nameHas(n, "_vaapi") || nameHas(n, "_vulkan") ||
           nameHas(n, "_nvenc") || nameHas(n, "_v4l2m2m") || nameHas(n, "_qsv") || nameHas(n, "_amf") ||
           nameHas(n, "_mediacodec");
}

std::string firstRenderNode() {
    std::error_code ec;
    std::string best;
    for (const auto& entry : std::filesystem::directory_iterator("/dev/dri", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with("renderD") && (best.empty() || entry.path().string() < best))
            best = entry.path().string();
    }
    return best;
}

// The buffer behind a wrapped RecordFrame: freeing it destroys the frame, returning its memory.
void releaseFrame(void* opaque, uint8_t*) { delete static_cast<RecordFrame*>(opaque); }

} // namespace

AvColorTags avColorTags(ColorSpace cs) noexcept {
    AvColorTags t{};
    switch (cs.matrix) {
    case YcbcrMatrix::Bt601:
        t = {AVCOL_SPC_SMPTE170M, AVCOL_RANGE_UNSPECIFIED, AVCOL_PRI_SMPTE170M, AVCOL_TRC_SMPTE170M};
        break;
    case YcbcrMatrix::Bt709:
        t = {AVCOL_SPC_BT709, AVCOL_RANGE_UNSPECIFIED, AVCOL_PRI_BT709, AVCOL_TRC_BT709};
        break;
    case YcbcrMatrix::Bt2020:
        t = {AVCOL_SPC_BT2020_NCL, AVCOL_RANGE_UNSPECIFIED, AVCOL_PRI_BT2020, AVCOL_TRC_BT2020_10};
        break;
    }
    t.range = cs.range == YcbcrRange::Full ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    return t;
}

Encoder::~Encoder() {
    ctx_.reset();
    av_buffer_pool_uninit(&chromaPool_);
}

std::string_view Encoder::name() const noexcept { return ctx_ && ctx_->codec ? ctx_->codec->name : ""; }

Result<std::unique_ptr<Encoder>> Encoder::open(const AVCodec* codec, const EncoderConfig& config) {
    installAvLogForwarding();
    takeLastAvLogError();
    std::unique_ptr<Encoder> enc(new Encoder);
    enc->hardware_ = isHardwareEncoder(codec);
    enc->ctx_.reset(avcodec_alloc_context3(codec));
    if (!enc->ctx_)
        return fail(ErrorCode::OutOfMemory, std::format("{}: cannot allocate an encoder context", codec->name));
    AVCodecContext* c = enc->ctx_.get();
    c->width = int(config.width);
    c->height = int(config.height);
    c->time_base = kTimeBase;
    c->framerate = av_d2q(config.frameRate, 100000);
    c->gop_size = std::max(1, config.keyframeInterval);
    c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER; // MP4 keeps the parameter sets in the sample description
    // No B-frames: pts == dts, so every file and segment starts exactly at its first frame's
    // time with no edit list, frames leave the encoder sooner (fragments close on time) and
    // no reorder buffer of 8K frames is held. Costs some compression at the same quality.
    c->max_b_frames = 0;
    const AvColorTags tags = avColorTags(config.colorSpace);
    c->colorspace = tags.matrix;
    c->color_range = tags.range;
    c->color_primaries = tags.primaries;
    c->color_trc = tags.transfer;
    c->chroma_sample_location = AVCHROMA_LOC_LEFT;
    c->sample_aspect_ratio = AVRational{1, 1};
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    c->thread_count = int(config.threads ? config.threads : cores);
    if (config.bitrate > 0) {
        c->bit_rate = config.bitrate;
        c->rc_max_rate = config.bitrate * 3 / 2;
        c->rc_buffer_size = int(std::min<int64_t>(config.bitrate * 2, INT32_MAX));
    }

    if (auto ok = enc->setUpInput(); !ok)
        return std::unexpected(ok.error());

    // Encoder-specific settings: fast enough presets for software, IDR on request everywhere.
    const std::string_view n = codec->name;
    AVDictionary* opts = nullptr;
    auto set = [&](const char* key, const std::string& value) { av_dict_set(&opts, key, value.c_str(), 0); };
    if (n == "libx265") {
        set("preset", "ultrafast");
        set("forced-idr", "1");
        set("x265-params", std::format("log-level=error:open-gop=0:bframes=0:pools={}", c->thread_count));
        if (config.bitrate == 0 && config.quality >= 0)
            set("crf", std::to_string(config.quality));
    } else if (n == "libx264") {
        set("preset", "veryfast");
        // No lookahead or frame-thread delay: each frame's packet leaves at once, so the
        // fragment it ends is on disk within its interval (a kill -9 loses at most one).
        set("tune", "zerolatency");
        set("forced-idr", "1");
        if (config.bitrate == 0 && config.quality >= 0)
            set("crf", std::to_string(config.quality));
    } else if (nameHas(n, "_nvenc")) {
        set("preset", "p4");
        set("forced-idr", "1");
        if (config.bitrate == 0)
            set("cq", std::to_string(config.quality >= 0 ? config.quality : 28));
    } else if (nameHas(n, "_vaapi") || nameHas(n, "_vulkan")) {
        if (config.bitrate == 0 && config.quality >= 0)
            set("qp", std::to_string(config.quality));
    } else if (config.bitrate == 0 && config.quality >= 0) {
        c->global_quality = config.quality;
    }
    const int ret = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (ret < 0)
        return std::unexpected(avError(ret, std::format("encoder {} did not open at {}x{}", n, config.width, config.height)));

    enc->frame_.reset(av_frame_alloc());
    enc->hwFrame_.reset(av_frame_alloc());
    if (!enc->frame_ || !enc->hwFrame_)
        return fail(ErrorCode::OutOfMemory, "cannot allocate an AVFrame");
    return enc;
}

Result<void> Encoder::setUpInput() {
    AVCodecContext* c = ctx_.get();
    const AVCodec* codec = c->codec;
    const enum AVPixelFormat* formats = nullptr;
    int count = 0;
    avcodec_get_supported_config(c, codec, AV_CODEC_CONFIG_PIX_FORMAT, 0,
                                 reinterpret_cast<const void**>(&formats), &count);
    auto supports = [&](AVPixelFormat f) {
        if (!formats)
            return f == AV_PIX_FMT_NV12 || f == AV_PIX_FMT_YUV420P; // encoder does not say
        for (int i = 0; i < count; ++i)
            if (formats[i] == f)
                return true;
        return false;
    };
    if (supports(AV_PIX_FMT_NV12)) {
        input_ = Input::Nv12;
        c->pix_fmt = AV_PIX_FMT_NV12;
        return {};
    }
    if (supports(AV_PIX_FMT_YUV420P)) {
        input_ = Input::Yuv420p;
        c->pix_fmt = AV_PIX_FMT_YUV420P;
        chromaStride_ = int((c->width / 2 + 63) & ~63);
        chromaPool_ = av_buffer_pool_init(size_t(chromaStride_) * size_t((c->height + 1) / 2), av_buffer_alloc);
        if (!chromaPool_)
            return fail(ErrorCode::OutOfMemory, "cannot allocate the chroma buffer pool");
        return {};
    }
    // Hardware encoders that take only their own frames: upload NV12 into a frames pool.
    for (int i = 0;; ++i) {
        const AVCodecHWConfig* hw = avcodec_get_hw_config(codec, i);
        if (!hw)
            break;
        if (!(hw->methods & AV_CODEC_HW_CONFIG_METHOD_HW_FRAMES_CTX))
            continue;
        std::string device;
        if (hw->device_type == AV_HWDEVICE_TYPE_VAAPI) {
            device = firstRenderNode();
            if (device.empty())
                return fail(ErrorCode::Unsupported, std::format("{}: no /dev/dri/renderD* node", codec->name));
        }
        AVBufferRef* dev = nullptr;
        int ret = av_hwdevice_ctx_create(&dev, hw->device_type, device.empty() ? nullptr : device.c_str(), nullptr, 0);
        if (ret < 0)
            return std::unexpected(avError(ret, std::format("{}: cannot open a {} device{}", codec->name,
                                                            av_hwdevice_get_type_name(hw->device_type),
                                                            device.empty() ? "" : " at " + device)));
        hwDevice_.reset(dev);
        AVBufferRef* framesRef = av_hwframe_ctx_alloc(dev);
        if (!framesRef)
            return fail(ErrorCode::OutOfMemory, "cannot allocate a hardware frames context");
        hwFrames_.reset(framesRef);
        auto* frames = reinterpret_cast<AVHWFramesContext*>(framesRef->data);
        frames->format = hw->pix_fmt;
        frames->sw_format = AV_PIX_FMT_NV12;
        frames->width = c->width;
        frames->height = c->height;
        frames->initial_pool_size = 8;
        ret = av_hwframe_ctx_init(framesRef);
        if (ret < 0)
            return std::unexpected(avError(ret, std::format("{}: cannot create {}x{} NV12 {} frames", codec->name,
                                                            c->width, c->height,
                                                            av_hwdevice_get_type_name(hw->device_type))));
        c->hw_frames_ctx = av_buffer_ref(framesRef);
        c->pix_fmt = hw->pix_fmt;
        input_ = Input::HwUpload;
        return {};
    }
    return fail(ErrorCode::Unsupported, std::format("{} takes neither NV12, YUV420P nor hardware frames", codec->name));
}

Result<void> Encoder::send(RecordFrame&& in, int64_t pts, int64_t duration, bool keyframe) {
    AVFrame* f = frame_.get();
    av_frame_unref(f);
    f->format = AV_PIX_FMT_NV12;
    f->width = int(in.width);
    f->height = int(in.height);
    f->pts = pts;
    f->duration = duration;
    f->pict_type = keyframe ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    if (keyframe)
        f->flags |= AV_FRAME_FLAG_KEY;
    f->color_range = ctx_->color_range;
    f->colorspace = ctx_->colorspace;
    f->color_primaries = ctx_->color_primaries;
    f->color_trc = ctx_->color_trc;
    f->chroma_location = ctx_->chroma_sample_location;

    uint8_t* y = in.y();
    uint8_t* uv = in.uv();
    const int yStride = int(in.yStride);
    const int uvStride = int(in.uvStride);
    const int width = int(in.width);
    const int height = int(in.height);
    const size_t bytes = in.storage.size();
    uint8_t* base = in.storage.data();
    auto* holder = new RecordFrame(std::move(in));
    AVBufferRef* buf = av_buffer_create(base, bytes, releaseFrame, holder, 0);
    if (!buf) {
        delete holder;
        return fail(ErrorCode::OutOfMemory, "cannot wrap a frame buffer");
    }
    f->buf[0] = buf;

    if (input_ == Input::Yuv420p) {
        // Y is referenced as is; CbCr is split into pooled U and V planes.
        f->format = AV_PIX_FMT_YUV420P;
        f->data[0] = y;
        f->linesize[0] = yStride;
        AVBufferRef* u = av_buffer_pool_get(chromaPool_);
        AVBufferRef* v = av_buffer_pool_get(chromaPool_);
        if (!u || !v) {
            av_buffer_unref(&u);
            av_buffer_unref(&v);
            return fail(ErrorCode::OutOfMemory, "cannot allocate chroma planes");
        }
        f->buf[1] = u;
        f->buf[2] = v;
        f->data[1] = u->data;
        f->data[2] = v->data;
        f->linesize[1] = f->linesize[2] = chromaStride_;
        libyuv::SplitUVPlane(uv, uvStride, u->data, chromaStride_, v->data, chromaStride_, (width + 1) / 2,
                             (height + 1) / 2);
    } else {
        f->data[0] = y;
        f->data[1] = uv;
        f->linesize[0] = yStride;
        f->linesize[1] = uvStride;
    }

    AVFrame* toSend = f;
    if (input_ == Input::HwUpload) {
        AVFrame* hw = hwFrame_.get();
        av_frame_unref(hw);
        int ret = av_hwframe_get_buffer(hwFrames_.get(), hw, 0);
        if (ret < 0)
            return std::unexpected(avError(ret, std::format("{}: no hardware frame free", name())));
        ret = av_hwframe_transfer_data(hw, f, 0);
        if (ret < 0)
            return std::unexpected(avError(ret, std::format("{}: uploading a frame failed", name())));
        av_frame_copy_props(hw, f);
        av_frame_unref(f);
        toSend = hw;
    }
    const int ret = avcodec_send_frame(ctx_.get(), toSend);
    av_frame_unref(toSend);
    if (ret < 0)
        return std::unexpected(avError(ret, std::format("{}: encoding a frame failed", name())));
    return {};
}

Result<void> Encoder::sendEnd() {
    const int ret = avcodec_send_frame(ctx_.get(), nullptr);
    if (ret < 0 && ret != AVERROR_EOF)
        return std::unexpected(avError(ret, std::format("{}: flushing the encoder failed", name())));
    return {};
}

Result<bool> Encoder::receive(AVPacket* packet) {
    const int ret = avcodec_receive_packet(ctx_.get(), packet);
    if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
        return false;
    if (ret < 0)
        return std::unexpected(avError(ret, std::format("{}: encoding failed", name())));
    return true;
}

} // namespace rearview::record
