// SPDX-License-Identifier: MIT
#include "viewfinder/record_branch.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/thread_priority.hpp"
#include "record/encode_probe.hpp"

#include <pthread.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <format>
#include <map>

namespace rearview::viewfinder {
namespace {

ThreadPriority threadPriority(RecordPriority priority) {
    switch (priority) {
    case RecordPriority::Protected: return ThreadPriority::Recording;
    case RecordPriority::Normal: return ThreadPriority::Processing;
    case RecordPriority::Background: return ThreadPriority::Background;
    }
    return ThreadPriority::Recording;
}

} // namespace

bool RecordRate::take(uint64_t timestampNs) {
    if (dueNs_ && timestampNs + periodNs_ / 10 < *dueNs_)
        return false;
    // Keep the phase for even decimation, unless the frame is a whole period late (a gap, or a
    // camera slower than the record rate): then catching up would take frames in a burst.
    const uint64_t next = dueNs_ ? *dueNs_ + periodNs_ : timestampNs + periodNs_;
    dueNs_ = next + periodNs_ <= timestampNs + periodNs_ / 10 ? timestampNs + periodNs_ : next;
    return true;
}

Result<std::unique_ptr<RecordBranch>> RecordBranch::create(gpu::Device& device, Options options) {
    if (!(options.record.frameRate > 0))
        return fail(ErrorCode::InvalidArgument,
                    std::format("record frame rate {} must be positive", options.record.frameRate));
    if (options.record.resolution == RecordResolution::Auto && options.frameWidth == 0)
        return fail(ErrorCode::InvalidArgument, "an automatic record resolution needs the frames' size to measure on");
    std::unique_ptr<RecordBranch> b(new RecordBranch());
    b->rate_ = RecordRate(options.record.frameRate);
    b->options_ = std::move(options);
    std::promise<Result<void>> created;
    std::future<Result<void>> ready = created.get_future();
    RecordBranch* raw = b.get();
    b->thread_ = std::jthread([raw, &device, &created](std::stop_token stop) { raw->run(stop, device, created); });
    if (auto r = ready.get(); !r)
        return std::unexpected(r.error()); // the thread has ended; b's destructor joins it
    b->startNs_ = monotonicNs();
    b->stats_.recordRate = b->options_.record.frameRate;
    b->stats_.priority = b->options_.record.priority;
    b->stats_.plan = b->recordingPlan_;
    return b;
}

RecordBranch::~RecordBranch() {
    if (thread_.joinable()) {
        thread_.request_stop();
        thread_.join();
    }
    // Teardown: a submission whose wait timed out ("GPU work N did not finish") may still be on
    // the companion device; the pipelines, buffers, query pool and command pool destroyed with
    // the members must outlive it, however long it takes.
    if (device_)
        device_->waitQueueIdle();
}

void RecordBranch::run(std::stop_token stop, gpu::Device& primary, std::promise<Result<void>>& created) {
    pthread_setname_np(pthread_self(), "rv-record");
    // Before anything is created here: threads started from now on (the companion device's
    // driver threads, the encoder's) inherit this thread's priority.
    if (auto r = setThreadPriority(threadPriority(options_.record.priority)); !r)
        log::warn("record branch: {}", r.error().message);
    {
        auto r = setUp(primary);
        const bool ok = r.has_value();
        created.set_value(std::move(r)); // `created` is gone after this
        if (!ok)
            return;
    }
    while (!stop.stop_requested()) {
        CapturedFrame frame;
        {
            std::unique_lock lock(frameMutex_);
            if (!frameTaken_.wait(lock, stop, [&] { return !taken_.empty(); }))
                break;
            frame = std::move(taken_.front());
            taken_.pop_front();
            busy_ = true;
        }
        if (auto r = recordFrame(std::move(frame)); !r)
            setError(r.error());
        {
            std::lock_guard lock(frameMutex_);
            busy_ = false;
        }
        frameDone_.notify_all();
    }
    // A frame offered but never started goes back to its source with the thread.
    std::lock_guard lock(frameMutex_);
    taken_.clear();
    busy_ = false;
    frameDone_.notify_all();
}

Result<void> RecordBranch::setUp(gpu::Device& primary) {
    auto device = gpu::Device::createCompanion(primary);
    if (!device)
        return std::unexpected(device.error());
    device_ = std::move(*device);
    auto importer = gpu::FrameImporter::create(*device_);
    if (!importer)
        return std::unexpected(importer.error());
    importer_.emplace(std::move(*importer));
    auto submitter = gpu::Submitter::create(*device_, 2, 16);
    if (!submitter)
        return std::unexpected(submitter.error());
    submitter_.emplace(std::move(*submitter));
    auto scale = stages::RecordScale::create(*device_);
    if (!scale)
        return std::unexpected(scale.error());
    scale_ = std::move(*scale);
    // The stage list is checked (and its LUTs uploaded) and the sizes measured before the
    // recorder creates the file, so a bad list leaves nothing behind.
    if (auto r = choosePlan(); !r)
        return r;
    options_.record.resolution = recordingPlan_.resolution;
    auto recorder = record::Recorder::create(options_.record, width_, height_, options_.colorSpace);
    if (!recorder)
        return std::unexpected(recorder.error());
    recorder_ = std::move(*recorder);
    return {};
}

Result<void> RecordBranch::prepareSize(RecordResolution resolution) {
    const RecordSize size = sizeOf(resolution);
    width_ = size.width;
    height_ = size.height;
    recordingPlan_.resolution = resolution;
    plan_.reset();
    chain_.reset(); // sized for the previous size; made again on first need
    const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(width_, height_, options_.colorSpace);
    auto readback =
        gpu::Buffer::create(*device_, layout.size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Readback);
    if (!readback)
        return std::unexpected(readback.error());
    readback_ = std::move(*readback);
    return applyStages(options_.stages);
}

Result<double> RecordBranch::measureGpuMs() {
    const uint32_t fw = options_.frameWidth, fh = options_.frameHeight;
    const uint32_t stride = (fw + 3u) & ~3u; // the tight layout cameras write
    auto plan = planRecord(fw, fh, width_, height_);
    if (!plan)
        return std::unexpected(plan.error());
    const VkDeviceSize bytes = VkDeviceSize(stride) * fh + VkDeviceSize(stride) * ((fh + 1) / 2);
    auto source = gpu::Buffer::create(*device_, bytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                      gpu::MemoryUse::GpuOnly);
    if (!source)
        return std::unexpected(source.error());
    const stages::Nv12Buffer frame{source->get(), 0, bytes, fw, fh, stride, stride * fh, stride, options_.colorSpace};
    stages::Nv12Buffer dst = stages::RecordScale::outputLayout(width_, height_, options_.colorSpace);
    dst.buffer = readback_.get();
    plan_ = *plan;
    {
        auto cmd = submitter_->begin();
        if (!cmd)
            return std::unexpected(cmd.error());
        device_->vk().vkCmdFillBuffer(*cmd, source->get(), 0, VK_WHOLE_SIZE, 0x80808080u); // mid-grey
        if (auto filled = submitter_->submit(); !filled)
            return std::unexpected(filled.error());
    }
    // Two runs: the first pays for first use (pipeline caches, page faults); the second is timed.
    double ms = 0;
    for (int run = 0; run < 2; ++run) {
        Result<void> recorded;
        auto value = submitWork(frame, dst, recorded);
        if (!value)
            return std::unexpected(value.error());
        if (auto waited = device_->waitTimeline(*value); !waited)
            return std::unexpected(waited.error());
        if (!recorded)
            return std::unexpected(recorded.error());
        auto spans = submitter_->spans(*value);
        if (!spans)
            return std::unexpected(spans.error());
        ms = 0;
        for (const gpu::GpuSpan& span : *spans)
            ms += span.ms;
    }
    plan_.reset(); // the first recorded frame plans for its own size
    return ms;
}

Result<void> RecordBranch::choosePlan() {
    const RecordResolution requested = options_.record.resolution;
    const double rate = options_.record.frameRate;
    recordingPlan_ = RecordingPlan{.resolution = requested, .frameRate = rate};
    if (options_.frameWidth == 0) { // nothing to measure on: the size asked for, as it is
        recordingPlan_.sustained = true;
        return prepareSize(requested);
    }
    // The sizes the frames allow, smallest first.
    std::vector<RecordResolution> sizes;
    for (const RecordResolution r : {RecordResolution::Fhd, RecordResolution::Uhd4K, RecordResolution::Uhd8K}) {
        const RecordSize s = sizeOf(r);
        if (planRecord(options_.frameWidth, options_.frameHeight, s.width, s.height))
            sizes.push_back(r);
    }
    if (sizes.empty())
        return fail(ErrorCode::InvalidArgument, std::format("{}x{} frames are smaller than the smallest recording (1080p)",
                                                            options_.frameWidth, options_.frameHeight));
    std::map<RecordResolution, RecordCapacity> measured;
    const auto measure = [&](RecordResolution r) -> Result<const RecordCapacity*> {
        if (auto prepared = prepareSize(r); !prepared)
            return std::unexpected(prepared.error());
        auto gpuMs = measureGpuMs();
        if (!gpuMs)
            return std::unexpected(gpuMs.error());
        RecordCapacity c{.resolution = r, .gpuFps = *gpuMs > 0 ? 1000.0 / *gpuMs : 0.0};
        // The encoder is measured only where the GPU work keeps up: it is the slower probe.
        if (c.gpuFps >= 0.95 * rate) {
            RecordOptions o = options_.record;
            o.resolution = r;
            auto probe = record::probeEncodeFps(o, width_, height_, options_.colorSpace);
            if (!probe)
                return std::unexpected(probe.error());
            c.encodeFps = probe->fps;
            c.sharedCpu = !probe->hardware && device_->info().type == "cpu";
        }
        return &(measured[r] = c);
    };
    RecordResolution chosen = requested == RecordResolution::Auto ? sizes.front() : requested;
    if (requested != RecordResolution::Auto) {
        auto c = measure(requested);
        if (!c)
            return std::unexpected(c.error());
        // Falling short: what smaller sizes sustain, from the smallest up.
        if (!(*c)->sustains(rate))
            for (const RecordResolution r : sizes) {
                if (sizeOf(r).width >= sizeOf(requested).width)
                    break;
                auto smaller = measure(r);
                if (!smaller)
                    return std::unexpected(smaller.error());
                if (!(*smaller)->sustains(rate))
                    break;
            }
    } else {
        for (const RecordResolution r : sizes) {
            auto c = measure(r);
            if (!c)
                return std::unexpected(c.error());
            if (!(*c)->sustains(rate))
                break;
            chosen = r;
        }
    }
    recordingPlan_.sustained = measured.contains(chosen) && measured[chosen].sustains(rate);
    std::string summary;
    std::optional<RecordResolution> best;
    for (const RecordResolution r : sizes) {
        const auto it = measured.find(r);
        if (it == measured.end())
            continue;
        const RecordCapacity& c = it->second;
        recordingPlan_.measured.push_back(c);
        if (c.sustains(rate))
            best = r;
        summary += std::format("{}{}: {:.1f} fps (GPU {:.1f}{}{})", summary.empty() ? "" : "; ", toString(r), c.fps(),
                               c.gpuFps, c.encodeFps > 0 ? std::format(", encoder {:.1f}", c.encodeFps) : "",
                               c.sharedCpu ? ", on the same CPU" : "");
    }
    recordingPlan_.summary = std::format("{} at {:.3g} fps {}; measured {}", toString(chosen), rate,
                                recordingPlan_.sustained ? "is sustained"
                                : best          ? std::format("is not sustained here ({} is)", toString(*best))
                                                : std::string("is not sustained by any size here"),
                                summary);
    if (sizeOf(chosen).width != width_ || sizeOf(chosen).height != height_)
        return prepareSize(chosen);
    recordingPlan_.resolution = chosen;
    return {};
}

Result<void> RecordBranch::ensureConversion() {
    if (chain_)
        return {};
    auto toRgba = stages::Nv12ToRgba::create(*device_);
    if (!toRgba)
        return std::unexpected(toRgba.error());
    auto toNv12 = stages::RgbaToNv12::create(*device_);
    if (!toNv12)
        return std::unexpected(toNv12.error());
    auto recordLut = stages::RecordLut::create(*device_);
    if (!recordLut)
        return std::unexpected(recordLut.error());
    auto chain = stages::StageChain::create(*device_, width_, height_);
    if (!chain)
        return std::unexpected(chain.error());
    const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(width_, height_);
    auto scaled = gpu::Buffer::create(*device_, layout.size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::GpuOnly);
    if (!scaled)
        return std::unexpected(scaled.error());
    auto rgba = gpu::Buffer::create(*device_, VkDeviceSize(width_) * height_ * 4,
                                    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                    gpu::MemoryUse::GpuOnly);
    if (!rgba)
        return std::unexpected(rgba.error());
    toRgba_ = std::move(*toRgba);
    toNv12_ = std::move(*toNv12);
    recordLut_ = std::move(*recordLut);
    scaled_ = std::move(*scaled);
    rgba_ = std::move(*rgba);
    chain_.emplace(std::move(*chain));
    return {};
}

Result<void> RecordBranch::applyStages(const std::vector<StageParams>& stages) {
    if (stages.empty() && !chain_)
        return {};
    if (auto r = ensureConversion(); !r)
        return r;
    return chain_->apply(stages);
}

void RecordBranch::requestStages(std::vector<StageParams> stages) {
    std::lock_guard lock(pendingMutex_);
    pendingStages_ = std::move(stages);
}

std::optional<Error> RecordBranch::takeError(bool wait) {
    std::unique_lock lock(statsMutex_, std::defer_lock);
    if (wait)
        lock.lock();
    else if (!lock.try_lock())
        return std::nullopt; // taken at a later call
    return std::exchange(error_, std::nullopt);
}

void RecordBranch::setError(const Error& error) {
    std::lock_guard lock(statsMutex_);
    error_ = error;
}

Result<void> RecordBranch::recordWork(VkCommandBuffer cmd, const stages::Nv12Buffer& frame,
                                      const stages::Nv12Buffer& dst) {
    // Colour stages, or frames in another encoding than the file's (a camera switched while
    // recording), go through RGBA; otherwise the scaled planes are the recorded frame as they are.
    const bool throughRgba = (chain_ && !chain_->stages().empty()) || frame.colorSpace != dst.colorSpace;
    if (throughRgba)
        if (auto r = ensureConversion(); !r)
            return r;
    stages::Nv12Buffer scaled = dst;
    if (throughRgba) {
        scaled.buffer = scaled_.get();
        scaled.colorSpace = frame.colorSpace;
    }
    // The previous record frame's conversion may still read the intermediate buffers.
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_HOST_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                       VK_ACCESS_2_HOST_WRITE_BIT | VK_ACCESS_2_SHADER_STORAGE_READ_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                       VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    {
        const gpu::ScopedSpan span(&*submitter_, "record_scale");
        if (auto r = scale_.record(cmd, frame, *plan_, scaled); !r)
            return r;
    }
    if (throughRgba) {
        const VkDescriptorBufferInfo image{rgba_.get(), 0, rgba_.size()};
        const auto computeToCompute = [&] {
            gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                               VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        };
        computeToCompute();
        // A record list of one LUT (every shipped pipeline's) goes from the scaled planes to
        // the recorded frame in one pass, with no RGBA image between.
        const auto& stages = chain_->stages();
        const auto* onlyLut = stages.size() == 1 ? std::get_if<LutParams>(&stages[0]) : nullptr;
        if (const stages::Lut3d* lut = onlyLut ? chain_->lutFor(*onlyLut) : nullptr; lut && stages::RecordLut::fits(dst)) {
            const gpu::ScopedSpan span(&*submitter_, "lut");
            if (auto r = recordLut_.record(cmd, scaled, dst, *lut, *onlyLut); !r)
                return r;
            gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
            return {};
        }
        {
            const gpu::ScopedSpan span(&*submitter_, "record_to_rgba");
            toRgba_.record(cmd, scaled, image);
        }
        computeToCompute();
        if (auto r = chain_->record(cmd, image, image, seed_++, &*submitter_); !r)
            return r;
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
        const gpu::ScopedSpan span(&*submitter_, "record_to_nv12");
        if (auto r = toNv12_.record(cmd, image, dst); !r)
            return r;
    }
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    return {};
}

void RecordBranch::offer(const CapturedFrame& frame) {
    if (!accepting_.load() || !rate_.take(frame.timestampNs))
        return;
    // The lock's other holder is the branch's thread, which may run at background priority:
    // the pipeline thread only tries it, and skips the frame when it is held.
    bool taken = false;
    if (std::unique_lock lock(frameMutex_, std::try_to_lock); lock.owns_lock()) {
        if (closed_)
            return;
        // Frames wait while the previous one is recorded, so a burst of slow frames (timing
        // jitter, a recording starting while the governor makes room) loses nothing.
        if (taken_.size() < kWaitingFrames) {
            taken_.push_back(frame);
            taken = true;
        }
    }
    if (taken)
        frameTaken_.notify_one();
    ++framesSelected_;
    // A frame being recorded and kWaitingFrames waiting: the branch cannot keep up with the
    // record rate, and waiting would stall the viewfinder.
    if (!taken)
        ++framesSkipped_;
}

Result<uint64_t> RecordBranch::submitWork(const stages::Nv12Buffer& frame, const stages::Nv12Buffer& dst,
                                          Result<void>& recorded) {
    auto cmd = submitter_->begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    // The camera or the CPU (or, measuring, a fill) wrote the frame's memory.
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_HOST_BIT | VK_PIPELINE_STAGE_2_CLEAR_BIT,
                       VK_ACCESS_2_HOST_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    // The command buffer is in recording state either way; a failed one is submitted as far as
    // it got (and waited for by the caller, so a frame is never released under the GPU).
    recorded = recordWork(*cmd, frame, dst);
    return submitter_->submit();
}

Result<void> RecordBranch::recordFrame(CapturedFrame frame) {
    // The recording may have stopped by itself (disk full): no more frames are taken.
    if (!recorder_->recording()) {
        accepting_ = false;
        return {};
    }
    std::optional<std::vector<StageParams>> request;
    {
        std::lock_guard lock(pendingMutex_);
        request.swap(pendingStages_);
    }
    if (request)
        if (auto r = applyStages(*request); !r) {
            log::at(LogLevel::Warning, "record stages not changed: {}", r.error().message);
            setError(r.error());
        }
    if (!plan_ || planWidth_ != frame.width || planHeight_ != frame.height) {
        auto plan = planRecord(frame.width, frame.height, width_, height_);
        if (!plan)
            return std::unexpected(plan.error());
        plan_ = *plan;
        planWidth_ = frame.width;
        planHeight_ = frame.height;
    }
    auto in = importer_->acquire(frame);
    if (!in)
        return std::unexpected(in.error());
    const stages::Nv12Buffer nv12{in->buffer,   in->offset,               in->size,     frame.width,     frame.height,
                                  frame.stride, uint32_t(frame.uvOffset), frame.stride, frame.colorSpace};
    stages::Nv12Buffer dst = stages::RecordScale::outputLayout(width_, height_, options_.colorSpace);
    dst.buffer = readback_.get();
    Result<void> recorded;
    auto value = submitWork(nv12, dst, recorded);
    if (!value)
        return std::unexpected(value.error());
    importer_->submitted(*in, *value);
    auto waited = device_->waitTimeline(*value);
    if (!waited)
        return std::unexpected(waited.error()); // the frame stays held: the GPU may still read it
    const uint64_t timestampNs = frame.timestampNs;
    frame = {}; // back to the camera as soon as the GPU is done with it
    if (!recorded)
        return std::unexpected(recorded.error());
    handOver(*value, timestampNs);
    return {};
}

void RecordBranch::handOver(uint64_t value, uint64_t timestampNs) {
    auto spans = submitter_->spans(value);
    const uint64_t startNs = monotonicNs();
    std::optional<record::RecordFrame> frame = recorder_->acquireFrame();
    uint64_t bytes = 0;
    if (frame) {
        // The one CPU copy of a recorded frame: readback memory into the encoder's pooled frame.
        const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(width_, height_);
        readback_.invalidate();
        const auto* src = reinterpret_cast<const uint8_t*>(readback_.mapped());
        auto copyPlane = [&](const uint8_t* from, uint32_t fromStride, uint8_t* to, uint32_t toStride, uint32_t rows) {
            if (fromStride == toStride) {
                std::memcpy(to, from, size_t(fromStride) * rows);
            } else {
                for (uint32_t r = 0; r < rows; ++r)
                    std::memcpy(to + size_t(r) * toStride, from + size_t(r) * fromStride, width_);
            }
            bytes += size_t(std::min(fromStride, toStride)) * rows;
        };
        copyPlane(src, layout.yStride, frame->y(), frame->yStride, height_);
        copyPlane(src + layout.uvOffset, layout.uvStride, frame->uv(), frame->uvStride, height_ / 2);
        frame->timestampNs = timestampNs;
        recorder_->submit(std::move(*frame));
    }
    encoderDrops_ = recorder_->stats().framesDropped;
    const double copyMs = double(monotonicNs() - startNs) / 1e6;
    std::lock_guard lock(statsMutex_);
    // Without a pooled frame the recorder has already counted the frame as submitted and
    // dropped; it was recorded on the GPU all the same.
    ++stats_.framesRecorded;
    stats_.bytesCopied += bytes;
    if (frame)
        copyMs_.add(copyMs);
    if (spans)
        stageTimes_.add(*spans);
}

Result<void> RecordBranch::finish(std::chrono::milliseconds timeout) {
    std::unique_lock lock(frameMutex_);
    closed_ = true;
    if (!frameDone_.wait_for(lock, timeout, [&] { return !busy_ && taken_.empty(); }))
        return fail(ErrorCode::DeviceLost,
                    std::format("the record branch did not finish its last frame within {} ms", timeout.count()));
    return {};
}

RecordingStats RecordBranch::stats() const {
    RecordingStats s;
    {
        std::lock_guard lock(statsMutex_);
        s = stats_;
        s.framesSelected = framesSelected_.load();
        s.framesSkipped = framesSkipped_.load();
        s.gpuMs = {stageTimes_.total().p50(), stageTimes_.total().p99()};
        s.copyMs = {copyMs_.p50(), copyMs_.p99()};
        s.gpuStages = stageTimes_.medians();
    }
    s.seconds = double(monotonicNs() - startNs_) / 1e9;
    s.encoder = recorder_->stats();
    s.active = s.encoder.recording;
    s.stoppedByItself = !s.encoder.error.empty();
    return s;
}

} // namespace rearview::viewfinder
