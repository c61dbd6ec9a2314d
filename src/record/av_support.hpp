// SPDX-License-Identifier: MIT
// libav* helpers shared by the record sources: owners, AVERROR → Error, log forwarding.
#pragma once

#include <rearview/error.hpp>

#include <memory>
#include <string>
#include <string_view>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
}

namespace rearview::record {

struct CodecContextDeleter {
    void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct FrameDeleter {
    void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
struct PacketDeleter {
    void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct BufferRefDeleter {
    void operator()(AVBufferRef* b) const noexcept { av_buffer_unref(&b); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using BufferRefPtr = std::unique_ptr<AVBufferRef, BufferRefDeleter>;

/// av_strerror's text for an AVERROR code.
std::string avErrorText(int averror);

/// An Error for a failed libav* call: "<what>: <av_strerror text>[ (<last libav error line>)]".
/// ENOSPC/EIO-like codes map to ErrorCode::Io, ENOMEM to OutOfMemory, ENOENT to NotFound.
Error avError(int averror, std::string_view what);

/// Routes libav* log lines into rearview's log (debug level, "ffmpeg: " prefixed) so that
/// expected failures while probing encoders do not reach stderr, and remembers the last
/// error line per thread. Installed once per process.
void installAvLogForwarding();

/// The last libav* error-level line logged on this thread (empty if none); cleared by the call.
std::string takeLastAvLogError();

} // namespace rearview::record
