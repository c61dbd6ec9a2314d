// SPDX-License-Identifier: MIT
#include "stages/viewfinder_pass.hpp"

#include "core/log.hpp"
#include "gpu/submitter.hpp"

#include <format>

namespace rearview::stages {

ViewfinderPass& ViewfinderPass::operator=(ViewfinderPass&& o) noexcept {
    device_ = o.device_;
    cropScale_ = std::move(o.cropScale_);
    thumbnail_ = std::move(o.thumbnail_);
    faces_ = o.faces_;
    frameFaces_ = std::move(o.frameFaces_);
    everyFrames_ = o.everyFrames_;
    frames_ = o.frames_;
    thumbBuffer_ = std::move(o.thumbBuffer_);
    tap_ = o.tap_;
    tapValue_ = o.tapValue_;
    tapTimestampNs_ = o.tapTimestampNs_;
    chain_ = std::move(o.chain_);
    image_ = std::move(o.image_);
    width_ = o.width_;
    height_ = o.height_;
    std::scoped_lock lock(mutex_, o.mutex_);
    pending_ = std::move(o.pending_);
    generation_ = o.generation_;
    return *this;
}

Result<ViewfinderPass> ViewfinderPass::create(gpu::Device& device, uint32_t panelWidth, uint32_t panelHeight) {
    auto cropScale = CropScale::create(device);
    if (!cropScale)
        return std::unexpected(cropScale.error());
    auto thumbnail = FaceThumbnail::create(device);
    if (!thumbnail)
        return std::unexpected(thumbnail.error());
    auto chain = StageChain::create(device, panelWidth, panelHeight);
    if (!chain)
        return std::unexpected(chain.error());
    auto image = gpu::Buffer::create(device, VkDeviceSize(panelWidth) * panelHeight * 4,
                                     VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                         VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                     gpu::MemoryUse::GpuOnly);
    if (!image)
        return std::unexpected(image.error());
    ViewfinderPass p;
    p.device_ = &device;
    p.thumbnail_ = std::move(*thumbnail);
    p.cropScale_ = std::move(*cropScale);
    p.chain_ = std::move(*chain);
    p.image_ = std::move(*image);
    p.width_ = panelWidth;
    p.height_ = panelHeight;
    return p;
}

void ViewfinderPass::requestStages(std::vector<StageParams> stages) {
    std::lock_guard lock(mutex_);
    pending_ = std::move(stages);
}

Result<void> ViewfinderPass::setFaceAnalysis(analysis::FaceThread* faces, uint32_t everyFrames) {
    if (everyFrames == 0)
        return fail(ErrorCode::InvalidArgument, "face analysis every 0 frames: use 1 or more");
    if (faces && !thumbBuffer_.get()) {
        auto b = gpu::Buffer::create(*device_,
                                     VkDeviceSize(ThumbnailLayout::strideBytes(width_)) * ThumbnailLayout::height(height_),
                                     VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Readback);
        if (!b)
            return std::unexpected(b.error());
        thumbBuffer_ = std::move(*b);
    }
    faces_ = faces;
    everyFrames_ = everyFrames;
    tap_ = Tap::Idle;
    if (!faces)
        chain_.setFaces({});
    return {};
}

void ViewfinderPass::submitted(uint64_t value, uint64_t frameTimestampNs) {
    if (tap_ != Tap::Recorded)
        return;
    tap_ = Tap::Submitted;
    tapValue_ = value;
    tapTimestampNs_ = frameTimestampNs;
}

Result<ViewfinderPass::Frame> ViewfinderPass::record(VkCommandBuffer cmd, const Nv12Buffer& frame,
                                                     const CropPlan& plan, VkDescriptorBufferInfo out, uint32_t seed,
                                                     gpu::Submitter* spans) {
    if (plan.panelWidth != width_ || plan.panelHeight != height_)
        return fail(ErrorCode::InvalidArgument, std::format("plan is for a {}x{} panel, the pass for {}x{}",
                                                            plan.panelWidth, plan.panelHeight, width_, height_));
    Frame done;
    std::optional<std::vector<StageParams>> request;
    {
        std::lock_guard lock(mutex_);
        request.swap(pending_);
    }
    if (request) {
        if (auto applied = chain_.apply(*request); applied) {
            ++generation_;
        } else {
            log::at(LogLevel::Warning, "pipeline change not applied: {}", applied.error().message);
            done.applyError = applied.error();
        }
    }
    done.generation = generation_;
    if (faces_ && tap_ == Tap::Submitted && device_->completedTimelineValue() >= tapValue_) {
        thumbBuffer_.invalidate();
        const auto* grey = reinterpret_cast<const uint8_t*>(thumbBuffer_.mapped());
        faces_->submit(analysis::FaceThread::Thumbnail{{grey, grey + thumbBuffer_.size()},
                                                       ThumbnailLayout::width(width_),
                                                       ThumbnailLayout::height(height_),
                                                       ThumbnailLayout::strideBytes(width_),
                                                       width_,
                                                       height_},
                       tapTimestampNs_);
        tap_ = Tap::Idle;
    }
    if (faces_) {
        faces_->copyFaces(frameFaces_);
        chain_.setFaces(frameFaces_);
    }
    // The previous frame's stages may still read the working image.
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                       VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_TRANSFER_READ_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    // Without stages, crop/scale writes the output itself.
    const VkDescriptorBufferInfo working{image_.get(), 0, image_.size()};
    const bool direct = chain_.stages().empty();
    if (auto r = [&] {
            const gpu::ScopedSpan span(spans, "crop_scale");
            return cropScale_.record(cmd, frame, plan, direct ? out : working);
        }();
        !r)
        return std::unexpected(r.error());
    gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                       VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
    if (!direct)
        if (auto r = chain_.record(cmd, working, out, seed, spans); !r)
            return std::unexpected(r.error());
    // The tap sees the finished look, as the panel does; one thumbnail in flight at a time.
    if (faces_ && tap_ == Tap::Idle && frames_ % everyFrames_ == 0) {
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
        if (auto r = thumbnail_.record(cmd, out, width_, height_,
                                       {thumbBuffer_.get(), 0, thumbBuffer_.size()});
            !r)
            return std::unexpected(r.error());
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
        tap_ = Tap::Recorded;
    }
    ++frames_;
    return done;
}

} // namespace rearview::stages
