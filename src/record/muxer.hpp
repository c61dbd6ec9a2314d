// SPDX-License-Identifier: MIT
// One MP4 output file (fragmented by default) for one encoded video stream.
#pragma once

#include "record/av_support.hpp"

#include <rearview/error.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace rearview::record {

/// Writes packets of one encoder into an MP4 file. Fragmented files (empty moov, a moof+mdat
/// per fragment) are flushed to the kernel at every fragment, so the file is readable up to
/// its last fragment whatever happens to the process.
class Muxer {
public:
    /// Creates `path` (truncating it) and writes the header. `encoder` must be open.
    static Result<std::unique_ptr<Muxer>> open(const std::string& path, const AVCodecContext* encoder, bool fragmented);
    ~Muxer();
    Muxer(const Muxer&) = delete;
    Muxer& operator=(const Muxer&) = delete;

    /// Writes one packet (timestamps in `timeBase`). In a fragmented file a keyframe first
    /// closes the current fragment.
    Result<void> write(AVPacket* packet, AVRational timeBase);
    /// Writes out the current fragment and flushes it to the kernel.
    Result<void> flushFragment();
    /// Writes the trailer and closes the file.
    Result<void> finish();
    /// After a failed write: closes the file and cuts it back to its last complete fragment,
    /// so what is there plays cleanly. Safe to call more than once.
    void abandon();

    /// Bytes of the file known to be complete on disk (header and flushed fragments).
    uint64_t bytesWritten() const noexcept { return goodBytes_; }
    const std::string& path() const noexcept { return path_; }

private:
    Muxer() = default;
    Result<void> checkIo(int ret, std::string_view what);

    std::string path_;
    AVFormatContext* ctx_ = nullptr;
    AVStream* stream_ = nullptr;
    bool fragmented_ = true;
    bool anyPacket_ = false;
    bool closed_ = false;
    uint64_t goodBytes_ = 0;
};

} // namespace rearview::record
