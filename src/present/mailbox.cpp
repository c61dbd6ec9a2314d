// SPDX-License-Identifier: MIT
#include "present/mailbox.hpp"

#include <cassert>
#include <format>

namespace rearview::present {

Result<std::unique_ptr<Mailbox>> Mailbox::create(gpu::Device& device, uint32_t width, uint32_t height) {
    if (width == 0 || height == 0 || width > 16384 || height > 16384)
        return fail(ErrorCode::InvalidArgument,
                    std::format("mailbox size {}x{} is out of range (1..16384 in each direction)", width, height));
    std::unique_ptr<Mailbox> m(new Mailbox());
    m->width_ = width;
    m->height_ = height;
    m->bytes_ = VkDeviceSize(width) * height * 4;
    for (Slot& slot : m->slots_) {
        auto buffer = gpu::Buffer::create(device, m->bytes_,
                                          VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                              VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                          gpu::MemoryUse::GpuOnly);
        if (!buffer)
            return std::unexpected(buffer.error());
        slot.buffer = std::move(*buffer);
    }
    return m;
}

Mailbox::WriteSlot Mailbox::beginWrite() {
    std::lock_guard lock(mutex_);
    if (!writing_) {
        for (uint32_t i = 0; i < kSlots; ++i)
            if (slots_[i].state == State::Free) {
                writing_ = i;
                break;
            }
        // One slot at most is read and one published, so a third is always free.
        assert(writing_);
        slots_[*writing_].state = State::Writing;
    }
    const Slot& slot = slots_[*writing_];
    return {*writing_, {slot.buffer.get(), 0, bytes_}, slot.lastRead};
}

void Mailbox::publish(uint32_t index, const ReadyFrame& frame) {
    std::lock_guard lock(mutex_);
    assert(writing_ && *writing_ == index);
    if (published_) {
        slots_[*published_].state = State::Free;
        ++droppedCount_;
    }
    slots_[index].state = State::Published;
    slots_[index].frame = frame;
    published_ = index;
    writing_.reset();
    ++publishedCount_;
}

std::optional<Mailbox::ReadSlot> Mailbox::takeNewest(uint64_t completedValue) {
    std::lock_guard lock(mutex_);
    if (published_ && slots_[*published_].frame.timelineValue <= completedValue) {
        if (reading_)
            slots_[*reading_].state = State::Free;
        reading_ = published_;
        published_.reset();
        Slot& slot = slots_[*reading_];
        slot.state = State::Reading;
        return ReadSlot{*reading_, {slot.buffer.get(), 0, bytes_}, slot.frame, true};
    }
    if (reading_) {
        const Slot& slot = slots_[*reading_];
        return ReadSlot{*reading_, {slot.buffer.get(), 0, bytes_}, slot.frame, false};
    }
    return std::nullopt;
}

void Mailbox::markRead(uint32_t index, uint64_t value) {
    std::lock_guard lock(mutex_);
    slots_[index].lastRead = std::max(slots_[index].lastRead, value);
}

std::optional<ReadyFrame> Mailbox::newestPublished() const {
    std::lock_guard lock(mutex_);
    if (published_)
        return slots_[*published_].frame;
    if (reading_)
        return slots_[*reading_].frame;
    return std::nullopt;
}

uint64_t Mailbox::published() const {
    std::lock_guard lock(mutex_);
    return publishedCount_;
}

uint64_t Mailbox::dropped() const {
    std::lock_guard lock(mutex_);
    return droppedCount_;
}

} // namespace rearview::present
