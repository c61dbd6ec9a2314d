// SPDX-License-Identifier: MIT
#include "capture/camera_source.hpp"

#include "capture/camera_controls.hpp"

#include "capture/libcamera_support.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"

#include <libcamera/control_ids.h>
#include <libcamera/formats.h>
#include <libcamera/framebuffer.h>
#include <libcamera/framebuffer_allocator.h>
#include <libcamera/request.h>
#include <libcamera/stream.h>

#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <format>
#include <mutex>
#include <thread>
#include <utility>

namespace rearview {
namespace {

using Clock = std::chrono::steady_clock;

double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string sizeText(const libcamera::Size& s) { return std::format("{}x{}", s.width, s.height); }

std::string sizeList(const std::vector<FrameSize>& sizes) {
    std::string out;
    for (const FrameSize& s : sizes) out += std::format("{}{}x{}", out.empty() ? "" : ", ", s.width, s.height);
    return out.empty() ? "none" : out;
}

libcamera::StreamRole toLibcamera(CameraStreamRole role) {
    return role == CameraStreamRole::VideoRecording ? libcamera::StreamRole::VideoRecording
                                                    : libcamera::StreamRole::Viewfinder;
}

// libcamera 0.4 leaves a new FrameBuffer's metadata uninitialised and its virtual pipeline
// handler never writes it, so the status read back can be anything. Before each queueing the
// buffer (ours between completion and requeue) gets this out-of-band status; still seeing it
// on completion means the handler did not report one.
constexpr auto kUnwritten = static_cast<libcamera::FrameMetadata::Status>(3);

void markUnwritten(libcamera::FrameBuffer& buffer) {
    auto& metadata = const_cast<libcamera::FrameMetadata&>(buffer.metadata());
    metadata.status = kUnwritten;
    metadata.sequence = 0;
    metadata.timestamp = 0;
}

/// Frames waiting for the consumer. Bounded: a full queue drops its oldest frame, which the
/// caller destroys outside the lock (destroying a frame requeues its request).
class FrameQueue {
public:
    explicit FrameQueue(size_t capacity) : capacity_(std::max<size_t>(capacity, 1)) {}

    /// Returns what has to be dropped: the oldest frame when full, or `frame` itself when closed.
    std::optional<CapturedFrame> push(CapturedFrame frame) {
        std::optional<CapturedFrame> dropped;
        {
            std::lock_guard lock(mutex_);
            if (closed_) return frame;
            if (frames_.size() >= capacity_) {
                dropped = std::move(frames_.front());
                frames_.pop_front();
            }
            frames_.push_back(std::move(frame));
        }
        cv_.notify_one();
        return dropped;
    }

    Result<std::optional<CapturedFrame>> pop(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, timeout, [&] { return !frames_.empty() || closed_; });
        if (!frames_.empty()) {
            CapturedFrame frame = std::move(frames_.front());
            frames_.pop_front();
            return frame;
        }
        if (closed_) return std::unexpected(*closed_);
        return std::nullopt;
    }

    void open() {
        std::lock_guard lock(mutex_);
        closed_.reset();
    }

    /// Further pushes are refused and pop() reports `why` once the queue is empty. Returns
    /// the frames still queued when `drain` is set (for the caller to drop).
    std::deque<CapturedFrame> close(Error why, bool drain) {
        std::deque<CapturedFrame> out;
        {
            std::lock_guard lock(mutex_);
            if (!closed_ || closed_->code != ErrorCode::DeviceLost) closed_ = std::move(why);
            if (drain) out.swap(frames_);
        }
        cv_.notify_all();
        return out;
    }

private:
    const size_t capacity_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<CapturedFrame> frames_;
    std::optional<Error> closed_ = Error{ErrorCode::InvalidArgument, "the camera source is not streaming: call start()"};
};

struct PendingSwitch {
    SwitchTiming timing;
    Clock::time_point requestedAt;
    Clock::time_point startedAt;
};

/// State a CameraSource shares with its sessions (one per opened camera). Sessions outlive
/// the source while the app holds their frames, so this is reference counted too.
struct SourceShared {
    explicit SourceShared(size_t queueDepth, std::function<void(const CameraEvent&)> events)
        : queue(queueDepth), onEvent(std::move(events)) {}

    FrameQueue queue;
    std::function<void(const CameraEvent&)> onEvent;

    std::atomic<uint64_t> sequence{0};
    std::atomic<uint64_t> delivered{0};
    std::atomic<uint64_t> dropped{0};
    std::atomic<uint64_t> errors{0};
    std::atomic<uint64_t> cancelled{0};
    std::atomic<uint64_t> timestampFallbacks{0};
    std::atomic<bool> fallbackLogged{false};
    std::atomic<bool> unwrittenLogged{false};
    std::atomic<uint32_t> injectErrors{0};         // testing: completions to treat as FrameError
    std::atomic<uint32_t> injectZeroTimestamps{0}; // testing: completions to treat as timestamp 0

    static bool takeOne(std::atomic<uint32_t>& counter) {
        uint32_t n = counter.load();
        while (n > 0 && !counter.compare_exchange_weak(n, n - 1)) {
        }
        return n > 0;
    }

    std::mutex mutex; // guards what follows
    uint64_t framesSinceStart = 0;
    Clock::time_point firstFrameAt{};
    Clock::time_point lastFrameAt{};
    uint32_t switches = 0;
    std::optional<PendingSwitch> pendingSwitch;
    std::optional<SwitchTiming> lastSwitch;

    void emit(const CameraEvent& event) const {
        if (onEvent) onEvent(event);
    }

    void resetRate() {
        std::lock_guard lock(mutex);
        framesSinceStart = 0;
    }

    /// Called for every delivered frame; finishes a pending switch on its first frame.
    void frameArrived(const std::string& cameraId, Clock::time_point now) {
        std::optional<CameraEvent> event;
        {
            std::lock_guard lock(mutex);
            if (framesSinceStart++ == 0) firstFrameAt = now;
            lastFrameAt = now;
            if (pendingSwitch && pendingSwitch->timing.to == cameraId) {
                SwitchTiming t = pendingSwitch->timing;
                t.firstFrameMs = msBetween(pendingSwitch->startedAt, now);
                t.totalMs = msBetween(pendingSwitch->requestedAt, now);
                lastSwitch = t;
                pendingSwitch.reset();
                event = CameraEvent{CameraEvent::Kind::Switched, cameraId,
                                    std::format("switched from '{}' to '{}' in {:.1f} ms (stop {:.1f}, open {:.1f}, "
                                                "start to first frame {:.1f})",
                                                t.from, t.to, t.totalMs, t.stopMs, t.openMs, t.firstFrameMs),
                                    t.totalMs};
            }
        }
        if (event) {
            log::info("{}", event->message);
            emit(*event);
        }
    }
};

/// One acquired, configured camera with its buffers and requests. Shared by the source and
/// by every frame it delivered (the frame's release handle), so buffers outlive the source.
class Session : public std::enable_shared_from_this<Session> {
public:
    /// `spare`: buffers of a previous session to reuse where large enough (a switch).
    static Result<std::shared_ptr<Session>> open(const CameraSourceOptions& options,
                                                 std::shared_ptr<SourceShared> shared,
                                                 std::vector<CaptureBuffer> spare = {});
    ~Session();

    Result<void> start(double frameRate, uint32_t requestsInCamera);
    void stop();
    /// stop() and give the camera back to libcamera; frames held stay valid.
    void shutdown();
    void simulateDisconnect();

    const CameraStreamInfo& info() const { return info_; }
    std::vector<CameraControlInfo> controls() const { return capture::describeControls(camera_->controls()); }
    /// Checks `wanted` against the camera and queues it for the next request.
    Result<void> setControls(const CameraControls& wanted, std::optional<FramePoint> focus) {
        std::optional<libcamera::Rectangle> window;
        if (focus)
            window = capture::focusWindow(*focus, info_.width, info_.height, camera_->properties());
        auto list = capture::buildControls(camera_->controls(), wanted, window, info_.cameraId);
        if (!list) return std::unexpected(list.error());
        std::lock_guard lock(mutex_);
        pendingControls_.merge(*list, libcamera::ControlList::MergePolicy::OverwriteExisting);
        return {};
    }
    BufferKind bufferKind() const { return bufferKind_; }
    uint32_t reusedBuffers() const { return reusedBuffers_; }
    bool acquired() const { return acquired_; }
    /// After shutdown(): hands over the own buffers no frame holds, for the next session.
    std::vector<CaptureBuffer> takeIdleBuffers() {
        std::lock_guard lock(mutex_);
        std::vector<CaptureBuffer> out;
        if (acquired_ || ownBuffers_.empty()) return out;
        for (size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].state == SlotState::Idle) {
                slots_[i].state = SlotState::Retired;
                out.push_back(std::move(ownBuffers_[i]));
            }
        return out;
    }
    bool lost() {
        std::lock_guard lock(mutex_);
        return lost_;
    }
    const std::string& bufferDescription() const { return bufferDescription_; }

private:
    enum class SlotState : uint8_t { Idle, Free, Queued, Held, Retired /* buffer given to the next session */ };
    struct Slot {
        std::unique_ptr<libcamera::Request> request;
        libcamera::FrameBuffer* buffer = nullptr;
        const BufferMemory* memory = nullptr;
        SlotState state = SlotState::Idle;
    };
    struct Mapping {
        BufferMemory memory;
        Mapping() = default;
        Mapping(Mapping&& o) noexcept : memory(std::exchange(o.memory, {})) {}
        ~Mapping() {
            if (memory.data) ::munmap(memory.data, memory.size);
        }
    };

    Session() = default;
    Result<void> allocateBuffers(const CameraSourceOptions& options, std::vector<CaptureBuffer>& spare);
    Result<bool> tryExportedBuffers(uint32_t count);
    void onRequestCompleted(libcamera::Request* request);
    void onDisconnected();
    void recycle(libcamera::Request* request);
    void pacerLoop();
    void failStreaming(const std::string& message);

    // Declaration order is destruction order in reverse: requests go before the buffers
    // they reference, the camera before the manager.
    std::shared_ptr<SourceShared> shared_;
    std::shared_ptr<libcamera::CameraManager> manager_;
    std::shared_ptr<libcamera::Camera> camera_;
    std::unique_ptr<libcamera::CameraConfiguration> config_;
    libcamera::Stream* stream_ = nullptr;
    std::vector<CaptureBuffer> ownBuffers_;
    std::unique_ptr<libcamera::FrameBufferAllocator> exporter_;
    std::vector<Mapping> exportedMaps_;
    std::vector<std::unique_ptr<libcamera::FrameBuffer>> frameBuffers_;
    std::vector<Slot> slots_;
    CameraStreamInfo info_;
    BufferKind bufferKind_ = BufferKind::Memfd;
    std::string bufferDescription_;
    bool acquired_ = false;
    bool cameraStarted_ = false;
    uint32_t reusedBuffers_ = 0;

    std::mutex mutex_; // guards what follows
    std::condition_variable cv_;
    std::deque<size_t> free_;
    libcamera::ControlList pendingControls_; ///< setControls() not yet in a request
    bool running_ = false;
    bool lost_ = false;
    uint32_t queued_ = 0;
    uint32_t maxQueued_ = 2;
    Clock::duration period_{};
    Clock::time_point nextDue_{};
    Clock::time_point startedAt_{};
    std::thread pacer_;
};

Result<std::shared_ptr<Session>> Session::open(const CameraSourceOptions& options, std::shared_ptr<SourceShared> shared,
                                               std::vector<CaptureBuffer> spare) {
    auto manager = capture::cameraManager();
    if (!manager) return std::unexpected(manager.error());

    std::shared_ptr<Session> session(new Session());
    session->shared_ = std::move(shared);
    session->manager_ = *manager;
    session->camera_ = session->manager_->get(options.cameraId);
    if (!session->camera_) {
        if (session->manager_->cameras().empty())
            return fail(ErrorCode::NotFound,
                        std::format("no camera '{}': libcamera found no cameras at all (connect one, or install the "
                                    "virtual camera rig with ./scripts/dev setup)",
                                    options.cameraId));
        return fail(ErrorCode::NotFound, std::format("no camera '{}'; available cameras: {}", options.cameraId,
                                                     capture::cameraIdList(*session->manager_)));
    }
    const std::string& id = options.cameraId;
    if (int ret = session->camera_->acquire(); ret < 0)
        return fail(ret == -EBUSY ? ErrorCode::InvalidArgument : ErrorCode::Internal,
                    std::format("cannot open camera '{}': {}{}", id, capture::errnoMessage(ret),
                                ret == -EBUSY ? "; another CameraSource or process has it open, close that first" : ""));
    session->acquired_ = true;

    const libcamera::StreamRole role = toLibcamera(options.role);
    session->config_ = session->camera_->generateConfiguration({role});
    if (!session->config_ || session->config_->empty())
        return fail(ErrorCode::Unsupported,
                    std::format("camera '{}' has no stream for the {} role", id, toString(options.role)));

    libcamera::StreamConfiguration& cfg = session->config_->at(0);
    cfg.pixelFormat = libcamera::formats::NV12;
    if (options.size.width != 0 || options.size.height != 0) cfg.size = {options.size.width, options.size.height};
    const libcamera::Size requested = cfg.size;
    const libcamera::CameraConfiguration::Status status = session->config_->validate();
    auto supported = [&] { return sizeList(capture::describeCamera(*session->camera_).nv12Sizes); };
    if (status == libcamera::CameraConfiguration::Invalid)
        return fail(ErrorCode::InvalidArgument,
                    std::format("camera '{}' rejected NV12 {} for the {} role; sizes it accepts: {}", id,
                                sizeText(requested), toString(options.role), supported()));
    if (cfg.pixelFormat != libcamera::formats::NV12)
        return fail(ErrorCode::Unsupported,
                    std::format("camera '{}' cannot deliver NV12 (it offered {} {}); rearview needs NV12", id,
                                cfg.pixelFormat.toString(), sizeText(cfg.size)));
    if (cfg.size != requested) {
        session->info_.adjustment = std::format("requested NV12 {}, camera '{}' adjusted it to NV12 {}",
                                                sizeText(requested), id, sizeText(cfg.size));
        if (!options.allowAdjustedSize)
            return fail(ErrorCode::InvalidArgument,
                        std::format("{} (adjustments are not allowed); sizes it accepts: {}",
                                    session->info_.adjustment, supported()));
        log::info("{}", session->info_.adjustment);
    }
    const Clock::time_point configuring = Clock::now();
    if (int ret = session->camera_->configure(session->config_.get()); ret < 0)
        return fail(ErrorCode::Internal, std::format("configuring camera '{}' for NV12 {} failed: {}", id,
                                                     sizeText(cfg.size), capture::errnoMessage(ret)));
    session->stream_ = cfg.stream();

    CameraStreamInfo& info = session->info_;
    info.cameraId = id;
    info.width = cfg.size.width;
    info.height = cfg.size.height;
    info.stride = std::max(cfg.stride, cfg.size.width); // 0 or less than a row: the tight NV12 stride
    info.uvOffset = size_t(info.stride) * info.height;
    const size_t packed = info.uvOffset + size_t(info.stride) * ((info.height + 1) / 2);
    info.bufferSize = std::max<size_t>(cfg.frameSize, packed);
    if (auto cs = capture::fromLibcamera(cfg.colorSpace)) {
        info.colorSpace = *cs;
        info.colorSpaceFromCamera = true;
    }
    info.bufferCount = std::max(2u, options.bufferCount != 0 ? options.bufferCount : cfg.bufferCount);

    const Clock::time_point allocating = Clock::now();
    if (auto ok = session->allocateBuffers(options, spare); !ok) return std::unexpected(ok.error());
    const Clock::time_point done = Clock::now();

    session->camera_->requestCompleted.connect(session.get(), &Session::onRequestCompleted);
    session->camera_->disconnected.connect(session.get(), &Session::onDisconnected);
    log::debug("camera '{}': NV12 {}x{} stride {}, {} {} buffers of {} bytes, colour space {}-{}{}; configure {:.1f} ms, "
               "buffers {:.1f} ms",
               id, info.width, info.height, info.stride, info.bufferCount, session->bufferDescription_, info.bufferSize,
               toString(info.colorSpace.matrix), toString(info.colorSpace.range),
               info.colorSpaceFromCamera ? "" : " (default; the camera reported none)",
               msBetween(configuring, allocating), msBetween(allocating, done));
    return session;
}

Result<bool> Session::tryExportedBuffers(uint32_t count) {
    exporter_ = std::make_unique<libcamera::FrameBufferAllocator>(camera_);
    int ret = exporter_->allocate(stream_);
    if (ret <= 0) {
        log::info("camera '{}' cannot export buffers ({}); using rearview's own", info_.cameraId,
                  ret < 0 ? capture::errnoMessage(ret) : "none allocated");
        exporter_.reset();
        return false;
    }
    const auto& buffers = exporter_->buffers(stream_);
    for (const auto& fb : buffers) {
        const auto& planes = fb->planes();
        // CapturedFrame describes both planes by offsets into one mapping.
        if (planes.size() != 2 || planes[0].fd.get() != planes[1].fd.get()) {
            log::info("camera '{}' exports NV12 planes in separate buffers; using rearview's own", info_.cameraId);
            exportedMaps_.clear();
            exporter_.reset();
            return false;
        }
        const size_t length = std::max(size_t(planes[0].offset) + planes[0].length,
                                       size_t(planes[1].offset) + planes[1].length);
        void* p = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_SHARED, planes[0].fd.get(), 0);
        if (p == MAP_FAILED)
            return fail(ErrorCode::OutOfMemory, std::format("mapping a buffer exported by camera '{}' failed: {}",
                                                            info_.cameraId, capture::errnoMessage(errno)));
        Mapping m;
        static std::atomic<uint64_t> exportedIds{1ull << 48}; // apart from BufferAllocator's ids
        m.memory = {exportedIds++, planes[0].fd.get(), BufferKind::Exported, static_cast<uint8_t*>(p), length};
        info_.uvOffset = planes[1].offset;
        info_.bufferSize = length;
        exportedMaps_.push_back(std::move(m));
        if (exportedMaps_.size() == count) break;
    }
    bufferKind_ = BufferKind::Exported;
    bufferDescription_ = "exported by the camera (FrameBufferAllocator)";
    return true;
}

Result<void> Session::allocateBuffers(const CameraSourceOptions& options, std::vector<CaptureBuffer>& spare) {
    const uint32_t count = info_.bufferCount;
    bool exported = false;
    if (options.preferCameraBuffers) {
        auto tried = tryExportedBuffers(count);
        if (!tried) return std::unexpected(tried.error());
        exported = *tried;
    }

    std::vector<const libcamera::FrameBuffer*> exportedBuffers;
    if (exported) {
        info_.bufferCount = uint32_t(exportedMaps_.size());
        for (size_t i = 0; i < exportedMaps_.size(); ++i) exportedBuffers.push_back(exporter_->buffers(stream_)[i].get());
    } else {
        auto allocator = BufferAllocator::create(options.allocator);
        if (!allocator)
            return fail(allocator.error().code, std::format("camera '{}': {}", info_.cameraId, allocator.error().message));
        // Reusing a previous camera's buffers saves allocating and faulting in ~300 MB at 50 MP.
        for (CaptureBuffer& buffer : spare)
            if (ownBuffers_.size() < count && buffer.size() >= info_.bufferSize && buffer.kind() == allocator->kind())
                ownBuffers_.push_back(std::move(buffer));
        spare.clear();
        reusedBuffers_ = uint32_t(ownBuffers_.size());
        if (ownBuffers_.size() < count) {
            auto buffers = allocator->allocate(count - ownBuffers_.size(), info_.bufferSize,
                                               std::format("rearview-{}", info_.cameraId));
            if (!buffers)
                return fail(buffers.error().code, std::format("camera '{}': {}", info_.cameraId, buffers.error().message));
            for (CaptureBuffer& buffer : *buffers) ownBuffers_.push_back(std::move(buffer));
        }
        bufferKind_ = allocator->kind();
        bufferDescription_ = allocator->description();
        info_.bufferSize = std::ranges::min_element(ownBuffers_, {}, &CaptureBuffer::size)->size();
        for (const CaptureBuffer& buffer : ownBuffers_) // CaptureBuffer keeps its own fd
            frameBuffers_.push_back(
                capture::nv12FrameBuffer(buffer.fd(), info_.uvOffset, size_t(info_.stride) * ((info_.height + 1) / 2)));
    }

    for (uint32_t i = 0; i < info_.bufferCount; ++i) {
        Slot slot;
        slot.request = camera_->createRequest(i);
        if (!slot.request)
            return fail(ErrorCode::Internal, std::format("camera '{}' could not create a request", info_.cameraId));
        libcamera::FrameBuffer* fb = exported ? const_cast<libcamera::FrameBuffer*>(exportedBuffers[i])
                                              : frameBuffers_[i].get();
        if (int ret = slot.request->addBuffer(stream_, fb); ret < 0)
            return fail(ErrorCode::Internal, std::format("camera '{}': adding a buffer to a request failed: {}",
                                                         info_.cameraId, capture::errnoMessage(ret)));
        slot.buffer = fb;
        slot.memory = exported ? &exportedMaps_[i].memory : &ownBuffers_[i].memory();
        slots_.push_back(std::move(slot));
    }
    return {};
}

Session::~Session() {
    shutdown();
}

Result<void> Session::start(double frameRate, uint32_t requestsInCamera) {
    {
        std::lock_guard lock(mutex_);
        if (running_) return {};
        if (lost_)
            return fail(ErrorCode::DeviceLost,
                        std::format("camera '{}' was disconnected; create a new CameraSource once it is back",
                                    info_.cameraId));
    }
    if (pacer_.joinable()) pacer_.join(); // a pacer that ended on a failed requeue

    std::unique_ptr<libcamera::ControlList> controls;
    info_.frameDurationLimitsSet = false;
    const libcamera::ControlInfoMap& available = camera_->controls();
    if (auto it = available.find(&libcamera::controls::FrameDurationLimits); it != available.end() && frameRate > 0) {
        const int64_t lo = it->second.min().get<int64_t>();
        const int64_t hi = it->second.max().get<int64_t>();
        int64_t us = int64_t(1e6 / frameRate);
        if (hi > 0) us = std::clamp(us, lo, hi);
        controls = std::make_unique<libcamera::ControlList>(available);
        controls->set(libcamera::controls::FrameDurationLimits, {us, us});
        info_.frameDurationLimitsSet = true;
    }
    if (int ret = camera_->start(controls.get()); ret < 0)
        return fail(ret == -ENODEV ? ErrorCode::DeviceLost : ErrorCode::Internal,
                    std::format("starting camera '{}' failed: {}", info_.cameraId, capture::errnoMessage(ret)));
    cameraStarted_ = true;

    {
        std::lock_guard lock(mutex_);
        running_ = true;
        queued_ = 0;
        free_.clear();
        for (size_t i = 0; i < slots_.size(); ++i)
            if (slots_[i].state == SlotState::Idle || slots_[i].state == SlotState::Free) {
                slots_[i].state = SlotState::Free;
                free_.push_back(i);
            }
        period_ = frameRate > 0 ? std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / frameRate))
                                : Clock::duration::zero();
        maxQueued_ = std::clamp<uint32_t>(requestsInCamera, 1, uint32_t(slots_.size()));
        startedAt_ = Clock::now();
        nextDue_ = startedAt_;
    }
    pacer_ = std::thread([this] { pacerLoop(); });
    return {};
}

void Session::pacerLoop() {
    pthread_setname_np(pthread_self(), "rv-cam-pacer");
    std::unique_lock lock(mutex_);
    while (true) {
        cv_.wait(lock, [&] { return !running_ || (!free_.empty() && queued_ < maxQueued_); });
        if (!running_) break;
        if (period_ != Clock::duration::zero() && Clock::now() < nextDue_) {
            const auto due = nextDue_;
            cv_.wait_until(lock, due, [&] { return !running_; });
            continue; // conditions may have changed while waiting
        }
        const size_t index = free_.front();
        free_.pop_front();
        Slot& slot = slots_[index];
        slot.state = SlotState::Queued;
        ++queued_;
        // No catch-up bursts: when the camera is slower than the target, queue as it frees up.
        nextDue_ = std::max(nextDue_ + period_, Clock::now());
        libcamera::ControlList controls;
        std::swap(controls, pendingControls_);
        lock.unlock();
        slot.request->reuse(libcamera::Request::ReuseBuffers);
        if (!controls.empty()) slot.request->controls().merge(controls);
        markUnwritten(*slot.buffer);
        const int ret = camera_->queueRequest(slot.request.get());
        lock.lock();
        if (ret < 0) {
            slot.state = SlotState::Idle;
            --queued_;
            if (!running_) break; // raced with stop()
            running_ = false;
            lock.unlock();
            failStreaming(std::format("camera '{}' refused a request: {}; the source stopped", info_.cameraId,
                                      capture::errnoMessage(ret)));
            return;
        }
    }
}

void Session::failStreaming(const std::string& message) {
    log::error("{}", message);
    shared_->queue.close(Error{ErrorCode::Internal, message}, false);
    shared_->emit({CameraEvent::Kind::Stopped, info_.cameraId, message, 0});
}

void Session::onRequestCompleted(libcamera::Request* request) {
    const size_t index = size_t(request->cookie());
    const Clock::time_point now = Clock::now();
    libcamera::FrameBuffer* fb = request->findBuffer(stream_);
    const bool written = fb && fb->metadata().status != kUnwritten;
    if (fb && !written && !shared_->unwrittenLogged.exchange(true))
        log::info("camera '{}' leaves buffer metadata unset (libcamera 0.4's virtual camera does); its completed "
                  "requests are taken as good frames",
                  info_.cameraId);
    const bool cancelled = request->status() == libcamera::Request::RequestCancelled ||
                           (written && fb->metadata().status == libcamera::FrameMetadata::FrameCancelled);
    bool ok = !cancelled && fb && (!written || fb->metadata().status == libcamera::FrameMetadata::FrameSuccess);
    if (ok && SourceShared::takeOne(shared_->injectErrors)) ok = false;
    {
        std::lock_guard lock(mutex_);
        if (index >= slots_.size()) return;
        Slot& slot = slots_[index];
        if (queued_ > 0) --queued_;
        if (!ok || !running_) {
            if (cancelled || !running_)
                shared_->cancelled++;
            else
                shared_->errors++; // error frames are never shown; the buffer goes straight back
            if (running_) {
                slot.state = SlotState::Free;
                free_.push_back(index);
            } else {
                slot.state = SlotState::Idle;
            }
            cv_.notify_all();
            return;
        }
        slot.state = SlotState::Held;
        cv_.notify_all(); // a queue slot opened
    }

    CapturedFrame frame;
    frame.memory = slots_[index].memory;
    frame.width = info_.width;
    frame.height = info_.height;
    frame.stride = info_.stride;
    frame.uvOffset = info_.uvOffset;
    frame.colorSpace = info_.colorSpace;
    // Some pipeline handlers (libcamera 0.4's virtual one) report 0 for the sensor timestamp.
    int64_t sensorNs = request->metadata().get(libcamera::controls::SensorTimestamp).value_or(0);
    if (sensorNs <= 0 && written) sensorNs = int64_t(fb->metadata().timestamp);
    if (SourceShared::takeOne(shared_->injectZeroTimestamps)) sensorNs = 0;
    if (sensorNs > 0) {
        frame.timestampNs = uint64_t(sensorNs);
    } else {
        frame.timestampNs = monotonicNs();
        frame.timestampFromSensor = false;
        shared_->timestampFallbacks++;
        if (!shared_->fallbackLogged.exchange(true))
            log::info("camera '{}' reports no sensor timestamps (0); using completion time (CLOCK_MONOTONIC) instead",
                      info_.cameraId);
    }
    frame.sequence = shared_->sequence++;
    frame.exposureUs = uint32_t(std::max(0, request->metadata().get(libcamera::controls::ExposureTime).value_or(0)));
    frame.analogueGain = request->metadata().get(libcamera::controls::AnalogueGain).value_or(0.0f);
    frame.release = std::shared_ptr<void>(request, [self = shared_from_this()](void* r) {
        self->recycle(static_cast<libcamera::Request*>(r));
    });

    shared_->delivered++;
    shared_->frameArrived(info_.cameraId, now);
    if (std::optional<CapturedFrame> dropped = shared_->queue.push(std::move(frame)); dropped)
        shared_->dropped++; // destroyed here, outside every lock: requeues its request
}

void Session::recycle(libcamera::Request* request) {
    const size_t index = size_t(request->cookie());
    std::lock_guard lock(mutex_);
    if (index >= slots_.size()) return;
    if (running_) {
        slots_[index].state = SlotState::Free;
        free_.push_back(index);
        cv_.notify_all();
    } else {
        slots_[index].state = SlotState::Idle;
    }
}

void Session::onDisconnected() {
    {
        std::lock_guard lock(mutex_);
        lost_ = true;
        running_ = false;
        cv_.notify_all();
    }
    const std::string message = std::format(
        "camera '{}' was disconnected while open; frames already delivered stay valid; create a new CameraSource "
        "to reopen it once it is back",
        info_.cameraId);
    log::warn("{}", message);
    shared_->queue.close(Error{ErrorCode::DeviceLost, message}, false);
    shared_->emit({CameraEvent::Kind::Disconnected, info_.cameraId, message, 0});
}

void Session::simulateDisconnect() {
    // The same signal libcamera emits on hot-unplug, so the real connection is exercised.
    camera_->disconnected.emit();
}

void Session::stop() {
    {
        std::lock_guard lock(mutex_);
        running_ = false;
        cv_.notify_all();
    }
    if (pacer_.joinable() && pacer_.get_id() != std::this_thread::get_id()) pacer_.join();
    if (cameraStarted_) {
        // Completes (or cancels) every queued request before returning; none is delivered.
        if (int ret = camera_->stop(); ret < 0 && !lost_)
            log::warn("stopping camera '{}': {}", info_.cameraId, capture::errnoMessage(ret));
        cameraStarted_ = false;
    }
    std::lock_guard lock(mutex_);
    free_.clear();
    queued_ = 0;
    for (Slot& slot : slots_)
        if (slot.state == SlotState::Free || slot.state == SlotState::Queued) slot.state = SlotState::Idle;
}

void Session::shutdown() {
    if (!camera_) return;
    stop();
    if (acquired_) {
        camera_->requestCompleted.disconnect(this);
        camera_->disconnected.disconnect(this);
        if (int ret = camera_->release(); ret < 0 && !lost_)
            log::warn("releasing camera '{}': {}", info_.cameraId, capture::errnoMessage(ret));
        acquired_ = false;
    }
}

} // namespace

// ----------------------------------------------------------------------------- CameraSource

struct CameraSource::Impl {
    CameraSourceOptions options;
    std::shared_ptr<SourceShared> shared;
    std::shared_ptr<Session> session;
    std::shared_ptr<Session> prepared; ///< opened ahead of a switch by prepareCamera()
    bool streaming = false;

    void stopStreaming(bool drain, const std::string& why) {
        if (!session) return;
        const bool was = streaming;
        session->stop();
        streaming = false;
        if (drain) {
            // Dropped here, after the lock in close() is gone: each requeues nothing (stopped).
            std::deque<CapturedFrame> dropped = shared->queue.close(
                Error{ErrorCode::InvalidArgument,
                      std::format("the camera source for '{}' is not streaming: call start()", options.cameraId)},
                true);
        }
        if (was) shared->emit({CameraEvent::Kind::Stopped, options.cameraId, why, 0});
    }
};

Result<CameraSource> CameraSource::create(CameraSourceOptions options) {
    if (options.frameRate < 0)
        return fail(ErrorCode::InvalidArgument, std::format("frame rate {} is negative", options.frameRate));
    if ((options.size.width == 0) != (options.size.height == 0))
        return fail(ErrorCode::InvalidArgument,
                    std::format("size {}x{} is not valid: give both width and height, or neither for the camera's "
                                "default",
                                options.size.width, options.size.height));
    if (options.cameraId.empty()) {
        auto manager = capture::cameraManager();
        if (!manager) return std::unexpected(manager.error());
        return fail(ErrorCode::InvalidArgument, std::format("no camera id given; available cameras: {}",
                                                            capture::cameraIdList(**manager)));
    }
    auto impl = std::make_unique<Impl>();
    impl->shared = std::make_shared<SourceShared>(options.queueDepth, options.onEvent);
    auto session = Session::open(options, impl->shared);
    if (!session) return std::unexpected(session.error());
    impl->session = std::move(*session);
    impl->options = std::move(options);
    return CameraSource(std::move(impl));
}

CameraSource::CameraSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CameraSource::CameraSource(CameraSource&&) noexcept = default;
CameraSource& CameraSource::operator=(CameraSource&& other) noexcept {
    if (this != &other) {
        if (impl_ && impl_->session) {
            if (impl_->prepared) impl_->prepared->shutdown();
            impl_->stopStreaming(true, "the camera source was replaced");
            impl_->session->shutdown();
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

CameraSource::~CameraSource() {
    if (!impl_ || !impl_->session) return;
    if (impl_->prepared) impl_->prepared->shutdown();
    impl_->stopStreaming(true, "the camera source was destroyed");
    impl_->session->shutdown();
}

Result<void> CameraSource::start() {
    Impl& d = *impl_;
    if (d.session->lost()) {
        d.streaming = false;
        return fail(ErrorCode::DeviceLost,
                    std::format("camera '{}' was disconnected; create a new CameraSource once it is back",
                                d.options.cameraId));
    }
    if (d.streaming) return {};
    d.shared->queue.open();
    d.shared->resetRate();
    if (auto ok = d.session->start(d.options.frameRate, d.options.requestsInCamera); !ok) {
        d.shared->queue.close(ok.error(), false);
        return ok;
    }
    d.streaming = true;
    return {};
}

void CameraSource::stop() { impl_->stopStreaming(true, std::format("camera '{}' stopped", impl_->options.cameraId)); }

bool CameraSource::streaming() const { return impl_->streaming && !impl_->session->lost(); }

Result<void> CameraSource::switchCamera(const std::string& cameraId) {
    Impl& d = *impl_;
    if (cameraId == d.options.cameraId) return {};
    const Clock::time_point t0 = Clock::now();

    // Check the target exists before disturbing the current camera.
    {
        auto manager = capture::cameraManager();
        if (!manager) return std::unexpected(manager.error());
        if (!(*manager)->get(cameraId))
            return fail(ErrorCode::NotFound,
                        std::format("cannot switch to camera '{}': no such camera; available cameras: {}; still on '{}'",
                                    cameraId, capture::cameraIdList(**manager), d.options.cameraId));
    }

    const bool wasStreaming = d.streaming;
    const std::string from = d.options.cameraId;
    std::shared_ptr<Session> old = d.session;
    // Queued frames of the old camera stay in the queue: the app shows them until new ones come.
    old->stop();
    d.streaming = false;
    if (!d.options.keepPreviousOpen) old->shutdown();
    const Clock::time_point t1 = Clock::now();

    CameraSourceOptions next = d.options;
    next.cameraId = cameraId;
    Result<std::shared_ptr<Session>> session = fail(ErrorCode::Internal, "not opened");
    bool usedPrepared = false;
    if (d.prepared && d.prepared->info().cameraId == cameraId) {
        session = std::exchange(d.prepared, nullptr);
        usedPrepared = true;
    } else {
        if (d.prepared) std::exchange(d.prepared, nullptr)->shutdown();
        session = Session::open(next, d.shared, old->takeIdleBuffers());
        if (!session && d.options.keepPreviousOpen) {
            // Cameras sharing one pipeline may not be open together: close the old and retry.
            old->shutdown();
            session = Session::open(next, d.shared, old->takeIdleBuffers());
        }
    }
    if (!session) {
        Error why = session.error();
        if (!old->acquired()) {
            auto back = Session::open(d.options, d.shared);
            if (!back) {
                d.shared->queue.close(why, false);
                return fail(why.code, std::format("switching from '{}' to '{}' failed: {}; reopening '{}' failed too: {}",
                                                  from, cameraId, why.message, from, back.error().message));
            }
            d.session = std::move(*back);
        }
        if (wasStreaming) {
            if (auto ok = d.session->start(d.options.frameRate, d.options.requestsInCamera); ok) d.streaming = true;
        }
        return fail(why.code,
                    std::format("switching from '{}' to '{}' failed: {}; still on '{}'", from, cameraId, why.message, from));
    }
    const Clock::time_point t2 = Clock::now();
    d.session = std::move(*session);
    d.options = std::move(next);
    if (old->acquired()) d.prepared = old; // keepPreviousOpen: switching back is a stop and a start

    SwitchTiming timing;
    timing.from = from;
    timing.to = cameraId;
    timing.stopMs = msBetween(t0, t1);
    timing.openMs = msBetween(t1, t2);
    timing.buffersReused = usedPrepared ? 0 : d.session->reusedBuffers();
    timing.prepared = usedPrepared;
    {
        std::lock_guard lock(d.shared->mutex);
        ++d.shared->switches;
        d.shared->framesSinceStart = 0;
        if (wasStreaming) {
            d.shared->pendingSwitch = PendingSwitch{timing, t0, Clock::now()};
        } else {
            timing.totalMs = msBetween(t0, t2);
            d.shared->lastSwitch = timing;
        }
    }
    if (wasStreaming) {
        if (auto ok = d.session->start(d.options.frameRate, d.options.requestsInCamera); !ok) {
            std::lock_guard lock(d.shared->mutex);
            d.shared->pendingSwitch.reset();
            d.shared->queue.close(ok.error(), false);
            return fail(ok.error().code, std::format("switched from '{}' to '{}' but it did not start: {}", from,
                                                     cameraId, ok.error().message));
        }
        d.streaming = true;
    }
    log::debug("switching from '{}' to '{}': stop {:.1f} ms, open {:.1f} ms{}", from, cameraId, timing.stopMs,
               timing.openMs, usedPrepared ? " (prepared)" : "");
    return {};
}

Result<void> CameraSource::prepareCamera(const std::string& cameraId) {
    Impl& d = *impl_;
    if (cameraId == d.options.cameraId)
        return fail(ErrorCode::InvalidArgument, std::format("camera '{}' is the current camera already", cameraId));
    if (d.prepared && d.prepared->info().cameraId == cameraId) return {};
    if (d.prepared) {
        d.prepared->shutdown();
        d.prepared.reset();
    }
    CameraSourceOptions next = d.options;
    next.cameraId = cameraId;
    auto session = Session::open(next, d.shared);
    if (!session)
        return fail(session.error().code, std::format("preparing camera '{}' while '{}' streams failed: {}", cameraId,
                                                      d.options.cameraId, session.error().message));
    d.prepared = std::move(*session);
    return {};
}

Result<std::optional<CapturedFrame>> CameraSource::nextFrame(std::chrono::milliseconds timeout) {
    return impl_->shared->queue.pop(timeout);
}

const CameraStreamInfo& CameraSource::stream() const { return impl_->session->info(); }

FrameFormat CameraSource::format() const {
    const CameraStreamInfo& s = stream();
    return FrameFormat{s.width, s.height, s.stride, s.uvOffset, s.colorSpace};
}

CameraStats CameraSource::stats() const {
    const SourceShared& s = *impl_->shared;
    CameraStats out;
    out.framesDelivered = s.delivered.load();
    out.framesDropped = s.dropped.load();
    out.frameErrors = s.errors.load();
    out.requestsCancelled = s.cancelled.load();
    out.timestampFallbacks = s.timestampFallbacks.load();
    out.bufferKind = impl_->session->bufferKind();
    out.bufferDescription = impl_->session->bufferDescription();
    std::lock_guard lock(impl_->shared->mutex);
    if (s.framesSinceStart > 1) {
        const double seconds = std::chrono::duration<double>(s.lastFrameAt - s.firstFrameAt).count();
        if (seconds > 0) out.deliveredFps = double(s.framesSinceStart - 1) / seconds;
    }
    out.switches = s.switches;
    out.lastSwitch = s.lastSwitch;
    return out;
}

std::vector<CameraControlInfo> CameraSource::controls() const { return impl_->session->controls(); }

Result<void> CameraSource::setControls(const CameraControls& controls, std::optional<FramePoint> focus) {
    return impl_->session->setControls(controls, focus);
}

void CameraSource::simulateDisconnect() { impl_->session->simulateDisconnect(); }

void CameraSource::simulateFaults(uint32_t frameErrors, uint32_t zeroTimestamps) {
    impl_->shared->injectErrors += frameErrors;
    impl_->shared->injectZeroTimestamps += zeroTimestamps;
}

} // namespace rearview
