// SPDX-License-Identifier: MIT
#include "gpu/submitter.hpp"

#include <algorithm>
#include <cassert>

namespace rearview::gpu {

Result<Submitter> Submitter::create(Device& device, uint32_t slots, uint32_t maxSpans) {
    Submitter s;
    s.device_ = &device;
    s.maxSpans_ = maxSpans;
    auto cmds = createCommandBuffers(device, slots, s.pool_);
    if (!cmds)
        return std::unexpected(cmds.error());
    s.slots_.resize(slots);
    for (uint32_t i = 0; i < slots; ++i) {
        s.slots_[i].cmd = (*cmds)[i];
        if (device.timestampPeriodNs() > 0) {
            VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
            qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
            qci.queryCount = maxSpans * 2;
            VkQueryPool qp = VK_NULL_HANDLE;
            RV_VK_TRY(device.vk().vkCreateQueryPool(device.device(), &qci, nullptr, &qp));
            s.slots_[i].queries = device.own(qp);
        }
    }
    return s;
}

Result<VkCommandBuffer> Submitter::begin() {
    assert(!recording_);
    current_ = (current_ + 1) % uint32_t(slots_.size());
    Slot& slot = slots_[current_];
    if (slot.value)
        RV_TRY(device_->waitTimeline(slot.value));
    device_->collectGarbage();
    slot.spans.clear();
    slot.open.clear();
    slot.value = 0;
    if (slot.queries)
        device_->vk().vkResetQueryPool(device_->device(), slot.queries.get(), 0, maxSpans_ * 2);
    RV_VK_TRY(device_->vk().vkResetCommandBuffer(slot.cmd, 0));
    VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    bi.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    RV_VK_TRY(device_->vk().vkBeginCommandBuffer(slot.cmd, &bi));
    recording_ = true;
    return slot.cmd;
}

void Submitter::beginSpan(std::string name) {
    Slot& slot = slots_[current_];
    if (!slot.queries || slot.spans.size() >= maxSpans_)
        return;
    uint32_t index = uint32_t(slot.spans.size());
    slot.spans.push_back({std::move(name), 0});
    slot.open.push_back(index);
    device_->vk().vkCmdWriteTimestamp2(slot.cmd, VK_PIPELINE_STAGE_2_TOP_OF_PIPE_BIT, slot.queries.get(), index * 2);
}

void Submitter::endSpan() {
    Slot& slot = slots_[current_];
    if (slot.open.empty())
        return;
    uint32_t index = slot.open.back();
    slot.open.pop_back();
    device_->vk().vkCmdWriteTimestamp2(slot.cmd, VK_PIPELINE_STAGE_2_BOTTOM_OF_PIPE_BIT, slot.queries.get(), index * 2 + 1);
}

Result<uint64_t> Submitter::submit(std::span<const VkSemaphoreSubmitInfo> waits) {
    assert(recording_);
    recording_ = false;
    Slot& slot = slots_[current_];
    while (!slot.open.empty())
        endSpan();
    RV_VK_TRY(device_->vk().vkEndCommandBuffer(slot.cmd));
    uint64_t value = device_->nextTimelineValue();
    VkCommandBufferSubmitInfo cbi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_SUBMIT_INFO};
    cbi.commandBuffer = slot.cmd;
    VkSemaphoreSubmitInfo signal{VK_STRUCTURE_TYPE_SEMAPHORE_SUBMIT_INFO};
    signal.semaphore = device_->timeline();
    signal.value = value;
    signal.stageMask = VK_PIPELINE_STAGE_2_ALL_COMMANDS_BIT;
    VkSubmitInfo2 si{VK_STRUCTURE_TYPE_SUBMIT_INFO_2};
    si.waitSemaphoreInfoCount = uint32_t(waits.size());
    si.pWaitSemaphoreInfos = waits.data();
    si.commandBufferInfoCount = 1;
    si.pCommandBufferInfos = &cbi;
    si.signalSemaphoreInfoCount = 1;
    si.pSignalSemaphoreInfos = &signal;
    RV_TRY(device_->submit(si));
    slot.value = value;
    return value;
}

Result<std::vector<GpuSpan>> Submitter::spans(uint64_t value) {
    for (Slot& slot : slots_) {
        if (slot.value != value)
            continue;
        RV_TRY(device_->waitTimeline(value));
        if (!slot.queries || slot.spans.empty())
            return std::vector<GpuSpan>{};
        std::vector<uint64_t> ticks(slot.spans.size() * 2);
        RV_VK_TRY(device_->vk().vkGetQueryPoolResults(device_->device(), slot.queries.get(), 0, uint32_t(ticks.size()),
                                        ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
                                        VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT));
        std::vector<GpuSpan> out = slot.spans;
        for (size_t i = 0; i < out.size(); ++i) {
            out[i].ms = double(ticks[i * 2 + 1] - ticks[i * 2]) * device_->timestampPeriodNs() * 1e-6;
            out[i].startNs = device_->clock().toMonotonicNs(ticks[i * 2]);
        }
        return out;
    }
    return std::vector<GpuSpan>{};
}

bool Submitter::hasSpan(uint64_t value, std::string_view name) const {
    for (const Slot& slot : slots_)
        if (slot.value == value)
            return std::ranges::any_of(slot.spans, [&](const GpuSpan& s) { return s.name == name; });
    return false;
}

Result<std::vector<VkCommandBuffer>> createCommandBuffers(Device& device, uint32_t count, Owned<VkCommandPool>& pool) {
    VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pci.queueFamilyIndex = device.queueFamily();
    VkCommandPool created = VK_NULL_HANDLE;
    RV_VK_TRY(device.vk().vkCreateCommandPool(device.device(), &pci, nullptr, &created));
    pool = device.own(created);
    std::vector<VkCommandBuffer> cmds(count);
    VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ai.commandPool = created;
    ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ai.commandBufferCount = count;
    RV_VK_TRY(device.vk().vkAllocateCommandBuffers(device.device(), &ai, cmds.data()));
    return cmds;
}

void imageBarrier(const Device& device, VkCommandBuffer cmd, VkImage image, VkImageLayout from, VkImageLayout to,
                  VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess, VkPipelineStageFlags2 dstStage,
                  VkAccessFlags2 dstAccess) {
    VkImageMemoryBarrier2 b{VK_STRUCTURE_TYPE_IMAGE_MEMORY_BARRIER_2};
    b.srcStageMask = srcStage;
    b.srcAccessMask = srcAccess;
    b.dstStageMask = dstStage;
    b.dstAccessMask = dstAccess;
    b.oldLayout = from;
    b.newLayout = to;
    b.srcQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.dstQueueFamilyIndex = VK_QUEUE_FAMILY_IGNORED;
    b.image = image;
    b.subresourceRange = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 1, 0, 1};
    VkDependencyInfo di{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    di.imageMemoryBarrierCount = 1;
    di.pImageMemoryBarriers = &b;
    device.vk().vkCmdPipelineBarrier2(cmd, &di);
}

void memoryBarrier(const Device& device, VkCommandBuffer cmd, VkPipelineStageFlags2 srcStage, VkAccessFlags2 srcAccess,
                   VkPipelineStageFlags2 dstStage, VkAccessFlags2 dstAccess) {
    VkMemoryBarrier2 mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER_2};
    mb.srcStageMask = srcStage;
    mb.srcAccessMask = srcAccess;
    mb.dstStageMask = dstStage;
    mb.dstAccessMask = dstAccess;
    VkDependencyInfo di{VK_STRUCTURE_TYPE_DEPENDENCY_INFO};
    di.memoryBarrierCount = 1;
    di.pMemoryBarriers = &mb;
    device.vk().vkCmdPipelineBarrier2(cmd, &di);
}

} // namespace rearview::gpu
