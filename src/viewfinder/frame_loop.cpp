// SPDX-License-Identifier: MIT
#include "viewfinder/frame_loop.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/snapshot.hpp"

#include <pthread.h>

#include <cstring>
#include <format>

namespace rearview::viewfinder {

namespace {

constexpr auto kFrameWait = std::chrono::milliseconds(50);
constexpr uint32_t kMaxFramesInFlight = 3;

VkSemaphoreSubmitInfo timelineWait(const gpu::Device& device, uint64_t value) {
    VkSemaphoreSubmitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
    wait.semaphore = device.timeline();
    wait.value = value;
    wait.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    return wait;
}

} // namespace

Result<std::unique_ptr<FrameLoop>> FrameLoop::create(gpu::Device& device, present::Mailbox& mailbox, Options options) {
    if (mailbox.width() != options.panelWidth || mailbox.height() != options.panelHeight)
        return fail(ErrorCode::InvalidArgument,
                    std::format("mailbox of {}x{} for a {}x{} panel", mailbox.width(), mailbox.height(),
                                options.panelWidth, options.panelHeight));
    std::unique_ptr<FrameLoop> loop(new FrameLoop());
    loop->device_ = &device;
    loop->mailbox_ = &mailbox;
    auto importer = gpu::FrameImporter::create(device);
    if (!importer)
        return std::unexpected(importer.error());
    auto submitter = gpu::Submitter::create(device, 2, 24);
    if (!submitter)
        return std::unexpected(submitter.error());
    auto inFlight = gpu::FramesInFlight::create(device, kMaxFramesInFlight);
    if (!inFlight)
        return std::unexpected(inFlight.error());
    auto pass = stages::ViewfinderPass::create(device, options.panelWidth, options.panelHeight);
    if (!pass)
        return std::unexpected(pass.error());
    if (options.faces)
        if (auto r = pass->setFaceAnalysis(options.faces, options.faceEveryFrames); !r)
            return std::unexpected(r.error());
    auto overlay = stages::Overlay::create(device, options.panelWidth, options.panelHeight);
    if (!overlay)
        return std::unexpected(overlay.error());
    auto snapshot = gpu::Buffer::create(device, VkDeviceSize(options.panelWidth) * options.panelHeight * 4,
                                        VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::Readback);
    if (!snapshot)
        return std::unexpected(snapshot.error());
    loop->importer_.emplace(std::move(*importer));
    loop->submitter_.emplace(std::move(*submitter));
    loop->inFlight_.emplace(std::move(*inFlight));
    loop->pass_.emplace(std::move(*pass));
    loop->overlay_.emplace(std::move(*overlay));
    loop->snapshotBuffer_ = std::move(*snapshot);
    loop->geometry_ = options.geometry;
    loop->hudVisible_ = options.hud;
    loop->options_ = std::move(options);
    return loop;
}

FrameLoop::~FrameLoop() { stop(); }

void FrameLoop::start(FrameSource& source) {
    if (thread_.joinable())
        return;
    {
        std::lock_guard lock(statsMutex_);
        stoppedNs_ = 0;
    }
    thread_ = std::jthread([this, &source](std::stop_token stop) { run(stop, source); });
}

void FrameLoop::stop() {
    if (!thread_.joinable())
        return;
    thread_.request_stop();
    thread_.join();
    thread_ = {};
}

void FrameLoop::requestStages(std::vector<StageParams> stages) { pass_->requestStages(std::move(stages)); }

void FrameLoop::setGeometry(const ViewGeometry& geometry) {
    std::lock_guard lock(geometryMutex_);
    geometry_ = geometry;
}

ViewGeometry FrameLoop::geometry() const {
    std::lock_guard lock(geometryMutex_);
    return geometry_;
}

void FrameLoop::setHudVisible(bool visible) { hudVisible_ = visible; }

void FrameLoop::attachRecording(std::shared_ptr<RecordBranch> branch) {
    std::lock_guard lock(branchMutex_);
    branch_ = std::move(branch);
}

std::shared_ptr<RecordBranch> FrameLoop::detachRecording(std::chrono::milliseconds timeout) {
    std::shared_ptr<RecordBranch> branch;
    {
        std::lock_guard lock(branchMutex_);
        branch.swap(branch_);
    }
    if (branch) {
        if (auto r = branch->finish(timeout); !r)
            recordError(r.error());
        if (auto e = branch->takeError())
            recordError(*e);
    }
    return branch;
}

std::shared_ptr<RecordBranch> FrameLoop::recordBranch() const {
    std::lock_guard lock(branchMutex_);
    return branch_;
}

void FrameLoop::recordError(const Error& error) {
    log::warn("record branch: {}", error.message);
    std::lock_guard lock(statsMutex_);
    stats_.lastError = error;
}

void FrameLoop::offerRecording(const CapturedFrame& frame) {
    const std::shared_ptr<RecordBranch> branch = recordBranch();
    if (!branch)
        return;
    branch->offer(frame);
    if (auto e = branch->takeError(false))
        recordError(*e);
}

Result<void> FrameLoop::snapshot(const std::string& path, std::chrono::milliseconds timeout) {
    std::future<Result<void>> done;
    {
        std::lock_guard lock(snapshotMutex_);
        snapshotRequests_.push_back({path, {}});
        done = snapshotRequests_.back().done.get_future();
    }
    if (done.wait_for(timeout) != std::future_status::ready)
        return fail(ErrorCode::Internal,
                    std::format("no frame was finished within {} ms for the snapshot '{}'", timeout.count(), path));
    return done.get();
}

FrameLoopStats FrameLoop::stats() const {
    std::lock_guard lock(statsMutex_);
    FrameLoopStats s = stats_;
    s.captureFps = captureRate_.rate(stoppedNs_ ? stoppedNs_ : monotonicNs());
    s.sensorToReadyMs = {sensorToReady_.p50(), sensorToReady_.p99()};
    s.gpuFrameMs = stageTimes_.total().p50();
    s.gpuStages = stageTimes_.medians();
    return s;
}

void FrameLoop::run(std::stop_token stop, FrameSource& source) {
    pthread_setname_np(pthread_self(), "rv-pipeline");
    if (options_.tracer)
        options_.tracer->setThreadName("pipeline");
    while (!stop.stop_requested()) {
        auto next = source.nextFrame(kFrameWait);
        if (!next) {
            std::lock_guard lock(statsMutex_);
            ++stats_.frameErrors;
            if (!stats_.lastError || stats_.lastError->message != next.error().message)
                log::warn("frame source: {}", next.error().message);
            stats_.lastError = next.error();
            std::this_thread::sleep_for(kFrameWait); // a stopped or lost camera: do not spin
            continue;
        }
        if (!*next)
            continue;
        if (auto r = processFrame(std::move(**next)); !r) {
            log::warn("frame dropped: {}", r.error().message);
            std::lock_guard lock(statsMutex_);
            ++stats_.frameErrors;
            stats_.lastError = r.error();
        }
        inFlight_->collect();
        device_->collectGarbage();
    }
    {
        // Rates read later describe the run, not the wait below or the time since.
        std::lock_guard lock(statsMutex_);
        stoppedNs_ = monotonicNs();
    }
    // Every buffer the loop holds goes back to its source before the loop ends. The record
    // branch may still hold one (its GPU work runs at its own priority): a frame's release
    // handle keeps its buffer, and the source's memory, alive until it is dropped.
    if (auto r = inFlight_->drain(); !r)
        log::error("frames still on the GPU at stop: {}", r.error().message);
    std::lock_guard lock(snapshotMutex_);
    for (SnapshotRequest& request : snapshotRequests_)
        request.done.set_value(fail(ErrorCode::Internal, "the viewfinder stopped before the snapshot was taken"));
    snapshotRequests_.clear();
}

Result<void> FrameLoop::processFrame(CapturedFrame frame) {
    const uint64_t startNs = monotonicNs();
    {
        std::lock_guard lock(statsMutex_);
        ++stats_.framesCaptured;
        captureRate_.tick(startNs);
        stats_.frameWidth = frame.width;
        stats_.frameHeight = frame.height;
        stats_.colorSpace = frame.colorSpace;
    }
    auto in = importer_->acquire(frame);
    if (!in)
        return std::unexpected(in.error());

    const ViewGeometry geometry = this->geometry();
    if (!plan_ || geometry != planGeometry_ || frame.width != planFormat_.width || frame.height != planFormat_.height) {
        auto plan = planCrop(frame.width, frame.height, options_.panelWidth, options_.panelHeight, geometry);
        if (!plan)
            return std::unexpected(plan.error());
        plan_ = *plan;
        planGeometry_ = geometry;
        planFormat_ = {frame.width, frame.height, frame.stride, frame.uvOffset, frame.colorSpace};
    }

    const present::Mailbox::WriteSlot slot = mailbox_->beginWrite();
    auto cmd = submitter_->begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    // The camera (or the CPU) wrote the frame's memory.
    gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    const stages::Nv12Buffer nv12{in->buffer,   in->offset,               in->size,     frame.width,     frame.height,
                                  frame.stride, uint32_t(frame.uvOffset), frame.stride, frame.colorSpace};
    auto recorded = pass_->record(*cmd, nv12, *plan_, uint32_t(frame.sequence), &*submitter_);
    if (!recorded)
        return std::unexpected(recorded.error());
    if (recorded->applyError) {
        std::lock_guard lock(statsMutex_);
        stats_.lastError = recorded->applyError;
    }

    // The panel image goes into the mailbox slot; the HUD is drawn there, over the mirrored
    // image, so the working image stays clean for the face tap.
    {
        const gpu::ScopedSpan span(&*submitter_, "hud");
        const VkDescriptorBufferInfo working = pass_->workingImage();
        gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        const VkBufferCopy copy{working.offset, slot.buffer.offset, working.range};
        vkCmdCopyBuffer(*cmd, working.buffer, slot.buffer.buffer, 1, &copy);
        if (hudVisible_ && options_.hudText) {
            gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                               VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
            overlay_->setVisible(true);
            overlay_->setText(options_.hudText());
            if (auto r = overlay_->record(*cmd, slot.buffer); !r)
                return std::unexpected(r.error());
        }
    }
    bool snapshotWanted = false;
    {
        std::lock_guard lock(snapshotMutex_);
        snapshotWanted = !snapshotRequests_.empty();
    }
    if (snapshotWanted) {
        gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        const VkBufferCopy copy{slot.buffer.offset, 0, snapshotBuffer_.size()};
        vkCmdCopyBuffer(*cmd, slot.buffer.buffer, snapshotBuffer_.get(), 1, &copy);
        gpu::memoryBarrier(*cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    }

    // The presenter may still be reading this slot from an earlier refresh.
    const VkSemaphoreSubmitInfo slotFree = timelineWait(*device_, slot.waitValue);
    auto value = submitter_->submit(std::span(&slotFree, slot.waitValue ? 1 : 0));
    if (!value)
        return std::unexpected(value.error());
    pass_->submitted(*value, frame.timestampNs);
    overlay_->submitted(*value);
    const uint64_t submittedNs = monotonicNs();

    auto waited = device_->waitTimeline(*value);
    const uint64_t readyNs = monotonicNs();
    const present::ReadyFrame ready{frame.sequence, frame.timestampNs, readyNs, *value};
    if (waited)
        mailbox_->publish(slot.index, ready);
    auto spans = waited ? submitter_->spans(*value) : Result<std::vector<gpu::GpuSpan>>{};
    // The record branch takes its copy of the frame (and of its release handle) after the
    // panel's frame was published; it runs on its own thread and device.
    if (waited)
        offerRecording(frame);
    importer_->submitted(*in, *value);
    const uint64_t sequence = frame.sequence, sensorNs = frame.timestampNs;
    // Held until the GPU is done with it, whatever happened above.
    if (auto r = inFlight_->hold(std::move(frame), *value); !r)
        return std::unexpected(r.error());
    if (!waited)
        return std::unexpected(waited.error());
    if (snapshotWanted)
        finishSnapshot(ready);

    {
        std::lock_guard lock(statsMutex_);
        ++stats_.framesProcessed;
        // The first stage list applied is the one the viewfinder started with.
        stats_.pipelineSwitches = recorded->generation > 1 ? recorded->generation - 1 : 0;
        sensorToReady_.add(double(readyNs - std::min(readyNs, sensorNs)) / 1e6);
        const gpu::ImportStats& imports = importer_->stats();
        stats_.importPath.assign(gpu::toString(imports.lastPath)); // reuses its storage every frame
        stats_.bytesCopied = imports.bytesCopiedTotal;
        if (spans)
            stageTimes_.add(*spans);
    }
    if (Tracer* t = options_.tracer) {
        t->complete(std::format("frame {}", sequence), "pipeline", startNs, readyNs - startNs, "pipeline");
        t->complete("capture → ready", "latency", sensorNs, readyNs - std::min(readyNs, sensorNs), "frames");
        // GPU spans carry durations only; they are laid out back to back ending when the
        // frame was found finished.
        if (spans) {
            uint64_t gpuNs = 0;
            for (const gpu::GpuSpan& s : *spans)
                gpuNs += uint64_t(s.ms * 1e6);
            uint64_t at = std::max(submittedNs, readyNs - std::min(readyNs, gpuNs));
            for (const gpu::GpuSpan& s : *spans) {
                t->complete(s.name, "gpu", at, uint64_t(s.ms * 1e6), "GPU");
                at += uint64_t(s.ms * 1e6);
            }
        }
    }
    return {};
}

void FrameLoop::finishSnapshot(const present::ReadyFrame& ready) {
    snapshotBuffer_.invalidate();
    RgbaImage image(options_.panelWidth, options_.panelHeight);
    std::memcpy(image.pixels.data(), snapshotBuffer_.mapped(), image.pixels.size());
    std::vector<SnapshotRequest> requests;
    {
        std::lock_guard lock(snapshotMutex_);
        requests.swap(snapshotRequests_);
    }
    for (SnapshotRequest& request : requests) {
        auto written = writePng(image, request.path);
        if (written)
            log::info("snapshot of frame {} written to {}", ready.sequence, request.path);
        request.done.set_value(written);
    }
    std::lock_guard lock(statsMutex_);
    stats_.snapshots += requests.size();
}

} // namespace rearview::viewfinder
