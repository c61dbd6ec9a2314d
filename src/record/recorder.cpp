// SPDX-License-Identifier: MIT
#include "record/recorder.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "record/encoder.hpp"
#include "record/encoder_select.hpp"
#include "record/muxer.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <format>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

namespace rearview {

RecordSize sizeOf(RecordResolution resolution) noexcept {
    switch (resolution) {
    case RecordResolution::Uhd8K: return {7680, 4320};
    case RecordResolution::Uhd4K: return {3840, 2160};
    case RecordResolution::Fhd: return {1920, 1080};
    case RecordResolution::Auto: return {};
    }
    return {};
}

std::string_view toString(RecordResolution resolution) noexcept {
    switch (resolution) {
    case RecordResolution::Uhd8K: return "8k";
    case RecordResolution::Uhd4K: return "4k";
    case RecordResolution::Fhd: return "1080p";
    case RecordResolution::Auto: return "auto";
    }
    return "?";
}

std::string_view toString(RecordCodec codec) noexcept { return codec == RecordCodec::Hevc ? "hevc" : "h264"; }

std::string_view toString(OverloadPolicy policy) noexcept {
    return policy == OverloadPolicy::DropOldest ? "drop-oldest" : "halve-rate";
}

std::string_view toString(RecordPriority priority) noexcept {
    switch (priority) {
    case RecordPriority::Protected: return "protected";
    case RecordPriority::Normal: return "normal";
    case RecordPriority::Background: return "background";
    }
    return "?";
}

namespace record {
namespace {

AVPacket* pkt(void* p) { return static_cast<AVPacket*>(p); }

// "clip.mp4" → "clip-007.mp4"; a "%d" / "%03d" in the path is replaced by the index instead.
std::string expandSegment(const std::string& path, uint32_t index) {
    const size_t pct = path.find('%');
    if (pct != std::string::npos) {
        size_t i = pct + 1;
        bool zero = false;
        if (i < path.size() && path[i] == '0') {
            zero = true;
            ++i;
        }
        int width = 0;
        while (i < path.size() && path[i] >= '0' && path[i] <= '9')
            width = width * 10 + (path[i++] - '0');
        if (i < path.size() && path[i] == 'd') {
            std::string number = std::to_string(index);
            if (int(number.size()) < width)
                number.insert(0, size_t(width) - number.size(), zero ? '0' : ' ');
            return path.substr(0, pct) + number + path.substr(i + 1);
        }
    }
    const std::filesystem::path p(path);
    const std::string ext = p.extension().string();
    const std::string stem = path.substr(0, path.size() - ext.size());
    return std::format("{}-{:03}{}", stem, index, ext.empty() ? ".mp4" : ext);
}

Result<void> checkWritable(const std::string& file) {
    namespace fs = std::filesystem;
    const fs::path p(file);
    fs::path dir = p.parent_path();
    if (dir.empty())
        dir = ".";
    std::error_code ec;
    if (!fs::exists(dir, ec))
        return fail(ErrorCode::NotFound, std::format("cannot record to '{}': directory '{}' does not exist", file,
                                                     dir.string()));
    if (!fs::is_directory(dir, ec))
        return fail(ErrorCode::InvalidArgument,
                    std::format("cannot record to '{}': '{}' is not a directory", file, dir.string()));
    if (::access(dir.c_str(), W_OK) != 0)
        return fail(ErrorCode::Io, std::format("cannot record to '{}': directory '{}' is not writable: {}", file,
                                               dir.string(), std::strerror(errno)));
    if (fs::is_directory(p, ec))
        return fail(ErrorCode::InvalidArgument, std::format("cannot record to '{}': it is a directory", file));
    // Create it once to find out (root passes access() where the filesystem still refuses).
    const bool existed = fs::exists(p, ec);
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fail(ErrorCode::Io,
                    std::format("cannot record to '{}': {}", file, std::strerror(errno)));
    ::close(fd);
    if (!existed)
        ::unlink(file.c_str());
    return {};
}

} // namespace

std::string Recorder::segmentPath(uint32_t index) const {
    return options_.segmentSeconds > 0 ? expandSegment(options_.path, index) : options_.path;
}

Result<std::unique_ptr<Recorder>> Recorder::create(const RecordOptions& options, uint32_t width, uint32_t height,
                                                   ColorSpace colorSpace) {
    if (options.path.empty())
        return fail(ErrorCode::InvalidArgument, "RecordOptions::path is empty");
    if (!(options.frameRate > 0 && options.frameRate <= 480))
        return fail(ErrorCode::InvalidArgument,
                    std::format("frame rate {} is out of range (0, 480]", options.frameRate));
    if (!(options.fragmentSeconds > 0 && options.fragmentSeconds <= 60))
        return fail(ErrorCode::InvalidArgument,
                    std::format("fragment length {} s is out of range (0, 60]", options.fragmentSeconds));
    if (!(options.segmentSeconds >= 0))
        return fail(ErrorCode::InvalidArgument, std::format("segment length {} s is negative", options.segmentSeconds));
    if (options.segmentSeconds > 0 && options.segmentSeconds < 1.0 / options.frameRate)
        return fail(ErrorCode::InvalidArgument,
                    std::format("segment length {} s is shorter than one frame", options.segmentSeconds));
    if (options.queueCapacity == 0 || options.queueCapacity > 256)
        return fail(ErrorCode::InvalidArgument,
                    std::format("queue capacity {} is out of range [1, 256]", options.queueCapacity));
    if (options.bitrate < 0)
        return fail(ErrorCode::InvalidArgument, std::format("bitrate {} is negative", options.bitrate));
    if (options.quality < -1 || options.quality > 63)
        return fail(ErrorCode::InvalidArgument,
                    std::format("quality {} is out of range (-1 = default, 0..51 typical)", options.quality));
    if (options.resolution == RecordResolution::Auto)
        return fail(ErrorCode::InvalidArgument,
                    "RecordResolution::Auto is resolved by Viewfinder::startRecording(); a Recorder records one "
                    "fixed size (8k, 4k or 1080p)");
    const RecordSize size = sizeOf(options.resolution);
    if (width != size.width || height != size.height)
        return fail(ErrorCode::InvalidArgument,
                    std::format("frames are {}x{} but the recording is {} ({}x{}): the record branch must scale "
                                "to the recording size",
                                width, height, toString(options.resolution), size.width, size.height));

    std::unique_ptr<Recorder> r(new Recorder);
    r->options_ = options;
    r->width_ = width;
    r->height_ = height;
    const std::string firstPath = r->segmentPath(0);
    if (auto ok = checkWritable(firstPath); !ok)
        return std::unexpected(ok.error());

    auto selected = selectEncoder(options, encoderConfig(options, width, height, colorSpace));
    if (!selected)
        return std::unexpected(selected.error());
    r->encoder_ = std::move(selected->encoder);
    r->stats_.encoder = selected->name;
    r->stats_.encoderReason = selected->reason;
    r->stats_.hardware = selected->hardware;

    if (auto ok = r->openSegment(); !ok)
        return std::unexpected(ok.error());
    r->packet_ = av_packet_alloc();
    if (!r->packet_)
        return fail(ErrorCode::OutOfMemory, "cannot allocate an AVPacket");
    r->pool_ = std::make_unique<FramePool>(width, height, options.queueCapacity + 3);
    r->frameDuration_ = std::max<int64_t>(1, std::llround(kTimeBase.den / options.frameRate));
    r->nextSegmentPts_ = std::llround(options.segmentSeconds * kTimeBase.den);
    r->stats_.recording = true;
    log::info("record: {} {}x{} {:.3g} fps {} to {} ({}, queue {}, {})", toString(options.resolution), width, height,
              options.frameRate, r->stats_.encoder, firstPath, options.fragmented ? "fragmented MP4" : "MP4",
              options.queueCapacity, toString(options.overload));
    r->thread_ = std::thread([rec = r.get()] { rec->run(); });
    return r;
}

Recorder::~Recorder() {
    (void)stop();
    av_packet_free(reinterpret_cast<AVPacket**>(&packet_));
}

Result<void> Recorder::openSegment() {
    const std::string path = segmentPath(segmentIndex_);
    if (segmentIndex_ > 0) {
        if (auto ok = checkWritable(path); !ok)
            return ok;
    }
    auto muxer = Muxer::open(path, encoder_->context(), options_.fragmented);
    if (!muxer)
        return std::unexpected(muxer.error());
    muxer_ = std::move(*muxer);
    std::lock_guard lock(mutex_);
    stats_.files.push_back(path);
    return {};
}

std::optional<RecordFrame> Recorder::acquireFrame() {
    if (auto f = pool_->acquire())
        return f;
    std::optional<RecordFrame> stolen;
    {
        std::lock_guard lock(mutex_);
        if (!queue_.empty()) {
            stolen = std::move(queue_.front());
            queue_.pop_front();
            stats_.queueDepth = uint32_t(queue_.size());
        } else {
            ++stats_.framesSubmitted;
        }
        ++stats_.framesDropped;
        stats_.keepsUp = false;
    }
    if (stolen)
        stolen->timestampNs = 0;
    return stolen;
}

bool Recorder::submit(RecordFrame&& frame) {
    RecordFrame incoming = std::move(frame); // released after the lock when not queued
    std::optional<RecordFrame> evicted;
    bool queued = false;
    bool wrongSize = false;
    {
        std::lock_guard lock(mutex_);
        ++stats_.framesSubmitted;
        if (stopped_ || stopping_) {
            ++stats_.framesDiscarded;
        } else if (incoming.width != width_ || incoming.height != height_ || !incoming.valid()) {
            ++stats_.framesDiscarded;
            wrongSize = true;
        } else {
            const uint32_t cap = options_.queueCapacity;
            const size_t depth = queue_.size();
            bool accept = true;
            if (options_.overload == OverloadPolicy::HalveRate) {
                if (depth * 2 > cap) {
                    if (rateDivisor_ == 1 || (rateDivisor_ < 16 && stats_.framesSubmitted - lastHalvingAt_ >= cap)) {
                        rateDivisor_ *= 2;
                        lastHalvingAt_ = stats_.framesSubmitted;
                        rateCounter_ = 0;
                    }
                } else if (depth * 4 <= cap) {
                    rateDivisor_ = 1;
                }
                if (rateDivisor_ > 1 && (rateCounter_++ % rateDivisor_) != 0)
                    accept = false;
            }
            if (!accept) {
                ++stats_.framesDropped;
                stats_.keepsUp = false;
            } else {
                if (queue_.size() >= cap) {
                    evicted = std::move(queue_.front());
                    queue_.pop_front();
                    ++stats_.framesDropped;
                    stats_.keepsUp = false;
                }
                queue_.push_back(std::move(incoming));
                queued = true;
                stats_.queueDepth = uint32_t(queue_.size());
                stats_.queueDepthMax = std::max(stats_.queueDepthMax, stats_.queueDepth);
            }
        }
    }
    if (wrongSize)
        log::warn("record: frame {}x{} does not match the recording's {}x{} (or its layout does not fit its "
                  "buffer); not recorded", incoming.width, incoming.height, width_, height_);
    if (queued)
        wake_.notify_one();
    return queued;
}

void Recorder::run() {
    pthread_setname_np(pthread_self(), "rv-encode");
    for (;;) {
        RecordFrame frame;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                break;
            frame = std::move(queue_.front());
            queue_.pop_front();
            stats_.queueDepth = uint32_t(queue_.size());
        }
        if (!encodeOne(std::move(frame)))
            return;
    }
    finishAll();
}

bool Recorder::encodeOne(RecordFrame&& frame) {
    const uint64_t t0 = monotonicNs();
    if (!haveFirst_) {
        haveFirst_ = true;
        firstNs_ = frame.timestampNs;
        startNs_ = t0;
    }
    int64_t pts = frame.timestampNs > firstNs_
                      ? av_rescale(int64_t(frame.timestampNs - firstNs_), kTimeBase.den, 1'000'000'000)
                      : 0;
    if (pts <= lastPts_)
        pts = lastPts_ + 1; // timestamps must rise; a repeated or backwards sensor time moves one tick on
    lastPts_ = pts;
    bool keyframe = false;
    if (options_.segmentSeconds > 0 && sentFrames_ > 0 && pts >= nextSegmentPts_) {
        keyframe = true;
        segmentStarts_.push_back(pts);
        const int64_t step = std::max<int64_t>(1, std::llround(options_.segmentSeconds * kTimeBase.den));
        while (nextSegmentPts_ <= pts)
            nextSegmentPts_ += step;
    }
    if (auto ok = encoder_->send(std::move(frame), pts, frameDuration_, keyframe); !ok) {
        failWith(ok.error());
        return false;
    }
    ++sentFrames_;
    const bool ok = drainPackets();
    busySeconds_ += double(monotonicNs() - t0) * 1e-9;
    return ok;
}

bool Recorder::drainPackets() {
    AVPacket* p = pkt(packet_);
    for (;;) {
        auto got = encoder_->receive(p);
        if (!got) {
            failWith(got.error());
            return false;
        }
        if (!*got)
            return true;
        if (!segmentStarts_.empty() && (p->flags & AV_PKT_FLAG_KEY) && p->pts >= segmentStarts_.front()) {
            segmentStarts_.pop_front();
            auto finished = muxer_->finish();
            const uint64_t bytes = muxer_->bytesWritten();
            if (!finished) {
                av_packet_unref(p);
                failWith(finished.error());
                return false;
            }
            finishedBytes_ += bytes;
            ++segmentIndex_;
            if (auto opened = openSegment(); !opened) {
                av_packet_unref(p);
                failWith(opened.error());
                return false;
            }
        }
        const int64_t pts = p->pts;
        const int64_t end = p->pts + (p->duration > 0 ? p->duration : frameDuration_); // libx265 leaves it 0
        auto written = muxer_->write(p, kTimeBase);
        av_packet_unref(p);
        if (!written) {
            failWith(written.error());
            return false;
        }
        if (firstPts_ < 0 || pts < firstPts_)
            firstPts_ = pts;
        endPts_ = std::max(endPts_, end);
        const uint64_t now = monotonicNs();
        std::lock_guard lock(mutex_);
        ++stats_.framesEncoded;
        stats_.bytesWritten = finishedBytes_ + muxer_->bytesWritten();
        stats_.durationSeconds = double(endPts_ - firstPts_) / kTimeBase.den;
        if (busySeconds_ > 0)
            stats_.encodeFps = double(stats_.framesEncoded) / busySeconds_;
        if (now > startNs_)
            stats_.encodedFps = double(stats_.framesEncoded) / (double(now - startNs_) * 1e-9);
    }
}

bool Recorder::finishAll() {
    const uint64_t t0 = monotonicNs();
    if (auto ok = encoder_->sendEnd(); !ok) {
        failWith(ok.error());
        return false;
    }
    if (!drainPackets())
        return false;
    busySeconds_ += double(monotonicNs() - t0) * 1e-9;
    auto finished = muxer_->finish();
    if (!finished) {
        failWith(finished.error());
        return false;
    }
    std::lock_guard lock(mutex_);
    stats_.bytesWritten = finishedBytes_ + muxer_->bytesWritten();
    if (busySeconds_ > 0)
        stats_.encodeFps = double(stats_.framesEncoded) / busySeconds_;
    if (stats_.framesEncoded >= 5 && stats_.encodeFps < 0.95 * options_.frameRate)
        stats_.keepsUp = false;
    stopped_ = true;
    stats_.recording = false;
    stats_.framesDiscarded = stats_.framesSubmitted - stats_.framesEncoded - stats_.framesDropped;
    log::info("record: {} frames ({} dropped) in {} file(s), {:.1f} s, {} bytes, encoder {:.1f} fps",
              stats_.framesEncoded, stats_.framesDropped, stats_.files.size(), stats_.durationSeconds,
              stats_.bytesWritten, stats_.encodeFps);
    return true;
}

void Recorder::failWith(Error error) {
    log::error("record: recording stopped: {}", error.message);
    if (muxer_)
        muxer_->abandon();
    std::deque<RecordFrame> discarded;
    StoppedCallback callback;
    {
        std::lock_guard lock(mutex_);
        discarded.swap(queue_);
        stopped_ = true;
        stats_.recording = false;
        stats_.queueDepth = 0;
        stats_.keepsUp = false;
        stats_.error = error.message;
        if (muxer_)
            stats_.bytesWritten = finishedBytes_ + muxer_->bytesWritten();
        stats_.framesDiscarded = stats_.framesSubmitted - stats_.framesEncoded - stats_.framesDropped;
        error_ = error;
        callback = stoppedCallback_;
    }
    if (callback)
        callback(error);
}

Result<void> Recorder::stop() {
    std::lock_guard stopLock(stopMutex_);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable())
        thread_.join();
    std::lock_guard lock(mutex_);
    stats_.recording = false;
    stopped_ = true;
    stats_.framesDiscarded = stats_.framesSubmitted - stats_.framesEncoded - stats_.framesDropped;
    if (error_)
        return std::unexpected(*error_);
    return {};
}

RecordStats Recorder::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

bool Recorder::recording() const {
    std::lock_guard lock(mutex_);
    return !stopped_ && !stopping_;
}

std::optional<Error> Recorder::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void Recorder::onStopped(StoppedCallback callback) {
    std::optional<Error> already;
    {
        std::lock_guard lock(mutex_);
        stoppedCallback_ = callback;
        already = error_;
    }
    if (already && callback)
        callback(*already);
}

} // namespace record
} // namespace rearview
