// SPDX-License-Identifier: MIT
#include "viewfinder/frame_loop.hpp"

#include "core/clock.hpp"
#include "core/test_hooks.hpp"
#include "core/log.hpp"
#include "core/snapshot.hpp"
#include "core/thread_priority.hpp"

#include <pthread.h>

#include <cstring>
#include <format>

namespace rearview::viewfinder {

namespace {

constexpr auto kFrameWait = std::chrono::milliseconds(50);
/// How often finished panel frames are looked for while frames are in flight: the most a
/// frame's ready time (and its publication) lags its GPU completion.
constexpr auto kCompletionPoll = std::chrono::milliseconds(1);

VkSemaphoreSubmitInfo timelineWait(const gpu::Device& device, uint64_t value) {
    VkSemaphoreSubmitInfo wait{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
    wait.semaphore = device.timeline();
    wait.value = value;
    wait.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    return wait;
}

} // namespace

Result<void> FrameLoop::checkFramesInFlight(uint32_t framesInFlight) {
    if (framesInFlight < 1 || framesInFlight > 4)
        return fail(ErrorCode::InvalidArgument, std::format("{} panel frames in flight: use 1..4", framesInFlight));
    return {};
}

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
    if (auto ok = checkFramesInFlight(options.framesInFlight); !ok)
        return std::unexpected(ok.error());
    if (mailbox.writesInFlight() < options.framesInFlight)
        return fail(ErrorCode::InvalidArgument,
                    std::format("a mailbox for {} writes in flight cannot take {} panel frames in flight",
                                mailbox.writesInFlight(), options.framesInFlight));
    if (&mailbox.writer() != &device)
        return fail(ErrorCode::InvalidArgument, "the mailbox's writer must be the frame loop's device");
    // One command buffer more than frames in flight, so recording the next never waits.
    auto submitter = gpu::Submitter::create(device, options.framesInFlight + 1, 24);
    if (!submitter)
        return std::unexpected(submitter.error());
    // Panel frames in flight plus the frame being processed and one the record branch holds.
    auto inFlight = gpu::FramesInFlight::create(device, options.framesInFlight + 2);
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
    loop->tap_ = std::make_unique<FrameTap>(device, options.panelWidth, options.panelHeight, options.framesInFlight);
    loop->photo_ = PhotoBranch::create(device, {.ringFrames = options.photoRingFrames, .onPanel = options.onPanel});
    loop->governor_.emplace(options.governor, options.faces ? options.faceEveryFrames : 0);
    loop->geometry_ = options.geometry;
    loop->hudVisible_ = options.hud;
    loop->options_ = std::move(options);
    return loop;
}

FrameLoop::~FrameLoop() {
    stop();
    // Teardown: a frame whose wait timed out may still be on the GPU; its pipelines, buffers
    // and command buffers (members below) must outlive it, however long it takes.
    if (device_)
        device_->waitQueueIdle();
}

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
    // No callback after stop(): the app may destroy what its tap uses once it returns.
    (void)tap_->set({});
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
    // Below the panel's refresh and a recording (docs/viewfinder.md, "Priorities under load").
    if (auto r = setThreadPriority(ThreadPriority::Processing); !r)
        log::debug("pipeline thread: {}", r.error().message);
    if (options_.tracer)
        options_.tracer->setThreadName("pipeline");
    while (!stop.stop_requested()) {
        completeFrames(false);
        auto next = source.nextFrame(panelFrames_.empty() ? kFrameWait : kCompletionPoll);
        if (!next) {
            std::lock_guard lock(statsMutex_);
            ++stats_.frameErrors;
            if (!stats_.lastError || stats_.lastError->message != next.error().message)
                log::warn("frame source: {}", next.error().message);
            stats_.lastError = next.error();
            std::this_thread::sleep_for(kFrameWait); // a stopped or lost camera: do not spin
            continue;
        }
        if (!*next) {
            // No frame for a whole wait with none of ours on the GPU: the source may be out of
            // buffers, so the photo ring lets go of its own (a photo then takes the next frame).
            if (panelFrames_.empty())
                photo_->releaseRing();
            continue;
        }
        if (auto r = handleFrame(std::move(**next)); !r) {
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
    // The frames already on the GPU reach the panel; then every buffer the loop holds goes
    // back to its source before the loop ends. The record branch may still hold one (its GPU
    // work runs at its own priority): a frame's release handle keeps its buffer, and the
    // source's memory, alive until it is dropped.
    completeFrames(true);
    photo_->releaseRing();
    if (auto r = inFlight_->drain(); !r)
        log::error("frames still on the GPU at stop: {}", r.error().message);
    std::lock_guard lock(snapshotMutex_);
    for (SnapshotRequest& request : snapshotRequests_)
        request.done.set_value(fail(ErrorCode::Internal, "the viewfinder stopped before the snapshot was taken"));
    snapshotRequests_.clear();
}

Result<void> FrameLoop::handleFrame(CapturedFrame frame) {
    const uint64_t nowNs = monotonicNs();
    const std::shared_ptr<RecordBranch> branch = recordBranch();
    if (branch && branch->options().priority != RecordPriority::Background)
        governor_->recordLosses(branch->losses());
    governor_->hold(panelHeld_.load());
    governor_->yieldToPhoto(photo_->working());
    bool process = governor_->admit(nowNs);
    if (process && panelFrames_.size() >= options_.framesInFlight) {
        completeFrames(false);
        if (panelFrames_.size() >= options_.framesInFlight) {
            governor_->pipelineFull();
            process = false;
        }
    }
    Result<void> processed;
    if (process) {
        pass_->setFaceEveryFrames(governor_->faceEveryFrames());
        processed = processFrame(frame);
    }
    // Every frame goes to the photo ring and the record branch, processed for the panel or not;
    // each takes its own copy of the frame and its release handle.
    if (plan_)
        photo_->offer(frame, process && processed, *plan_, planGeometry_, stages_, pass_->faces());
    if (branch) {
        branch->offer(frame);
        if (auto e = branch->takeError(false))
            recordError(*e);
    }
    std::lock_guard lock(statsMutex_);
    ++stats_.framesCaptured;
    captureRate_.tick(nowNs);
    stats_.frameWidth = frame.width;
    stats_.frameHeight = frame.height;
    stats_.colorSpace = frame.colorSpace;
    stats_.governor = governor_->stats();
    return processed;
}

Result<void> FrameLoop::processFrame(CapturedFrame& frame) {
    const uint64_t startNs = monotonicNs();
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

    auto cmd = submitter_->begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    const present::Mailbox::WriteSlot slot = mailbox_->beginWrite();
    std::optional<uint32_t> tapBuffer;
    // The command buffer is recording from here on: whatever fails below, it is submitted as
    // far as it got (so the submitter's slot is consistent) and the mailbox slot given back.
    const auto abandon = [&](const Error& error) -> Result<void> {
        mailbox_->abandon(slot.index);
        if (tapBuffer)
            tap_->abandon(*tapBuffer);
        if (auto value = submitter_->submit(); value) {
            importer_->submitted(*in, *value);
            (void)inFlight_->hold(frame, *value); // a copy: the record branch still gets the frame
        }
        return std::unexpected(error);
    };
    // The camera (or the CPU) wrote the frame's memory.
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
    const stages::Nv12Buffer nv12{in->buffer,   in->offset,               in->size,     frame.width,     frame.height,
                                  frame.stride, uint32_t(frame.uvOffset), frame.stride, frame.colorSpace};
    // The pass writes the panel image straight into the mailbox slot.
    auto recorded = pass_->record(*cmd, nv12, *plan_, slot.buffer, uint32_t(frame.sequence), &*submitter_);
    if (!recorded)
        return abandon(recorded.error());
    if (recorded->applyError) {
        std::lock_guard lock(statsMutex_);
        stats_.lastError = recorded->applyError;
    }
    if (!stages_ || recorded->generation != stagesGeneration_) {
        stages_ = std::make_shared<const std::vector<StageParams>>(pass_->chain().stages());
        stagesGeneration_ = recorded->generation;
    }

    const VkPipelineStageFlags2 computeOrCopy = VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT;
    const VkAccessFlags2 written = VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT;
    const VkDeviceSize panelBytes = snapshotBuffer_.size();
    // The frame tap takes the image under the HUD before the HUD is drawn, or as shown after.
    bool tapHud = false;
    tapBuffer = tap_->acquire(tapHud);
    tapHud = tapHud && hudVisible_ && options_.hudText;
    const auto copyOut = [&](VkBuffer to) {
        gpu::memoryBarrier(*device_, *cmd, computeOrCopy, written, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        const VkBufferCopy copy{slot.buffer.offset, 0, panelBytes};
        device_->vk().vkCmdCopyBuffer(*cmd, slot.buffer.buffer, to, 1, &copy);
    };
    if (tapBuffer && !tapHud)
        copyOut(tap_->buffer(*tapBuffer));

    // The HUD is drawn over the mirrored panel image in the slot, and a photo's countdown or
    // shutter blink also while the HUD is hidden.
    const bool hud = hudVisible_ && options_.hudText;
    std::optional<std::string> notice = photo_->notice(startNs);
    if (hud || notice) {
        const gpu::ScopedSpan span(&*submitter_, "hud");
        gpu::memoryBarrier(*device_, *cmd, computeOrCopy, written, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        std::vector<std::string> lines = hud ? options_.hudText() : std::vector<std::string>{};
        if (notice)
            lines.insert(lines.begin(), std::move(*notice));
        overlay_->setVisible(true);
        overlay_->setText(lines);
        if (auto r = overlay_->record(*cmd, slot.buffer); !r)
            return abandon(r.error());
    }
    bool snapshotWanted = false;
    if (!snapshotInFlight_) {
        std::lock_guard lock(snapshotMutex_);
        snapshotWanted = !snapshotRequests_.empty();
    }
    if (snapshotWanted)
        copyOut(snapshotBuffer_.get());
    if (tapBuffer && tapHud)
        copyOut(tap_->buffer(*tapBuffer));
    // The slot's contents (and the snapshot) are read by the host or, from CPU memory, by the
    // presenter's device once this submission is seen complete.
    gpu::memoryBarrier(*device_, *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                       VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);

    // The presenter may still be reading this slot from an earlier refresh: on its device's
    // timeline, waited for inside this submission, or here when it is another device's (the
    // slot chosen is the one read longest ago, so that is almost always already done).
    if (slot.waitOnHost)
        if (auto r = mailbox_->waitForReader(slot); !r)
            return abandon(r.error());
    const VkSemaphoreSubmitInfo slotFree = timelineWait(*device_, slot.waitValue);
    auto value = submitter_->submit(std::span(&slotFree, slot.waitValue && !slot.waitOnHost ? 1 : 0));
    if (!value) {
        mailbox_->abandon(slot.index);
        if (tapBuffer)
            tap_->abandon(*tapBuffer);
        return std::unexpected(value.error());
    }
    pass_->submitted(*value, frame.timestampNs);
    overlay_->submitted(*value);
    importer_->submitted(*in, *value);
    const uint64_t submittedNs = monotonicNs();
    PanelFrame pending{slot.index, *value, frame.sequence, frame.timestampNs, startNs, submittedNs,
                       double(submittedNs - startNs) / 1e6};
    pending.generation = recorded->generation;
    pending.snapshot = snapshotWanted;
    pending.tapBuffer = tapBuffer;
    pending.tapHud = tapHud;
    if (const auto& delay = test_hooks::stageDelay(); delay && submitter_->hasSpan(*value, delay->stage))
        pending.injectedStageNs = uint64_t(delay->ms * 1e6);
    pending.simulatedNs = uint64_t(std::max<int64_t>(simulatedCostUs_.load(), 0)) * 1000 + pending.injectedStageNs;
    if (pending.simulatedNs > 0) {
        simulatedDoneNs_ = std::max(simulatedDoneNs_, submittedNs) + pending.simulatedNs;
        pending.simulatedDoneNs = simulatedDoneNs_;
    }
    panelFrames_.push_back(pending);
    snapshotInFlight_ = snapshotInFlight_ || snapshotWanted;
    // Held until the GPU is done with it (a copy; the caller's goes to the record branch).
    return inFlight_->hold(frame, *value);
}

void FrameLoop::completeFrames(bool wait) {
    while (!panelFrames_.empty()) {
        const PanelFrame& front = panelFrames_.front();
        if (front.simulatedDoneNs > monotonicNs()) {
            if (!wait)
                return;
            sleepUntilNs(front.simulatedDoneNs);
        }
        if (device_->completedTimelineValue() < front.value) {
            if (!wait)
                return;
            if (auto r = device_->waitTimeline(front.value); !r) {
                // Its slot is never published; the frame itself stays held by inFlight_.
                recordError(r.error());
                mailbox_->abandon(front.slot);
                if (front.tapBuffer)
                    tap_->abandon(*front.tapBuffer);
                panelFrames_.pop_front();
                continue;
            }
        }
        complete(front);
        panelFrames_.pop_front();
    }
}

void FrameLoop::complete(const PanelFrame& f) {
    const uint64_t readyNs = monotonicNs();
    const present::ReadyFrame ready{f.sequence, f.sensorNs, readyNs, f.value};
    mailbox_->publish(f.slot, ready);
    auto spans = submitter_->spans(f.value);
    if (spans && f.injectedStageNs)
        for (gpu::GpuSpan& s : *spans)
            if (s.name == test_hooks::stageDelay()->stage)
                s.ms += double(f.injectedStageNs) / 1e6;
    if (f.snapshot) {
        finishSnapshot(ready);
        snapshotInFlight_ = false;
    }
    if (f.tapBuffer)
        tap_->publish(*f.tapBuffer, {.sequence = f.sequence, .sensorTimestampNs = f.sensorNs, .readyNs = readyNs,
                                     .hud = f.tapHud});
    uint64_t gpuNs = 0;
    if (spans)
        for (const gpu::GpuSpan& s : *spans)
            gpuNs += uint64_t(s.ms * 1e6);
    governor_->frameCost(double(gpuNs + f.simulatedNs - f.injectedStageNs) / 1e6, f.cpuMs);
    {
        std::lock_guard lock(statsMutex_);
        ++stats_.framesProcessed;
        // The first stage list applied is the one the viewfinder started with.
        stats_.pipelineSwitches = f.generation > 1 ? f.generation - 1 : 0;
        sensorToReady_.add(double(readyNs - std::min(readyNs, f.sensorNs)) / 1e6);
        const gpu::ImportStats& imports = importer_->stats();
        stats_.importPath.assign(gpu::toString(imports.lastPath)); // reuses its storage every frame
        stats_.bytesCopied = imports.bytesCopiedTotal;
        if (spans)
            stageTimes_.add(*spans);
    }
    if (Tracer* t = options_.tracer) {
        t->complete(std::format("frame {}", f.sequence), "pipeline", f.startNs, readyNs - f.startNs, "pipeline");
        t->complete("capture → ready", "latency", f.sensorNs, readyNs - std::min(readyNs, f.sensorNs), "frames",
                    {{"frame", f.sequence}});
        // GPU spans where they ran on the CPU's clock (gpu/gpu_clock.hpp); on a device with
        // no clock offset, back to back ending when the frame was found finished.
        if (spans) {
            uint64_t at = std::max(f.submittedNs, readyNs - std::min(readyNs, gpuNs));
            for (const gpu::GpuSpan& s : *spans) {
                t->complete(s.name, "gpu", s.startNs ? s.startNs : at, uint64_t(s.ms * 1e6), "GPU",
                            {{"frame", f.sequence}});
                at += uint64_t(s.ms * 1e6);
            }
        }
        t->counter("governor level", double(governor_->effectiveLevel()), readyNs);
    }
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
