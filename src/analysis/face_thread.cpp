// SPDX-License-Identifier: MIT
#include "analysis/face_thread.hpp"

#include "core/log.hpp"
#include "core/thread_priority.hpp"

#include "core/clock.hpp"

#include <algorithm>
#include <chrono>
#include <pthread.h>

namespace rearview::analysis {

Result<std::unique_ptr<FaceThread>> FaceThread::create(const FaceDetectorOptions& detector,
                                                       const FaceTrackerOptions& tracker) {
    auto d = FaceDetector::create(detector);
    if (!d)
        return std::unexpected(d.error());
    return std::unique_ptr<FaceThread>(new FaceThread(std::move(*d), tracker));
}

FaceThread::FaceThread(FaceDetector detector, const FaceTrackerOptions& tracker)
    : detector_(std::move(detector)), tracker_(tracker) {
    thread_ = std::thread([this] {
        // Face analysis is optional panel work: the panel's processing priority, as are the
        // detector's own worker threads, started from here.
        if (auto r = setThreadPriority(ThreadPriority::Processing); !r)
            log::debug("face thread: {}", r.error().message);
        run();
    });
    pthread_setname_np(thread_.native_handle(), "rv-faces");
}

FaceThread::~FaceThread() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    thread_.join();
}

void FaceThread::submit(RgbaImage image, uint64_t frameTimestampNs) {
    enqueue({std::move(image), frameTimestampNs});
}

void FaceThread::submit(Thumbnail thumbnail, uint64_t frameTimestampNs) {
    enqueue({std::move(thumbnail), frameTimestampNs});
}

void FaceThread::enqueue(Job job) {
    {
        std::lock_guard lock(mutex_);
        ++stats_.submitted;
        if (pending_)
            ++stats_.replaced;
        pending_ = std::move(job);
    }
    changed_.notify_all();
}

std::vector<FaceBox> FaceThread::faces() const {
    std::lock_guard lock(mutex_);
    return faces_;
}

void FaceThread::copyFaces(std::vector<FaceBox>& out) const {
    std::lock_guard lock(mutex_);
    out.assign(faces_.begin(), faces_.end());
}

FaceAnalysisStats FaceThread::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

bool FaceThread::waitAnalysed(uint64_t count, int timeoutMs) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::milliseconds(timeoutMs), [&] { return stats_.analysed >= count; });
}

void FaceThread::run() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stop_ || pending_; });
            if (stop_)
                return;
            job = std::move(*pending_);
            pending_.reset();
        }
        const uint64_t start = monotonicNs();
        auto found = std::holds_alternative<RgbaImage>(job.input)
                         ? detector_.detect(std::get<RgbaImage>(job.input))
                         : [&] {
                               const Thumbnail& t = std::get<Thumbnail>(job.input);
                               return detector_.detectThumbnail(t.grey, t.width, t.height, t.stride, t.panelWidth,
                                                                t.panelHeight);
                           }();
        const uint64_t done = monotonicNs();
        std::vector<FaceBox> boxes;
        if (found) {
            tracker_.update(*found);
            boxes = tracker_.boxes();
        }
        {
            std::lock_guard lock(mutex_);
            if (found) {
                faces_ = std::move(boxes);
            } else {
                ++stats_.failures;
            }
            ++stats_.analysed;
            stats_.lastDetectMs = double(done - start) / 1e6;
            stats_.lastLatencyMs = double(done - job.timestampNs) / 1e6;
            stats_.meanLatencyMs += (stats_.lastLatencyMs - stats_.meanLatencyMs) / double(stats_.analysed);
            if (firstStartNs_ == 0)
                firstStartNs_ = start;
            stats_.rateHz = double(stats_.analysed) * 1e9 / double(std::max<uint64_t>(done - firstStartNs_, 1));
        }
        changed_.notify_all();
    }
}

} // namespace rearview::analysis
