// SPDX-License-Identifier: MIT
#include "record/muxer.hpp"

#include "core/log.hpp"

#include <format>

#include <unistd.h>

extern "C" {
#include <libavformat/avio.h>
}

namespace rearview::record {

Muxer::~Muxer() {
    if (!closed_)
        abandon();
    avformat_free_context(ctx_);
}

Result<std::unique_ptr<Muxer>> Muxer::open(const std::string& path, const AVCodecContext* encoder, bool fragmented) {
    installAvLogForwarding();
    takeLastAvLogError();
    std::unique_ptr<Muxer> m(new Muxer);
    m->path_ = path;
    m->fragmented_ = fragmented;
    int ret = avformat_alloc_output_context2(&m->ctx_, nullptr, "mp4", path.c_str());
    if (ret < 0 || !m->ctx_)
        return std::unexpected(avError(ret, std::format("cannot set up an MP4 writer for '{}'", path)));
    m->stream_ = avformat_new_stream(m->ctx_, nullptr);
    if (!m->stream_)
        return fail(ErrorCode::OutOfMemory, "cannot add a video stream");
    ret = avcodec_parameters_from_context(m->stream_->codecpar, encoder);
    if (ret < 0)
        return std::unexpected(avError(ret, "cannot copy the encoder parameters"));
    m->stream_->time_base = encoder->time_base;
    m->stream_->avg_frame_rate = encoder->framerate;
    if (encoder->codec_id == AV_CODEC_ID_HEVC)
        m->stream_->codecpar->codec_tag = MKTAG('h', 'v', 'c', '1'); // what Apple players need

    ret = avio_open(&m->ctx_->pb, path.c_str(), AVIO_FLAG_WRITE);
    if (ret < 0) {
        m->closed_ = true;
        return std::unexpected(avError(ret, std::format("cannot create recording file '{}'", path)));
    }
    AVDictionary* opts = nullptr;
    if (fragmented)
        av_dict_set(&opts, "movflags", "+frag_keyframe+empty_moov+default_base_moof+frag_discont", 0);
    // Keep the recording's own timeline: a segment after the first starts at its first frame's
    // time (tfdt), not at zero, and no edit list shifts it.
    av_dict_set(&opts, "use_editlist", "0", 0);
    m->ctx_->avoid_negative_ts = AVFMT_AVOID_NEG_TS_MAKE_NON_NEGATIVE;
    ret = avformat_write_header(m->ctx_, &opts);
    av_dict_free(&opts);
    if (ret < 0) {
        m->abandon();
        return std::unexpected(avError(ret, std::format("cannot write the MP4 header of '{}'", path)));
    }
    if (auto ok = m->checkIo(0, "writing the header"); !ok) {
        m->abandon();
        return std::unexpected(ok.error());
    }
    return m;
}

Result<void> Muxer::checkIo(int ret, std::string_view what) {
    if (ret >= 0 && ctx_->pb)
        ret = ctx_->pb->error;
    if (ret < 0)
        return std::unexpected(avError(ret, std::format("{} of '{}' failed", what, path_)));
    return {};
}

Result<void> Muxer::write(AVPacket* packet, AVRational timeBase) {
    if (closed_)
        return fail(ErrorCode::Internal, std::format("'{}' is already closed", path_));
    if (fragmented_ && anyPacket_ && (packet->flags & AV_PKT_FLAG_KEY)) {
        if (auto ok = flushFragment(); !ok)
            return ok;
    }
    av_packet_rescale_ts(packet, timeBase, stream_->time_base);
    packet->stream_index = stream_->index;
    const int ret = av_write_frame(ctx_, packet);
    anyPacket_ = true;
    return checkIo(ret, "writing video");
}

Result<void> Muxer::flushFragment() {
    int ret = av_write_frame(ctx_, nullptr); // movenc: write out the buffered fragment
    if (ret >= 0) {
        avio_flush(ctx_->pb);
        ret = ctx_->pb->error;
    }
    if (auto ok = checkIo(ret, "writing a fragment"); !ok)
        return ok;
    goodBytes_ = uint64_t(avio_tell(ctx_->pb));
    return {};
}

Result<void> Muxer::finish() {
    if (closed_)
        return {};
    int ret = av_write_trailer(ctx_);
    if (ret >= 0) {
        avio_flush(ctx_->pb);
        ret = ctx_->pb->error;
    }
    if (ret < 0) {
        auto err = checkIo(ret, "finishing");
        abandon();
        return err;
    }
    goodBytes_ = uint64_t(avio_tell(ctx_->pb));
    ret = avio_closep(&ctx_->pb);
    closed_ = true;
    if (ret < 0)
        return std::unexpected(avError(ret, std::format("closing '{}' failed", path_)));
    return {};
}

void Muxer::abandon() {
    if (closed_)
        return;
    closed_ = true;
    if (ctx_ && ctx_->pb) {
        ctx_->pb->error = 0; // drop what is still buffered rather than writing it now
        ctx_->pb->buf_ptr = ctx_->pb->buffer;
        ctx_->pb->buf_ptr_max = ctx_->pb->buffer;
        avio_closep(&ctx_->pb);
    }
    if (fragmented_ && ::truncate(path_.c_str(), off_t(goodBytes_)) != 0)
        log::warn("record: cannot cut '{}' back to its last complete fragment", path_);
}

} // namespace rearview::record
