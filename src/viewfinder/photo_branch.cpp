// SPDX-License-Identifier: MIT
#include "viewfinder/photo_branch.hpp"

#include "core/atomic_file.hpp"
#include "core/clock.hpp"
#include "core/beauty_grid.hpp"
#include "core/log.hpp"
#include "core/try.hpp"
#include "core/thread_priority.hpp"
#include "photo/exif.hpp"
#include "photo/jpeg_encoder.hpp"

#include <pthread.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <format>

namespace rearview::viewfinder {
namespace {

/// Frames handed over and still on the camera's buffers: the camera keeps the rest.
constexpr size_t kMaxOnCameraBuffers = 2;
/// How long the shutter blink stays on the panel.
constexpr uint64_t kBlinkNs = 150'000'000;
/// A photo's GPU work at 50 MP takes seconds on a CPU driver that is also running the
/// viewfinder; far beyond that, something is wrong.
constexpr uint64_t kGpuTimeoutNs = 120'000'000'000ull;

/// The path of shot `index` (0-based) of a burst of `count`: PATH, or PATH-1 .. PATH-N.
std::string shotPath(const std::string& path, uint32_t index, uint32_t count) {
    if (count <= 1)
        return path;
    const std::filesystem::path p(path);
    return (p.parent_path() / std::format("{}-{}{}", p.stem().string(), index + 1, p.extension().string())).string();
}

/// CLOCK_REALTIME ns of a CLOCK_MONOTONIC time.
int64_t realtimeOf(uint64_t monotonicTimeNs) {
    const int64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    return wall - (int64_t(monotonicNs()) - int64_t(monotonicTimeNs));
}

Error cancelledError(std::string_view why) { return {ErrorCode::Cancelled, std::format("photo cancelled: {}", why)}; }

} // namespace

std::unique_ptr<PhotoBranch> PhotoBranch::create(gpu::Device& primary, Options options) {
    std::unique_ptr<PhotoBranch> b(new PhotoBranch(std::move(options)));
    PhotoBranch* raw = b.get();
    b->thread_ = std::jthread([raw, &primary](std::stop_token stop) { raw->run(stop, primary); });
    return b;
}

PhotoBranch::~PhotoBranch() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    {
        std::lock_guard lock(mutex_);
        for (Request& r : requests_)
            r.promise.set_value(std::unexpected(cancelledError("the viewfinder stopped before it was written")));
        requests_.clear();
        handedOver_.clear();
    }
    // A submission whose wait timed out may still run: what it uses outlives it.
    if (device_)
        device_->waitQueueIdle();
}

std::future<Result<PhotoResult>> PhotoBranch::request(const PhotoOptions& options, std::string model) {
    const uint64_t now = monotonicNs();
    Request r;
    r.options = options;
    r.model = std::move(model);
    r.pressAtNs = now + uint64_t(std::llround(options.timerSeconds * 1e9));
    std::future<Result<PhotoResult>> done = r.promise.get_future();
    {
        std::lock_guard ring(ringMutex_);
        std::lock_guard lock(mutex_);
        r.id = nextId_++;
        ++stats_.requested;
        requests_.push_back(std::move(r));
        pressDue(now); // no timer: the press is now, and sees the frame on the panel now
        handOver(nullptr); // that frame from the ring at once, should no further frame come
    }
    wake_.notify_all();
    return done;
}

uint32_t PhotoBranch::cancel() {
    std::lock_guard lock(mutex_);
    uint32_t n = 0;
    for (auto it = requests_.begin(); it != requests_.end();) {
        if (it->pressed) {
            ++it;
            continue;
        }
        it->promise.set_value(std::unexpected(cancelledError("cancelPhoto() before the shutter was pressed")));
        it = requests_.erase(it);
        ++n;
        ++stats_.cancelled;
    }
    return n;
}

void PhotoBranch::pressDue(uint64_t nowNs) {
    for (Request& r : requests_) {
        if (r.pressed || nowNs < r.pressAtNs)
            continue;
        r.pressed = true;
        r.pressNs = nowNs;
        lastPressNs_ = nowNs;
        const std::optional<uint64_t> shown = options_.onPanel ? options_.onPanel() : std::nullopt;
        r.wantAny = !shown;
        r.want = shown.value_or(0);
    }
}

void PhotoBranch::offer(const CapturedFrame& frame, bool forPanel, const CropPlan& panelPlan, const ViewGeometry& geometry,
                        const std::shared_ptr<const std::vector<StageParams>>& stages,
                        const std::vector<analysis::FaceBox>& faces) {
    std::lock_guard ring(ringMutex_);
    bool handed = false;
    if (std::unique_lock lock(mutex_, std::try_to_lock); lock.owns_lock() && !requests_.empty()) {
        pressDue(monotonicNs());
        // The wanted frames are looked up before this one pushes the oldest out of the ring.
        const Offered current{frame, panelPlan, geometry, stages, faces};
        handed = handOver(&current);
    }
    if (forPanel)
        ring_.push(frame, panelPlan, geometry, stages, faces);
    if (handed)
        wake_.notify_all();
}

bool PhotoBranch::handOver(const Offered* current) {
    bool handed = false;
    for (Request& r : requests_) {
        while (r.pressed && r.handedOver < r.options.burst && handedOver_.size() < kMaxOnCameraBuffers) {
            if (r.wantAny) { // nothing was on the panel at the press: the next frame
                if (!current)
                    break;
                r.wantAny = false;
                r.want = current->frame.sequence - r.handedOver;
            }
            const uint64_t want = r.want + r.handedOver;
            if (const RingFrame* held = ring_.find(want)) {
                handedOver_.push_back({r.id, r.handedOver, true, *held});
            } else if (!current || want > current->frame.sequence) {
                break; // a later frame: it comes with a later offer
            } else {
                // This frame, or when the wanted one is no longer held (or there is no ring) this
                // one instead, and the rest of a burst follows it.
                const bool wanted = want == current->frame.sequence;
                if (!wanted)
                    r.want = current->frame.sequence - r.handedOver;
                handedOver_.push_back({r.id, r.handedOver, wanted, current->ringFrame()});
            }
            ++r.handedOver;
            handed = true;
        }
    }
    return handed;
}

void PhotoBranch::releaseRing() {
    std::lock_guard ring(ringMutex_);
    ring_.clear();
}

std::optional<uint64_t> PhotoBranch::nextPressNs() const {
    std::optional<uint64_t> at;
    for (const Request& r : requests_)
        if (!r.pressed && (!at || r.pressAtNs < *at))
            at = r.pressAtNs;
    return at;
}

std::optional<std::string> PhotoBranch::notice(uint64_t nowNs) const {
    std::lock_guard lock(mutex_);
    if (lastPressNs_ && nowNs >= lastPressNs_ && nowNs - lastPressNs_ < kBlinkNs)
        return std::string("(( shutter ))");
    if (const std::optional<uint64_t> at = nextPressNs(); at && *at > nowNs)
        return std::format("photo in {}", uint64_t(std::ceil(double(*at - nowNs) / 1e9)));
    return std::nullopt;
}

PhotoStats PhotoBranch::stats() const {
    std::lock_guard lock(mutex_);
    PhotoStats s = stats_;
    s.shutterLagP50Ms = shutterLag_.p50();
    s.shutterLagP99Ms = shutterLag_.p99();
    s.pressToWrittenP50Ms = pressToWritten_.p50();
    s.pressToWrittenP99Ms = pressToWritten_.p99();
    s.gpuP50Ms = gpuMs_.p50();
    s.encodeP50Ms = encodeMs_.p50();
    s.ringFrames = ring_.size();
    s.pending = !requests_.empty();
    const uint64_t now = monotonicNs();
    if (const std::optional<uint64_t> at = nextPressNs(); at && *at > now)
        s.countdownSeconds = double(*at - now) / 1e9;
    return s;
}

void PhotoBranch::run(std::stop_token stop, gpu::Device& primary) {
    pthread_setname_np(pthread_self(), "rv-photo");
    // Before the device is made: its driver threads (lavapipe's) inherit this priority.
    if (auto r = setThreadPriority(ThreadPriority::Photo); !r)
        log::debug("photo branch: {}", r.error().message);
    while (!stop.stop_requested()) {
        {
            std::unique_lock lock(mutex_);
            pressDue(monotonicNs());
            const auto ready = [&] { return !handedOver_.empty() || !copied_.empty(); };
            if (!ready()) {
                // Sleep until a hand-over, a new request, or the next self-timer.
                const size_t requests = requests_.size();
                const auto woken = [&] { return ready() || requests_.size() != requests; };
                if (const std::optional<uint64_t> at = nextPressNs())
                    wake_.wait_until(lock, stop, std::chrono::steady_clock::time_point(std::chrono::nanoseconds(*at)),
                                     woken);
                else
                    wake_.wait(lock, stop, woken);
                continue;
            }
        }
        copyHandedOver();
        if (copied_.empty())
            continue;
        Job job = std::move(copied_.front());
        copied_.pop_front();
        PhotoOptions options;
        std::string model;
        uint64_t pressNs = 0;
        {
            std::lock_guard lock(mutex_);
            const Request* r = findRequest(job.requestId);
            if (!r)
                continue; // failed meanwhile
            options = r->options;
            model = r->model;
            pressNs = r->pressNs;
        }
        working_ = true;
        finishShot(job.requestId, shoot(job, options, model, pressNs, primary));
        working_ = !copied_.empty(); // a burst's next shot follows at once
        if (device_)
            device_->collectGarbage();
    }
}

void PhotoBranch::copyHandedOver() {
    while (true) {
        Job job;
        {
            std::lock_guard lock(mutex_);
            if (handedOver_.empty())
                return;
            job = std::move(handedOver_.front());
            handedOver_.pop_front();
        }
        if (auto r = copyFrame(job); !r) {
            job.frame = {}; // back to the camera
            finishShot(job.requestId, std::unexpected(r.error()));
            continue;
        }
        copied_.push_back(std::move(job));
    }
}

Result<void> PhotoBranch::copyFrame(Job& job) {
    if (!allocator_) {
        // memfd: page-aligned shared memory the GPU imports in place (host-pointer import).
        auto allocator = BufferAllocator::create({.order = {BufferKind::Memfd}});
        if (!allocator)
            return std::unexpected(allocator.error());
        allocator_.emplace(std::move(*allocator));
    }
    CapturedFrame& f = job.frame.frame;
    const size_t bytes = f.uvOffset + size_t(f.stride) * ((f.height + 1) / 2);
    auto buffer = allocator_->allocate(bytes);
    if (!buffer)
        return std::unexpected(buffer.error());
    auto copy = std::make_shared<OwnedFrame>(std::move(*buffer));
    std::memcpy(copy->buffer.data(), f.memory->data, bytes);
    f.memory = &copy->memory;
    f.release = copy; // the camera's buffer goes back here
    return {};
}

Result<void> PhotoBranch::ensureDevice(gpu::Device& primary) {
    if (device_)
        return {};
    auto device = gpu::Device::createCompanion(primary, gpu::QueuePriority::Background);
    if (!device)
        return std::unexpected(device.error());
    auto importer = gpu::FrameImporter::create(**device);
    if (!importer)
        return std::unexpected(importer.error());
    auto submitter = gpu::Submitter::create(**device, 2, 24);
    if (!submitter)
        return std::unexpected(submitter.error());
    auto crop = stages::CropScale::create(**device);
    if (!crop)
        return std::unexpected(crop.error());
    device_ = std::move(*device);
    importer_.emplace(std::move(*importer));
    submitter_.emplace(std::move(*submitter));
    cropScale_ = std::move(*crop);
    return {};
}

Result<void> PhotoBranch::ensureSize(const photo::PhotoPlan& photo, const std::vector<photo::Strip>& strips) {
    if (!chains_.empty() && width_ == photo.width && height_ == photo.height && scale_ == photo.scale)
        return {};
    releaseSizeResources();
    uint32_t maxRows = 0;
    for (const photo::Strip& s : strips) {
        maxRows = std::max(maxRows, s.rows);
        if (chains_.contains(s.rows))
            continue;
        auto chain = stages::StageChain::create(*device_, photo.width, s.rows, photo.scale);
        if (!chain)
            return std::unexpected(chain.error());
        chains_.emplace(s.rows, std::move(*chain));
    }
    const VkDeviceSize stripBytes = VkDeviceSize(photo.width) * maxRows * 4;
    const VkBufferUsageFlags usage =
        VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    auto work = gpu::Buffer::create(*device_, stripBytes, usage, gpu::MemoryUse::GpuOnly);
    if (!work)
        return std::unexpected(work.error());
    auto strip = gpu::Buffer::create(*device_, stripBytes, usage, gpu::MemoryUse::GpuOnly);
    if (!strip)
        return std::unexpected(strip.error());
    auto out = gpu::Buffer::create(*device_, VkDeviceSize(photo.width) * photo.height * 4,
                                   VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::Readback);
    if (!out)
        return std::unexpected(out.error());
    work_ = std::move(*work);
    strip_ = std::move(*strip);
    out_ = std::move(*out);
    width_ = photo.width;
    height_ = photo.height;
    scale_ = photo.scale;
    return {};
}

void PhotoBranch::releaseSizeResources() {
    if (gpuPending_)
        return; // a timed-out submission may still use them
    chains_.clear();
    work_ = {};
    strip_ = {};
    out_ = {};
    width_ = height_ = 0;
    scale_ = 0;
}

Result<void> PhotoBranch::recordStrips(VkCommandBuffer cmd, const stages::Nv12Buffer& frame,
                                       const photo::PhotoPlan& photo, const std::vector<photo::Strip>& strips,
                                       const std::vector<analysis::FaceBox>& faces, uint32_t seed) {
    const VkDeviceSize rowBytes = VkDeviceSize(photo.width) * 4;
    const VkDescriptorBufferInfo work{work_.get(), 0, VK_WHOLE_SIZE}, strip{strip_.get(), 0, VK_WHOLE_SIZE};
    std::vector<analysis::FaceBox> stripFaces;
    for (const photo::Strip& s : strips) {
        const CropPlan plan = photo::stripPlan(photo.crop, s.first, s.rows);
        stages::StageChain& chain = chains_.at(s.rows);
        chain.setStrip(s.first, photo.height);
        stripFaces.assign(faces.begin(), faces.end());
        for (analysis::FaceBox& f : stripFaces)
            f.y -= float(s.first);
        chain.setFaces(stripFaces);
        // The previous strip's copy and chain have read what this one overwrites.
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_TRANSFER_READ_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        {
            const gpu::ScopedSpan span(&*submitter_, "photo crop_scale");
            RV_TRY(cropScale_.record(cmd, frame, plan, work));
        }
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_TRANSFER_READ_BIT);
        RV_TRY(chain.record(cmd, work, strip, seed, &*submitter_));
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        const VkBufferCopy kept{(s.keepFirst - s.first) * rowBytes, s.keepFirst * rowBytes, s.keepRows * rowBytes};
        device_->vk().vkCmdCopyBuffer(cmd, strip_.get(), out_.get(), 1, &kept);
    }
    return {};
}

Result<void> PhotoBranch::waitGpu(uint64_t value) {
    const uint64_t deadline = monotonicNs() + kGpuTimeoutNs;
    while (device_->completedTimelineValue() < value) {
        copyHandedOver(); // burst frames leave the camera's buffers while this one runs
        if (monotonicNs() > deadline) {
            gpuPending_ = true;
            return fail(ErrorCode::Internal, std::format("the photo's GPU work did not finish within {} s",
                                                         kGpuTimeoutNs / 1'000'000'000));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    gpuPending_ = false;
    return {};
}

Result<PhotoShot> PhotoBranch::shoot(const Job& job, const PhotoOptions& o, const std::string& model, uint64_t pressNs,
                                     gpu::Device& primary) {
    const CapturedFrame& frame = job.frame.frame;
    if (auto r = ensureDevice(primary); !r)
        return std::unexpected(r.error());
    auto plan = photo::planPhoto(frame.width, frame.height, job.frame.panelPlan, job.frame.geometry, o);
    if (!plan)
        return std::unexpected(plan.error());
    // In strips of rows when the image is larger than a storage buffer binding (lavapipe's is
    // 128 MiB: a 50 MP RGBA8 image is 200 MB).
    auto strips = photo::planStrips(plan->width, plan->height, device_->limits().maxStorageBufferRange,
                                    BeautyGrid::cellFor(plan->scale));
    if (!strips)
        return std::unexpected(strips.error());
    if (auto r = ensureSize(*plan, *strips); !r)
        return std::unexpected(r.error());
    for (auto& [rows, chain] : chains_)
        if (auto r = chain.apply(job.frame.stages ? *job.frame.stages : std::vector<StageParams>{}); !r)
            return std::unexpected(r.error());

    auto in = importer_->acquire(frame);
    if (!in)
        return std::unexpected(in.error());
    auto cmd = submitter_->begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    const stages::Nv12Buffer nv12{in->buffer,   in->offset,               in->size,     frame.width,     frame.height,
                                  frame.stride, uint32_t(frame.uvOffset), frame.stride, frame.colorSpace};
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    const Result<void> recorded =
        recordStrips(*cmd, nv12, *plan, *strips, photo::facesOnPhoto(job.frame.faces, job.frame.panelPlan, *plan),
                     uint32_t(frame.sequence));
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    // Submitted whatever happened above, so the submitter's slot stays consistent.
    auto value = submitter_->submit();
    if (!value)
        return std::unexpected(value.error());
    importer_->submitted(*in, *value);
    if (auto r = waitGpu(*value); !r)
        return std::unexpected(r.error());
    if (!recorded)
        return std::unexpected(recorded.error());
    double gpuMs = 0;
    if (auto spans = submitter_->spans(*value))
        for (const gpu::GpuSpan& s : *spans)
            gpuMs += s.ms;

    const uint64_t encodeStart = monotonicNs();
    out_.invalidate();
    const auto* pixels = reinterpret_cast<const uint8_t*>(out_.mapped());
    photo::ExifFields exif{.model = model,
                           .software = "rearview",
                           .captureRealtimeNs = realtimeOf(frame.timestampNs),
                           .orientation = plan->exifOrientation,
                           .width = plan->width,
                           .height = plan->height};
    if (frame.exposureUs > 0)
        exif.exposureSeconds = double(frame.exposureUs) / 1e6;
    if (frame.analogueGain > 0)
        exif.analogueGain = frame.analogueGain;
    auto block = photo::buildExif(exif);
    if (!block)
        return std::unexpected(block.error());
    auto jpeg = photo::encodeJpeg(pixels, plan->width, plan->height,
                                  size_t(plan->width) * 4, o.quality, *block);
    if (!jpeg)
        return std::unexpected(jpeg.error());
    const double encodeMs = double(monotonicNs() - encodeStart) / 1e6;
    const std::string path = shotPath(o.path, job.shot, o.burst);
    if (auto r = writeFileAtomically(path, *jpeg); !r)
        return std::unexpected(r.error());
    const uint64_t writtenNs = monotonicNs();
    log::info("photo of frame {} ({}x{}, {:.0f} ms GPU, {:.0f} ms encode, {} KiB) written to {}", frame.sequence,
              plan->width, plan->height, gpuMs, encodeMs, jpeg->size() >> 10, path);
    return PhotoShot{.path = path,
                     .width = plan->width,
                     .height = plan->height,
                     .sequence = frame.sequence,
                     .sensorTimestampNs = frame.timestampNs,
                     .zeroShutterLag = job.zeroShutterLag,
                     .shutterLagMs = (double(int64_t(frame.timestampNs) - int64_t(pressNs))) / 1e6,
                     .pressToWrittenMs = double(writtenNs - pressNs) / 1e6,
                     .gpuMs = gpuMs,
                     .encodeMs = encodeMs,
                     .bytes = jpeg->size()};
}

PhotoBranch::Request* PhotoBranch::findRequest(uint64_t id) {
    const auto it = std::find_if(requests_.begin(), requests_.end(), [&](const Request& r) { return r.id == id; });
    return it == requests_.end() ? nullptr : &*it;
}

void PhotoBranch::finishShot(uint64_t requestId, Result<PhotoShot> shot) {
    bool ended = false;
    {
        std::lock_guard lock(mutex_);
        Request* r = findRequest(requestId);
        if (!r)
            return;
        if (!shot) {
            log::warn("photo failed: {}", shot.error().message);
            ++stats_.failed;
            r->promise.set_value(std::unexpected(shot.error()));
            // Its other frames are let go, on the camera's buffers or copied.
            std::erase_if(handedOver_, [&](const Job& j) { return j.requestId == requestId; });
            std::erase_if(copied_, [&](const Job& j) { return j.requestId == requestId; });
            ended = true;
        } else {
            ++stats_.taken;
            stats_.bytes += shot->bytes;
            if (!shot->zeroShutterLag)
                ++stats_.notZeroShutterLag;
            shutterLag_.add(shot->shutterLagMs);
            pressToWritten_.add(shot->pressToWrittenMs);
            gpuMs_.add(shot->gpuMs);
            encodeMs_.add(shot->encodeMs);
            r->result.shots.push_back(std::move(*shot));
            ended = ++r->written == r->options.burst;
            if (ended)
                r->promise.set_value(std::move(r->result));
        }
        if (ended)
            std::erase_if(requests_, [&](const Request& q) { return q.id == requestId; });
    }
    // The photo-size buffers (three full-size RGBA images) are not kept between photos; freed
    // outside the lock, which the pipeline thread takes every frame.
    if (ended && copied_.empty())
        releaseSizeResources();
}

} // namespace rearview::viewfinder
