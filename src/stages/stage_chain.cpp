// SPDX-License-Identifier: MIT
#include "stages/stage_chain.hpp"

#include "core/try.hpp"
#include "gpu/submitter.hpp"

#include <algorithm>
#include <format>

namespace rearview::stages {

Result<StageChain> StageChain::create(gpu::Device& device, uint32_t width, uint32_t height, double scale) {
    if (!(scale > 0) || scale > 64)
        return fail(ErrorCode::InvalidArgument, std::format("stage chain scale {} is not in (0, 64]", scale));
    auto beauty = Beauty::create(device, width, height, BeautyGrid::cellFor(scale));
    if (!beauty)
        return std::unexpected(beauty.error());
    auto scratch = gpu::Buffer::create(device, VkDeviceSize(width) * height * 4,
                                       VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                           VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                       gpu::MemoryUse::GpuOnly);
    if (!scratch)
        return std::unexpected(scratch.error());
    auto vignette = Vignette::create(device);
    if (!vignette)
        return std::unexpected(vignette.error());
    auto grain = Grain::create(device);
    if (!grain)
        return std::unexpected(grain.error());
    auto finish = Finish::create(device);
    if (!finish)
        return std::unexpected(finish.error());
    StageChain c;
    c.device_ = &device;
    c.width_ = width;
    c.height_ = height;
    c.place_.scale = float(scale);
    c.beauty_ = std::move(*beauty);
    c.scratch_ = std::move(*scratch);
    c.vignette_ = std::move(*vignette);
    c.grain_ = std::move(*grain);
    c.finish_ = std::move(*finish);
    return c;
}

std::string StageChain::lutKey(const LutParams& lut) {
    // A LUT made in code is known by its address, which the held entry keeps alive (so no
    // other LUT can take it while it is held).
    return lut.file.empty() ? std::format("<memory {}>", static_cast<const void*>(lut.cube.get())) : lut.file;
}

const Lut3d* StageChain::lutFor(const LutParams& lut) const {
    const auto it = luts_.find(lutKey(lut));
    return it == luts_.end() ? nullptr : it->second.stage.get();
}

Result<void> StageChain::apply(const std::vector<StageParams>& stages) {
    std::map<std::string, HeldLut> loaded; // new LUTs, kept only if everything checks out
    for (const StageParams& stage : stages) {
        if (auto v = validate(stage); !v)
            return v;
        const auto* lut = std::get_if<LutParams>(&stage);
        if (!lut || luts_.contains(lutKey(*lut)) || loaded.contains(lutKey(*lut)))
            continue;
        // A prepared pipeline carries the file's contents; only an unprepared list reads it here.
        std::optional<CubeLut> read;
        if (!lut->cube) {
            auto cube = CubeLut::load(lut->file);
            if (!cube)
                return std::unexpected(cube.error());
            read = std::move(*cube);
        }
        auto stageLut = Lut3d::create(*device_);
        if (!stageLut)
            return std::unexpected(stageLut.error());
        if (auto set = stageLut->setLut(lut->cube ? *lut->cube : *read); !set)
            return set;
        loaded.emplace(lutKey(*lut), HeldLut{std::make_unique<Lut3d>(std::move(*stageLut)), 0, lut->cube});
    }
    lutUploads_ += loaded.size();
    luts_.merge(loaded);
    ++applies_;
    for (const StageParams& stage : stages)
        if (const auto* lut = std::get_if<LutParams>(&stage))
            luts_.at(lutKey(*lut)).lastApplied = applies_;
    // Beyond kMaxLuts, drop the least recently used ones the new chain does not use; their
    // images retire after the last frame that read them.
    while (luts_.size() > kMaxLuts) {
        auto oldest = std::ranges::min_element(luts_, {}, [](const auto& kv) { return kv.second.lastApplied; });
        if (oldest->second.lastApplied == applies_)
            break;
        luts_.erase(oldest);
    }
    stages_ = stages;
    planPasses();
    return {};
}

void StageChain::planPasses() {
    passes_.clear();
    const std::span<const StageParams> stages(stages_);
    for (size_t i = 0; i < stages.size();) {
        Pass pass{i, fused_ ? std::max<size_t>(Finish::runLength(stages.subspan(i)), 1) : 1, {}};
        for (const StageParams& stage : stages.subspan(i, pass.count)) {
            pass.name += (pass.name.empty() ? "" : "+") + std::string(stageName(stage));
            if (const auto* lut = std::get_if<LutParams>(&stage))
                pass.lut = luts_.at(lutKey(*lut)).stage.get();
        }
        i += pass.count;
        passes_.push_back(std::move(pass));
    }
}

Result<void> StageChain::record(VkCommandBuffer cmd, VkDescriptorBufferInfo in, VkDescriptorBufferInfo out,
                                uint32_t seed, gpu::Submitter* spans) const {
    const VkDeviceSize bytes = VkDeviceSize(width_) * height_ * 4;
    for (const VkDescriptorBufferInfo& b : {in, out})
        if (b.range != VK_WHOLE_SIZE && b.range < bytes)
            return fail(ErrorCode::InvalidArgument, std::format("working image of {} bytes is smaller than {}x{} RGBA8",
                                                                b.range, width_, height_));
    if (!fused_ && (place_.originY || place_.fullHeight))
        return fail(ErrorCode::InvalidArgument, "a chain run in strips must be fused");
    const bool inPlace = in.buffer == out.buffer && in.offset == out.offset;
    const VkDescriptorBufferInfo scratch{scratch_.get(), 0, bytes};
    const VkPipelineStageFlags2 compute = VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT;
    const VkAccessFlags2 readWrite = VK_ACCESS_2_SHADER_STORAGE_READ_BIT | VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT;
    const std::span<const StageParams> stages(stages_);
    if (stages.empty() && !inPlace) { // nothing to apply: the image itself goes out
        gpu::memoryBarrier(*device_, cmd, compute, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_TRANSFER_READ_BIT);
        const VkBufferCopy copy{in.offset, out.offset, bytes};
        device_->vk().vkCmdCopyBuffer(cmd, in.buffer, out.buffer, 1, &copy);
        return {};
    }
    // Each pass reads what the previous one wrote and writes the other of `in` and the chain's
    // scratch; the last writes `out`. Nothing is copied, except when beauty (which reads
    // neighbours, so it cannot work in place) ends an in-place chain. Unfused (as before the
    // passes were fused and ping-ponged; benchmarks compare): every stage in place on `in`,
    // beauty through the scratch and a copy back, the result copied out.
    const auto same = [](const VkDescriptorBufferInfo& a, const VkDescriptorBufferInfo& b) {
        return a.buffer == b.buffer && a.offset == b.offset;
    };
    const auto copy = [&](const VkDescriptorBufferInfo& from, const VkDescriptorBufferInfo& to) {
        gpu::memoryBarrier(*device_, cmd, compute, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, VK_PIPELINE_STAGE_2_COPY_BIT,
                           VK_ACCESS_2_TRANSFER_READ_BIT | VK_ACCESS_2_TRANSFER_WRITE_BIT);
        const VkBufferCopy region{from.offset, to.offset, bytes};
        device_->vk().vkCmdCopyBuffer(cmd, from.buffer, to.buffer, 1, &region);
        gpu::memoryBarrier(*device_, cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT, compute, readWrite);
    };
    VkDescriptorBufferInfo src = in;
    for (const Pass& pass : passes_) {
        if (pass.first > 0)
            gpu::memoryBarrier(*device_, cmd, compute, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT, compute, readWrite);
        const size_t run = pass.count;
        const bool last = &pass == &passes_.back();
        const StageParams& first = stages[pass.first];
        const bool beauty = std::holds_alternative<BeautyParams>(first);
        VkDescriptorBufferInfo dst = !fused_ ? src : last ? out : same(src, scratch) ? in : scratch;
        if (beauty && same(dst, src))
            dst = scratch;
        const gpu::ScopedSpan span(spans, pass.name);
        if (beauty) {
            RV_TRY(beauty_.record(cmd, src, dst, std::get<BeautyParams>(first), faces_));
            if (!fused_) {
                copy(dst, src);
                dst = src;
            }
        } else if (const auto* lut = std::get_if<LutParams>(&first); lut && run == 1) {
            // A LUT alone keeps its own shader, which is faster for it than the general pass
            // (bench/stage_chain_bench.cpp).
            RV_TRY(pass.lut->record(cmd, src, dst, width_, height_, *lut));
        } else if (fused_) {
            RV_TRY(finish_.record(cmd, src, dst, width_, height_, stages.subspan(pass.first, run), pass.lut, seed,
                                       place_));
        } else if (const auto* v = std::get_if<VignetteParams>(&first)) {
            RV_TRY(vignette_.record(cmd, src, width_, height_, *v));
        } else if (const auto* g = std::get_if<GrainParams>(&first)) {
            RV_TRY(grain_.record(cmd, src, width_, height_, *g, seed, place_.scale));
        }
        if (last && !same(dst, out))
            copy(dst, out);
        src = dst;
    }
    return {};
}

} // namespace rearview::stages
