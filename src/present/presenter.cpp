// SPDX-License-Identifier: MIT
#include "present/presenter.hpp"

#include "core/trace.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/thread_priority.hpp"
#include "gpu/submitter.hpp"
#include "present/pacer.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <format>

namespace rearview::present {
namespace {

constexpr uint32_t kCommandSlots = 3;
constexpr uint64_t kAcquireTimeoutNs = 50'000'000;


} // namespace

Result<std::unique_ptr<Presenter>> Presenter::create(gpu::Device& device, Mailbox& mailbox,
                                                     const PresenterOptions& options) {
    if (!(options.refreshHz >= 1 && options.refreshHz <= 1000))
        return fail(ErrorCode::InvalidArgument,
                    std::format("refresh rate {} Hz is out of range (1..1000)", options.refreshHz));
    std::unique_ptr<Presenter> p(new Presenter());
    p->device_ = &device;
    p->mailbox_ = &mailbox;
    p->options_ = options;

    Result<std::unique_ptr<Surface>> surface = std::unexpected(Error{});
    switch (options.kind) {
    case SurfaceKind::Window:
        surface = createWindowSurface(device, {options.width, options.height, options.title, options.resizable});
        break;
    case SurfaceKind::Display:
        surface = createDisplaySurface(device, {options.connector, options.width, options.height, options.refreshHz});
        break;
    case SurfaceKind::Headless: surface = createHeadlessSurface(device, options.width, options.height); break;
    }
    if (!surface)
        return std::unexpected(surface.error());
    p->surface_ = std::move(*surface);
    p->refreshHz_ = p->surface_->refreshHz() > 0 ? p->surface_->refreshHz() : options.refreshHz;

    const auto& ext = device.extensions();
    if (options.driverTiming && ext.displayTiming)
        p->timing_ = TimingSource::DisplayTiming;
    else if (options.driverTiming && ext.presentWait)
        p->timing_ = TimingSource::PresentWait;

    auto swapchain = Swapchain::create(device, *p->surface_, {options.allowStorageImages, options.vsync, 3});
    if (!swapchain)
        return std::unexpected(swapchain.error());
    p->swapchain_ = std::move(*swapchain);

    VkPhysicalDeviceFeatures features{};
    vkGetPhysicalDeviceFeatures(device.physical(), &features);
    auto blit = Blit::create(device, options.allowStorageImages && features.shaderStorageImageWriteWithoutFormat);
    if (!blit)
        return std::unexpected(blit.error());
    p->blit_ = std::move(*blit);

    auto cmds = gpu::createCommandBuffers(device, kCommandSlots, p->pool_);
    if (!cmds)
        return std::unexpected(cmds.error());
    for (VkCommandBuffer c : *cmds)
        p->commands_.push_back({c, 0});

    p->stats_.timingSource(p->timing_);
    p->stats_.extent(p->swapchain_->extent().width, p->swapchain_->extent().height, !p->swapchain_->storage());
    log::info("presenter: {}", p->describe());
    return p;
}

Presenter::~Presenter() {
    (void)stop();
    // Teardown: everything the presenter submitted must be done before its swapchains,
    // semaphores and buffers go (retired ones included, so they go before the surface).
    if (lastValue_) {
        (void)device_->waitTimeline(lastValue_);
        device_->waitQueueIdle();
    }
    device_->collectGarbage();
    copyBuffer_.reset();
    swapchain_.reset();
    surface_.reset();
}

std::string Presenter::describe() const {
    return std::format("{} at {:.2f} Hz, {} path, timing: {}", surface_->describe(), refreshHz_,
                       swapchain_->minimised() ? "no" : (swapchain_->storage() ? "storage-image" : "copy"),
                       toString(timing_));
}

Result<void> Presenter::start() {
    if (thread_.joinable())
        return fail(ErrorCode::InvalidArgument, "the presenter is already started; stop() it first");
    stop_ = false;
    error_.reset();
    running_ = true;
    thread_ = std::thread([this] { run(); });
    return {};
}

Result<void> Presenter::stop() {
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
    if (error_)
        return std::unexpected(*std::exchange(error_, std::nullopt));
    return {};
}

std::vector<Event> Presenter::pollEvents() {
    auto events = surface_->pollEvents();
    for (const Event& e : events)
        if (e.type == Event::Type::Resized || e.type == Event::Type::Minimised || e.type == Event::Type::Restored)
            surfaceChanged_ = true;
    return events;
}

Result<void> Presenter::setWindowSize(uint32_t width, uint32_t height) {
    RV_TRY(surface_->setSize(width, height));
    surfaceChanged_ = true;
    return {};
}

PresentStats Presenter::stats() const { return stats_.snapshot(mailbox_->published(), mailbox_->dropped()); }

void Presenter::countMissed(uint64_t n) {
    stats_.missed(n);
    missedTotal_ += n;
    if (Tracer* t = options_.tracer)
        t->counter("missed refreshes", double(missedTotal_), monotonicNs());
}

void Presenter::run() {
    pthread_setname_np(pthread_self(), options_.threadName.substr(0, 15).c_str());
    // The panel's refresh comes first (docs/viewfinder.md); an unprivileged process keeps
    // the presenter at its creator's priority, still above the viewfinder's processing.
    if (auto r = setThreadPriority(ThreadPriority::Refresh); !r)
        log::debug("presenter: {}", r.error().message);
    Pacer pacer(refreshHz_, monotonicNs());
    while (!stop_) {
        if (uint64_t missed = pacer.wait())
            countMissed(missed);
        if (stop_)
            break;
        if (auto r = presentOnce(); !r) {
            log::error("presenter stopped: {}", r.error().describe());
            error_ = r.error();
            break;
        }
        pacer.advance();
    }
    // Every refresh of the run is accounted for, including those a stop cut short.
    if (uint64_t missed = pacer.overdue(monotonicNs()))
        countMissed(missed);
    // A writer on another device may be waiting for the last reads: report them once done.
    if (mailbox_->crossDevice() && lastValue_ && device_->waitTimeline(lastValue_))
        mailbox_->readerReached(lastValue_);
    running_ = false;
    std::lock_guard lock(captureMutex_);
    if (capture_.requested && !capture_.done) {
        capture_.error = Error{ErrorCode::Internal, "the presenter stopped before the capture was taken"};
        capture_.done = true;
        captureCv_.notify_all();
    }
}

Result<void> Presenter::recreate() {
    RV_TRY(swapchain_->recreate());
    pendingTimings_.clear(); // their ids belonged to the old swapchain
    if (!swapchain_->minimised())
        stats_.recreated();
    stats_.extent(swapchain_->extent().width, swapchain_->extent().height, !swapchain_->storage());
    return {};
}

Result<void> Presenter::ensureCopyBuffer(VkExtent2D extent) {
    if (copyBuffer_.get() && copyExtent_.width == extent.width && copyExtent_.height == extent.height)
        return {};
    if (copyBuffer_.get())
        device_->deferred().retire(lastValue_, std::move(copyBuffer_));
    auto b = gpu::Buffer::create(*device_, VkDeviceSize(extent.width) * extent.height * 4,
                                 VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                 gpu::MemoryUse::GpuOnly);
    if (!b)
        return std::unexpected(b.error());
    copyBuffer_ = std::move(*b);
    copyExtent_ = extent;
    return {};
}

void Presenter::collectTimings() {
    VkSwapchainKHR sc = swapchain_->handle();
    uint32_t n = 0;
    if (!sc || device_->vk().vkGetPastPresentationTimingGOOGLE(device_->device(), sc, &n, nullptr) != VK_SUCCESS || n == 0)
        return;
    std::vector<VkPastPresentationTimingGOOGLE> timings(n);
    if (device_->vk().vkGetPastPresentationTimingGOOGLE(device_->device(), sc, &n, timings.data()) < 0)
        return;
    for (uint32_t i = 0; i < n; ++i) {
        while (!pendingTimings_.empty() && pendingTimings_.front().id < timings[i].presentID)
            pendingTimings_.pop_front(); // the driver reports no time for these
        if (!pendingTimings_.empty() && pendingTimings_.front().id == timings[i].presentID) {
            const PendingTiming& p = pendingTimings_.front();
            stats_.presentTime(timings[i].actualPresentTime, p.fresh, p.sensorNs);
            pendingTimings_.pop_front();
        }
    }
}

Result<void> Presenter::presentOnce() {
    const uint64_t startNs = monotonicNs();
    device_->collectGarbage();
    if (surfaceChanged_.exchange(false) || swapchain_->minimised())
        RV_TRY(recreate());
    if (swapchain_->minimised()) {
        stats_.minimised();
        return {};
    }
    auto acquired = swapchain_->acquire(kAcquireTimeoutNs);
    if (!acquired)
        return std::unexpected(acquired.error());
    if (acquired->status == Swapchain::Status::OutOfDate) {
        RV_TRY(recreate());
        if (swapchain_->minimised()) {
            stats_.minimised();
            return {};
        }
        acquired = swapchain_->acquire(kAcquireTimeoutNs);
        if (!acquired)
            return std::unexpected(acquired.error());
    }
    if (acquired->status == Swapchain::Status::OutOfDate || acquired->status == Swapchain::Status::NotReady) {
        countMissed(1);
        return {};
    }

    // The newest completed frame, checked against what was published before taking it: a
    // newer completed frame published by then must never lose to an older one.
    // Only this device's timeline: the processing device's driver locks are its threads'.
    if (mailbox_->crossDevice())
        mailbox_->readerReached(device_->completedTimelineValue());
    const uint64_t completed = mailbox_->completedForReader();
    const auto before = mailbox_->newestPublished();
    const auto frame = mailbox_->takeNewest(completed);
    if (frame) {
        const bool olderThanCompleted =
            before && before->timelineValue <= completed && frame->frame.sequence < before->sequence;
        const std::optional<uint64_t> shown = onPanel();
        const bool backwards = shown && frame->frame.sequence < *shown;
        if (olderThanCompleted || backwards)
            stats_.stale();
    }

    // A repeat onto an image that already shows this frame needs no GPU work: presented
    // images keep their contents, and it stays in PRESENT_SRC. At 30 fps on 120 Hz this
    // saves a blit on some repeats (all of them with one image). Captures always blit.
    if (holdsGeneration_ != swapchain_->generation()) {
        imageHolds_.assign(swapchain_->imageCount(), 0);
        holdsGeneration_ = swapchain_->generation();
    }
    bool captureWanted;
    {
        std::lock_guard lock(captureMutex_);
        captureWanted = capture_.requested && !capture_.done;
    }
    const uint64_t holds = frame ? frame->frame.sequence + 1 : 0;
    const bool skipBlit = frame && !captureWanted && imageHolds_[acquired->image] == holds;
    imageHolds_[acquired->image] = holds;

    CommandSlot& cs = commands_[nextCommand_];
    nextCommand_ = (nextCommand_ + 1) % kCommandSlots;
    if (cs.value)
        RV_TRY(device_->waitTimeline(cs.value));
    const VkExtent2D extent = swapchain_->extent();
    bool capturing = false;
    if (!skipBlit) {
        RV_VK_TRY(device_->vk().vkResetCommandBuffer(cs.cmd, 0));
        VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        RV_VK_TRY(device_->vk().vkBeginCommandBuffer(cs.cmd, &bi));
        VkCommandBuffer cmd = cs.cmd;

        const VkImage image = swapchain_->image(acquired->image);
        Blit::Source src;
        if (frame)
            src = {frame->buffer, mailbox_->width(), mailbox_->height()};
        VkImageLayout layout;
        VkPipelineStageFlags2 lastStage;
        VkAccessFlags2 lastAccess;
        // The acquire semaphore is waited at ALL_COMMANDS, so the layout change starts there.
        if (swapchain_->storage()) {
            gpu::imageBarrier(*device_, cmd, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL, VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT,
                         0, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
            blit_.recordToImage(cmd, src, swapchain_->view(acquired->image), extent);
            layout = VK_IMAGE_LAYOUT_GENERAL;
            lastStage = VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT;
            lastAccess = VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT;
        } else {
            RV_TRY(ensureCopyBuffer(extent));
            const VkDeviceSize bytes = VkDeviceSize(extent.width) * extent.height * 4;
            blit_.recordToBuffer(cmd, src, {copyBuffer_.get(), 0, bytes}, extent, swapchain_->bgra());
            gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
            gpu::imageBarrier(*device_, cmd, image, VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL,
                         VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0, VK_PIPELINE_STAGE_2_COPY_BIT,
                         VK_ACCESS_2_TRANSFER_WRITE_BIT);
            VkBufferImageCopy region{};
            region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
            region.imageExtent = {extent.width, extent.height, 1};
            device_->vk().vkCmdCopyBufferToImage(cmd, copyBuffer_.get(), image, VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL, 1, &region);
            layout = VK_IMAGE_LAYOUT_TRANSFER_DST_OPTIMAL;
            lastStage = VK_PIPELINE_STAGE_2_COPY_BIT;
            lastAccess = VK_ACCESS_2_TRANSFER_WRITE_BIT;
        }

        // A capture copies this image out before it is presented.
        {
            std::lock_guard lock(captureMutex_);
            if (capture_.requested && !capture_.done) {
                if (!swapchain_->transferSrc()) {
                    capture_.error = Error{ErrorCode::Unsupported,
                                           std::format("{}: swapchain images cannot be copied from (no TRANSFER_SRC "
                                                       "usage), so they cannot be captured",
                                                       surface_->describe())};
                    capture_.done = true;
                    captureCv_.notify_all();
                } else {
                    auto b = gpu::Buffer::create(*device_, VkDeviceSize(extent.width) * extent.height * 4,
                                                 VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::Readback);
                    if (!b) {
                        capture_.error = b.error();
                        capture_.done = true;
                        captureCv_.notify_all();
                    } else {
                        capture_.buffer = std::move(*b);
                        capturing = true;
                    }
                }
            }
            if (capturing) {
                gpu::imageBarrier(*device_, cmd, image, layout, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, lastStage, lastAccess,
                             VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
                VkBufferImageCopy region{};
                region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
                region.imageExtent = {extent.width, extent.height, 1};
                device_->vk().vkCmdCopyImageToBuffer(cmd, image, VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL, capture_.buffer.get(), 1, &region);
                gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                                   VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
                layout = VK_IMAGE_LAYOUT_TRANSFER_SRC_OPTIMAL;
                lastStage = VK_PIPELINE_STAGE_2_COPY_BIT;
                lastAccess = 0;
            }
        }
        gpu::imageBarrier(*device_, cmd, image, layout, VK_IMAGE_LAYOUT_PRESENT_SRC_KHR, lastStage, lastAccess,
                     VK_PIPELINE_STAGE_2_NONE, 0);
        RV_VK_TRY(device_->vk().vkEndCommandBuffer(cmd));
    }

    VkSemaphoreSubmitInfo waits[2]{};
    uint32_t waitCount = 0;
    waits[waitCount++] = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, acquired->ready, 0,
                          VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0};
    // Already complete on the host; waiting on it makes the pipeline's writes visible here.
    // From another device the writes reached CPU memory before its timeline value was seen,
    // and this submission comes after that (host writes are visible to later submissions).
    if (frame && frame->frame.timelineValue && !mailbox_->crossDevice())
        waits[waitCount++] = {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, device_->timeline(),
                              frame->frame.timelineValue, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, 0};
    const uint64_t value = device_->nextTimelineValue();
    VkSemaphoreSubmitInfo signals[2] = {
        {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, device_->timeline(), value,
         VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0},
        {VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO, nullptr, swapchain_->renderDone(acquired->image), 0,
         VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT, 0},
    };
    VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
    cbi.commandBuffer = cs.cmd;
    VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
    si.waitSemaphoreInfoCount = waitCount;
    si.pWaitSemaphoreInfos = waits;
    si.commandBufferInfoCount = skipBlit ? 0 : 1;
    si.pCommandBufferInfos = &cbi;
    si.signalSemaphoreInfoCount = 2;
    si.pSignalSemaphoreInfos = signals;
    RV_TRY(device_->submit(si));
    if (!skipBlit)
        cs.value = value;
    lastValue_ = value;
    swapchain_->acquireUsed(acquired->slot, value);
    if (frame)
        mailbox_->markRead(frame->index, value);
    swapchain_->retireReplaced(value);
    if (capturing) {
        std::lock_guard lock(captureMutex_);
        capture_.value = value;
        capture_.extent = extent;
        capture_.bgra = swapchain_->bgra();
        capture_.result.hasFrame = bool(frame);
        capture_.result.sequence = frame ? frame->frame.sequence : 0;
        capture_.done = true;
        captureCv_.notify_all();
    }

    // Present, with an id the driver reports timing for when it can.
    const uint64_t id = ++presentId_;
    VkPresentIdKHR presentIds{VK_STRUCTURE_TYPE_PRESENT_ID_KHR};
    VkPresentTimeGOOGLE time{uint32_t(id), 0};
    VkPresentTimesInfoGOOGLE times{VK_STRUCTURE_TYPE_PRESENT_TIMES_INFO_GOOGLE};
    const void* next = nullptr;
    if (timing_ == TimingSource::PresentWait) {
        presentIds.swapchainCount = 1;
        presentIds.pPresentIds = &id;
        next = &presentIds;
    } else if (timing_ == TimingSource::DisplayTiming) {
        times.swapchainCount = 1;
        times.pTimes = &time;
        next = &times;
    }
    const VkSwapchainKHR presentedTo = swapchain_->handle();
    auto presented = swapchain_->present(acquired->image, next);
    if (!presented)
        return std::unexpected(presented.error());
    uint64_t presentNs = monotonicNs();
    const bool fresh = frame && frame->fresh;
    const uint64_t sensorNs = frame ? frame->frame.sensorTimestampNs : 0;

    if (*presented == VK_ERROR_OUT_OF_DATE_KHR) {
        countMissed(1);
        return recreate();
    }
    if (frame) {
        onPanel_.store(frame->frame.sequence + 1, std::memory_order_release);
    }
    stats_.presented(bool(frame), fresh);
    if (Tracer* t = options_.tracer)
        t->complete(fresh ? "present (new frame)" : "present (repeat)", "present", startNs, presentNs - startNs,
                    "present", {{"frame", frame ? frame->frame.sequence : 0}});
    switch (timing_) {
    case TimingSource::OwnClock: stats_.presentTime(presentNs, fresh, sensorNs); break;
    case TimingSource::PresentWait: {
        // Until shortly before the next refresh at most: the thread has nothing else to do.
        const uint64_t budget = uint64_t(1e9 / refreshHz_) * 3 / 4;
        if (device_->vk().vkWaitForPresentKHR(device_->device(), presentedTo, id, budget) == VK_SUCCESS)
            presentNs = monotonicNs();
        stats_.presentTime(presentNs, fresh, sensorNs);
        break;
    }
    case TimingSource::DisplayTiming:
        pendingTimings_.push_back({uint32_t(id), bool(frame), fresh, sensorNs});
        if (pendingTimings_.size() > 64)
            pendingTimings_.pop_front();
        collectTimings();
        break;
    }
    if (*presented == VK_SUBOPTIMAL_KHR || acquired->status == Swapchain::Status::Suboptimal)
        RV_TRY(recreate());
    return {};
}

Result<Presenter::Capture> Presenter::capture(std::chrono::milliseconds timeout) {
    gpu::Buffer buffer;
    uint64_t value = 0;
    VkExtent2D extent{};
    bool bgra = false;
    Capture result;
    {
        std::unique_lock lock(captureMutex_);
        if (!running_)
            return fail(ErrorCode::InvalidArgument, "capture needs a running presenter (start() it first)");
        capture_ = CaptureState{};
        capture_.requested = true;
        const bool done = captureCv_.wait_for(lock, timeout, [&] { return capture_.done; });
        capture_.requested = false;
        if (!done)
            return fail(ErrorCode::Internal, std::format("no present within {} ms to capture", timeout.count()));
        if (capture_.error)
            return std::unexpected(*capture_.error);
        buffer = std::move(capture_.buffer);
        value = capture_.value;
        extent = capture_.extent;
        bgra = capture_.bgra;
        result = capture_.result;
    }
    RV_TRY(device_->waitTimeline(value));
    buffer.invalidate();
    result.image = RgbaImage(extent.width, extent.height);
    const auto* bytes = reinterpret_cast<const uint8_t*>(buffer.mapped());
    std::memcpy(result.image.pixels.data(), bytes, result.image.pixels.size());
    if (bgra)
        for (size_t i = 0; i < result.image.pixels.size(); i += 4)
            std::swap(result.image.pixels[i], result.image.pixels[i + 2]);
    return result;
}

} // namespace rearview::present
