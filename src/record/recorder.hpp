// SPDX-License-Identifier: MIT
// The recorder: NV12 frames in CPU memory in, MP4 files out, on its own encoder thread.
#pragma once

#include "record/record_frame.hpp"

#include <rearview/color_space.hpp>
#include <rearview/error.hpp>
#include <rearview/record.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace rearview::record {

class Encoder;
class Muxer;

/// Records NV12 frames to MP4. create() checks everything that can be checked up front
/// (options, frame size, a writable path, an encoder that opens) and creates the first file;
/// submit() never blocks: frames wait in a bounded queue that the encoder thread ("rv-encode")
/// drains, and the overload policy decides which frames are dropped when it cannot keep up.
/// A write or encoder failure stops the recording by itself: what was written stays playable
/// (fragments already flushed), stats().error and the stopped callback say what happened, and
/// submit() keeps returning at once.
class Recorder {
public:
    /// Called once, from the encoder thread, when the recording stops by itself.
    using StoppedCallback = std::function<void(const Error&)>;

    /// `width`×`height` must be the size of options.resolution; `colorSpace` is the frames'
    /// encoding and is written into the stream's colour tags.
    static Result<std::unique_ptr<Recorder>> create(const RecordOptions& options, uint32_t width, uint32_t height,
                                                    ColorSpace colorSpace);
    ~Recorder(); ///< stop()s if still recording
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    /// A frame buffer of the recording's size from the recorder's pool (queueCapacity + 3
    /// buffers). Never blocks: when every buffer is queued or in the encoder, DropOldest takes
    /// the oldest queued frame's buffer (that frame counts as dropped); otherwise nothing is
    /// returned and the frame the caller meant to record counts as submitted and dropped.
    std::optional<RecordFrame> acquireFrame();

    /// Queues a filled frame (pooled or RecordFrame::allocate()d; size must match). Never
    /// blocks. Returns false when the frame was not queued: dropped by the overload policy,
    /// rejected (wrong size) or the recording has stopped.
    bool submit(RecordFrame&& frame);

    /// Encodes what is queued, flushes the encoder, writes the trailer and closes the file.
    /// Returns the error that stopped the recording, if any. Idempotent.
    Result<void> stop();

    /// A consistent snapshot; callable from any thread.
    RecordStats stats() const;
    /// Frames are being accepted (not stopped, no error).
    bool recording() const;
    /// The error that stopped the recording by itself, if any.
    std::optional<Error> error() const;
    /// Set the callback for the recording stopping by itself (called at most once; if it has
    /// already stopped with an error when set, it is called right away on this thread).
    void onStopped(StoppedCallback callback);

private:
    Recorder() = default;
    void run();
    bool encodeOne(RecordFrame&& frame);
    bool drainPackets();
    bool finishAll();
    void failWith(Error error);
    Result<void> openSegment();
    std::string segmentPath(uint32_t index) const;

    RecordOptions options_;
    uint32_t width_ = 0, height_ = 0;
    std::unique_ptr<FramePool> pool_;
    std::unique_ptr<Encoder> encoder_;
    std::unique_ptr<Muxer> muxer_;
    void* packet_ = nullptr; // AVPacket, owned

    // Encoder-thread state.
    bool haveFirst_ = false;
    uint64_t firstNs_ = 0;
    int64_t lastPts_ = -1;
    int64_t frameDuration_ = 3000;
    int64_t nextSegmentPts_ = 0;
    std::deque<int64_t> segmentStarts_; // pts of forced keyframes that start a segment
    uint32_t segmentIndex_ = 0;
    uint64_t finishedBytes_ = 0;
    uint64_t sentFrames_ = 0;
    int64_t firstPts_ = -1;
    int64_t endPts_ = 0;
    double busySeconds_ = 0;
    uint64_t startNs_ = 0;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<RecordFrame> queue_;
    bool stopping_ = false;
    bool stopped_ = false;
    std::optional<Error> error_;
    StoppedCallback stoppedCallback_;
    RecordStats stats_;
    // HalveRate state.
    uint32_t rateDivisor_ = 1;
    uint64_t lastHalvingAt_ = 0;
    uint64_t rateCounter_ = 0;

    std::mutex stopMutex_;
    std::thread thread_;
};

} // namespace rearview::record
