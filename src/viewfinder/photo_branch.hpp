// SPDX-License-Identifier: MIT
// The photo branch of the frame loop: keeps the last camera frames (PhotoRing), and when the
// shutter is pressed takes the one that was on the panel, runs it at full resolution through
// the panel's geometry and stages on a GPU queue of its own, encodes it (JPEG + EXIF) and
// writes it atomically, on a thread of its own at the panel processing's priority, below a
// recording's.
#pragma once

#include "capture/buffer_allocator.hpp"
#include "core/rolling_stats.hpp"
#include "gpu/buffer.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/submitter.hpp"
#include "photo/photo_plan.hpp"
#include "stages/crop_scale.hpp"
#include "stages/stage_chain.hpp"
#include "viewfinder/photo_ring.hpp"

#include <rearview/photo.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>

namespace rearview::viewfinder {

/// Owned by the frame loop for the viewfinder's lifetime.
///
/// Threads: offer() from the pipeline thread only (it never waits for a lock another thread
/// holds for long: at worst the frame is only kept in the ring); request(), cancel(),
/// notice() and stats() from any thread; the work on the branch's own thread ("rv-photo").
///
/// A request is pressed at once, or when its self-timer runs out: the press reads which frame
/// the panel shows (Options::onPanel) and the request wants that frame, then the following
/// ones for a burst. The pipeline thread hands each wanted frame over from the ring as soon
/// as it holds it (or, when the ring no longer holds it, the newest frame, marked as not zero
/// shutter lag). The branch's thread first copies each handed-over frame into memory of its
/// own, so the camera gets its buffer back within milliseconds, then runs the GPU work and
/// the encode one shot at a time. The GPU work runs on a companion device of the panel's
/// processing device, at background queue priority, so the panel's and a recording's work
/// never queue behind a photo's seconds of work.
class PhotoBranch {
public:
    struct Options {
        uint32_t ringFrames = 3;  ///< frames the ring holds (0: every photo takes the next frame)
        /// The sequence of the camera frame the panel shows now (nullopt: none yet).
        std::function<std::optional<uint64_t>()> onPanel;
    };

    /// Starts the branch's thread; the GPU device and its resources are made at the first
    /// photo.
    static std::unique_ptr<PhotoBranch> create(gpu::Device& primary, Options options);
    /// Fails what is still pending (Cancelled) and stops the thread after the shot in hand.
    ~PhotoBranch();
    PhotoBranch(const PhotoBranch&) = delete;
    PhotoBranch& operator=(const PhotoBranch&) = delete;

    /// Any thread: queues a photo with checked `options` (validate()); its result comes through
    /// the future once every shot is written, or its error (a frame's GPU work or encode, the
    /// write, Cancelled).
    /// `model`: the camera's name for EXIF.
    std::future<Result<PhotoResult>> request(const PhotoOptions& options, std::string model);
    /// Any thread: cancels the requests whose shutter has not been pressed yet (a self-timer
    /// counting down, or waiting behind another request); returns how many.
    uint32_t cancel();

    /// Pipeline thread, every camera frame: hands over the frames pressed requests want, and
    /// keeps the frame in the ring with the panel's view of it when the panel processed it
    /// (`forPanel`; only those can be on the panel at a press, so a ring of framesInFlight + 1
    /// holds the one shown however many camera frames the governor sheds).
    void offer(const CapturedFrame& frame, bool forPanel, const CropPlan& panelPlan, const ViewGeometry& geometry,
               const std::shared_ptr<const std::vector<StageParams>>& stages,
               const std::vector<analysis::FaceBox>& faces);
    /// Lets go of the ring's frames (the source is about to stop).
    void releaseRing();

    /// What the panel shows about photos at `nowNs`: the self-timer's countdown ("photo in 3"),
    /// or for a moment after each press the shutter blink; nullopt otherwise.
    std::optional<std::string> notice(uint64_t nowNs) const;
    PhotoStats stats() const;
    /// Any thread: a shot's work (GPU, encode, write) is running. Its threads run at the
    /// lowest priority that still gets time (ThreadPriority::Photo), below a recording's, and
    /// the panel's processing gives way to it while this holds (Governor::yieldToPhoto).
    bool working() const { return working_.load(std::memory_order_relaxed); }

private:
    struct Request {
        uint64_t id = 0;
        PhotoOptions options;
        std::string model;
        std::promise<Result<PhotoResult>> promise;
        uint64_t pressAtNs = 0;        ///< when the shutter is pressed (call time + timer)
        bool pressed = false;
        uint64_t pressNs = 0;
        uint64_t want = 0;             ///< sequence of the first shot's frame (once pressed)
        bool wantAny = false;          ///< no frame was on the panel at the press: the next one
        uint32_t handedOver = 0, written = 0;
        PhotoResult result;
    };
    /// A frame's bytes copied off the camera's buffer, imported for that frame only.
    struct OwnedFrame {
        explicit OwnedFrame(CaptureBuffer b) : buffer(std::move(b)), memory(buffer.memory()) { memory.transient = true; }
        CaptureBuffer buffer;
        BufferMemory memory;
    };
    struct Job {
        uint64_t requestId = 0;
        uint32_t shot = 0;
        bool zeroShutterLag = true;
        RingFrame frame; ///< on the camera's buffer until copyFrame(), then on an OwnedFrame
    };

    explicit PhotoBranch(Options options) : options_(std::move(options)), ring_(options_.ringFrames) {}
    void run(std::stop_token stop, gpu::Device& primary);
    /// Presses the requests whose timer ran out (mutex_ held).
    void pressDue(uint64_t nowNs);
    /// The frame offer() was called with.
    struct Offered {
        const CapturedFrame& frame;
        const CropPlan& panelPlan;
        const ViewGeometry& geometry;
        const std::shared_ptr<const std::vector<StageParams>>& stages;
        const std::vector<analysis::FaceBox>& faces;
        RingFrame ringFrame() const { return {frame, panelPlan, geometry, stages, {faces.begin(), faces.end()}}; }
    };
    /// Hands over the frames pressed requests want, from the ring or `current` (null: the ring
    /// only); ringMutex_ and mutex_ held. Whether any was.
    bool handOver(const Offered* current);
    /// When the next request not yet pressed is (mutex_ held).
    std::optional<uint64_t> nextPressNs() const;
    /// Moves the handed-over jobs off the camera's buffers (branch thread; takes mutex_).
    void copyHandedOver();
    Result<void> copyFrame(Job& job);
    /// One shot from the copied frame to the written file.
    Result<PhotoShot> shoot(const Job& job, const PhotoOptions& options, const std::string& model, uint64_t pressNs,
                            gpu::Device& primary);
    /// The request with `id` (mutex_ held); null when it has ended.
    Request* findRequest(uint64_t id);
    Result<void> ensureDevice(gpu::Device& primary);
    Result<void> ensureSize(const photo::PhotoPlan& photo, const std::vector<photo::Strip>& strips);
    /// Records crop/scale and the chains of every strip of the photo into out_.
    Result<void> recordStrips(VkCommandBuffer cmd, const stages::Nv12Buffer& frame, const photo::PhotoPlan& photo,
                              const std::vector<photo::Strip>& strips,
                              const std::vector<analysis::FaceBox>& faces, uint32_t seed);
    /// Waits for the GPU work `value`, copying handed-over frames meanwhile.
    Result<void> waitGpu(uint64_t value);
    /// Counts a shot, or fails its request; ends the request with its last shot or its error.
    void finishShot(uint64_t requestId, Result<PhotoShot> shot);
    void releaseSizeResources();

    Options options_;

    // The pipeline thread's, and request()'s to hand over the pressed frame at once. Taken
    // before mutex_.
    std::mutex ringMutex_;
    PhotoRing ring_;

    // Branch thread: the device first, so it is destroyed last.
    std::unique_ptr<gpu::Device> device_;
    std::optional<gpu::FrameImporter> importer_;
    std::optional<gpu::Submitter> submitter_;
    std::optional<BufferAllocator> allocator_;
    stages::CropScale cropScale_;
    /// The photo's size-dependent resources, for its image processed in strips
    /// (photo::planStrips(): one strip when it fits one storage buffer binding): a chain per
    /// strip height, the strip's working image (crop/scale's output) and the chain's output,
    /// and the whole image read back (a transfer destination only, so it may be larger than a
    /// binding).
    std::map<uint32_t, stages::StageChain> chains_;
    gpu::Buffer work_, strip_, out_;
    uint32_t width_ = 0, height_ = 0;
    double scale_ = 0;
    std::atomic<bool> working_{false};
    bool gpuPending_ = false; ///< a submission's wait timed out: nothing it uses may go yet
    std::deque<Job> copied_;  ///< handed-over jobs off the camera's buffers, waiting for the GPU

    mutable std::mutex mutex_;
    std::condition_variable_any wake_;
    std::deque<Request> requests_; ///< in order; the front one is the one handed frames
    std::deque<Job> handedOver_;   ///< jobs still on the camera's buffers
    uint64_t nextId_ = 1;
    uint64_t lastPressNs_ = 0;
    PhotoStats stats_;
    RollingStats shutterLag_, pressToWritten_, gpuMs_, encodeMs_;

    std::jthread thread_; ///< last: stopped and joined before the members above go
};

} // namespace rearview::viewfinder
