// SPDX-License-Identifier: MIT
#include "record/av_support.hpp"

#include "core/log.hpp"

#include <cerrno>
#include <cstdio>
#include <format>
#include <mutex>
#include <utility>

extern "C" {
#include <libavutil/error.h>
#include <libavutil/log.h>
}

namespace rearview::record {
namespace {

thread_local std::string lastError;

void forward(void* avcl, int level, const char* fmt, va_list args) {
    if (level > AV_LOG_WARNING)
        return;
    char line[1024];
    int printPrefix = 0; // no "[encoder @ 0x...]" prefix: messages end up in Error texts
    av_log_format_line2(avcl, level, fmt, args, line, sizeof line, &printPrefix);
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
        text.remove_suffix(1);
    if (text.empty())
        return;
    if (level <= AV_LOG_ERROR)
        lastError.assign(text);
    log::debug("ffmpeg: {}", text);
}

} // namespace

std::string avErrorText(int averror) {
    char buf[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(averror, buf, sizeof buf);
    return buf;
}

Error avError(int averror, std::string_view what) {
    ErrorCode code = ErrorCode::Internal;
    switch (averror) {
    case AVERROR(ENOSPC):
    case AVERROR(EIO):
    case AVERROR(EDQUOT):
    case AVERROR(EFBIG):
    case AVERROR(EROFS):
    case AVERROR(EACCES):
    case AVERROR(EPERM):
        code = ErrorCode::Io;
        break;
    case AVERROR(ENOMEM): code = ErrorCode::OutOfMemory; break;
    case AVERROR(ENOENT):
    case AVERROR_ENCODER_NOT_FOUND: code = ErrorCode::NotFound; break;
    case AVERROR(EINVAL): code = ErrorCode::InvalidArgument; break;
    case AVERROR(ENOSYS):
    case AVERROR_PATCHWELCOME: code = ErrorCode::Unsupported; break;
    default: break;
    }
    std::string message = std::format("{}: {}", what, avErrorText(averror));
    if (std::string detail = takeLastAvLogError(); !detail.empty())
        message += std::format(" ({})", detail);
    return Error{code, std::move(message)};
}

void installAvLogForwarding() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_callback(forward); });
}

std::string takeLastAvLogError() { return std::exchange(lastError, {}); }

} // namespace rearview::record
