// SPDX-License-Identifier: MIT
#include "viewfinder/record_branch.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

#include <cstring>
#include <format>

namespace rearview::viewfinder {

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
    const RecordSize size = sizeOf(options.record.resolution);
    if (!(options.record.frameRate > 0))
        return fail(ErrorCode::InvalidArgument,
                    std::format("record frame rate {} must be positive", options.record.frameRate));
    std::unique_ptr<RecordBranch> b(new RecordBranch());
    b->device_ = &device;
    b->width_ = size.width;
    b->height_ = size.height;
    b->rate_ = RecordRate(options.record.frameRate);
    auto submitter = gpu::Submitter::create(device, 2, 16);
    if (!submitter)
        return std::unexpected(submitter.error());
    b->submitter_.emplace(std::move(*submitter));
    auto scale = stages::RecordScale::create(device);
    if (!scale)
        return std::unexpected(scale.error());
    b->scale_ = std::move(*scale);
    const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(size.width, size.height, options.colorSpace);
    for (Output& out : b->outputs_) {
        auto buffer = gpu::Buffer::create(device, layout.size, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                          gpu::MemoryUse::Readback);
        if (!buffer)
            return std::unexpected(buffer.error());
        out.nv12 = std::move(*buffer);
    }
    b->options_ = std::move(options);
    // The stage list is checked (LUT files read) before the recorder creates the file, so a
    // bad list leaves nothing behind.
    if (!b->options_.stages.empty())
        if (auto r = b->applyStages(b->options_.stages); !r)
            return std::unexpected(r.error());
    auto recorder = record::Recorder::create(b->options_.record, size.width, size.height, b->options_.colorSpace);
    if (!recorder)
        return std::unexpected(recorder.error());
    b->recorder_ = std::move(*recorder);
    b->startNs_ = monotonicNs();
    b->stats_.recordRate = b->options_.record.frameRate;
    return b;
}

RecordBranch::~RecordBranch() {
    // The readback buffers may still be written by a submission that was never collected.
    for (const Output& out : outputs_)
        if (out.value)
            if (auto r = device_->waitTimeline(out.value); !r)
                log::error("record branch: {}", r.error().message);
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
    pending_ = std::move(stages);
}

std::optional<Error> RecordBranch::takeStageError() {
    std::lock_guard lock(statsMutex_);
    return std::exchange(stageError_, std::nullopt);
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
    gpu::memoryBarrier(cmd, VK_PIPELINE_STAGE_2_HOST_BIT | VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
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
            gpu::memoryBarrier(cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                               VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        };
        computeToCompute();
        {
            const gpu::ScopedSpan span(&*submitter_, "record_to_rgba");
            toRgba_.record(cmd, scaled, image);
        }
        computeToCompute();
        if (auto r = chain_->record(cmd, image, seed_++, &*submitter_); !r)
            return r;
        gpu::memoryBarrier(cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
        const gpu::ScopedSpan span(&*submitter_, "record_to_nv12");
        if (auto r = toNv12_.record(cmd, image, dst); !r)
            return r;
    }
    gpu::memoryBarrier(cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    return {};
}

Result<uint64_t> RecordBranch::submitFrame(const stages::Nv12Buffer& frame, uint64_t timestampNs) {
    std::optional<std::vector<StageParams>> request;
    {
        std::lock_guard lock(pendingMutex_);
        request.swap(pending_);
    }
    if (request)
        if (auto r = applyStages(*request); !r) {
            log::at(LogLevel::Warning, "record stages not changed: {}", r.error().message);
            std::lock_guard lock(statsMutex_);
            stageError_ = r.error();
        }
    if (!recorder_->recording() || !rate_.take(timestampNs))
        return 0;
    Output* out = nullptr;
    for (Output& o : outputs_)
        if (!o.value)
            out = &o;
    {
        std::lock_guard lock(statsMutex_);
        ++stats_.framesSelected;
        if (!out) {
            // Both outputs still on the GPU or not yet collected: the GPU cannot keep up with
            // the record rate, and waiting would stall the viewfinder.
            ++stats_.framesSkipped;
            return 0;
        }
    }
    if (!plan_ || planWidth_ != frame.width || planHeight_ != frame.height) {
        auto plan = planRecord(frame.width, frame.height, width_, height_);
        if (!plan)
            return std::unexpected(plan.error());
        plan_ = *plan;
        planWidth_ = frame.width;
        planHeight_ = frame.height;
    }
    stages::Nv12Buffer dst = stages::RecordScale::outputLayout(width_, height_, options_.colorSpace);
    dst.buffer = out->nv12.get();
    auto cmd = submitter_->begin();
    if (!cmd)
        return std::unexpected(cmd.error());
    auto recorded = recordWork(*cmd, frame, dst);
    // The command buffer is in recording state either way; a failed one is submitted as far as
    // it got and waited for here, so the caller need not hold the frame for it.
    auto value = submitter_->submit();
    if (!value)
        return std::unexpected(value.error());
    if (!recorded) {
        if (auto r = device_->waitTimeline(*value); !r)
            log::error("record branch: {}", r.error().message);
        return std::unexpected(recorded.error());
    }
    out->value = *value;
    out->timestampNs = timestampNs;
    return *value;
}

void RecordBranch::handOver(Output& out) {
    // On lavapipe reading the timestamps waits while the queue executes anything (the frame
    // loop's own read does the same); the copy is timed on its own after it.
    auto spans = submitter_->spans(out.value);
    const uint64_t startNs = monotonicNs();
    out.value = 0;
    std::optional<record::RecordFrame> frame = recorder_->acquireFrame();
    uint64_t bytes = 0;
    if (frame) {
        // The one CPU copy of a recorded frame: readback memory into the encoder's pooled frame.
        const stages::Nv12Buffer layout = stages::RecordScale::outputLayout(width_, height_);
        out.nv12.invalidate();
        const auto* src = reinterpret_cast<const uint8_t*>(out.nv12.mapped());
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
        frame->timestampNs = out.timestampNs;
        recorder_->submit(std::move(*frame));
    }
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

void RecordBranch::collect() {
    const uint64_t completed = device_->completedTimelineValue();
    // Oldest first, so frames reach the recorder in timestamp order.
    Output* order[2] = {&outputs_[0], &outputs_[1]};
    if (order[1]->value && (!order[0]->value || order[1]->value < order[0]->value))
        std::swap(order[0], order[1]);
    for (Output* out : order)
        if (out->value && out->value <= completed)
            handOver(*out);
}

Result<void> RecordBranch::finish(std::chrono::milliseconds timeout) {
    for (const Output& out : outputs_)
        if (out.value)
            if (auto r = device_->waitTimeline(out.value, uint64_t(timeout.count()) * 1'000'000); !r)
                return r;
    collect();
    return {};
}

RecordingStats RecordBranch::stats() const {
    RecordingStats s;
    {
        std::lock_guard lock(statsMutex_);
        s = stats_;
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
