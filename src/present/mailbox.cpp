// SPDX-License-Identifier: MIT
#include "present/mailbox.hpp"

#include <cassert>
#include <chrono>
#include <format>
#include <thread>

namespace rearview::present {

Result<std::unique_ptr<Mailbox>> Mailbox::create(gpu::Device& device, uint32_t width, uint32_t height) {
    return create(device, device, width, height, 1);
}

Result<std::unique_ptr<Mailbox>> Mailbox::create(gpu::Device& writer, gpu::Device& reader, uint32_t width,
                                                 uint32_t height, uint32_t writesInFlight) {
    if (width == 0 || height == 0 || width > 16384 || height > 16384)
        return fail(ErrorCode::InvalidArgument,
                    std::format("mailbox size {}x{} is out of range (1..16384 in each direction)", width, height));
    if (writesInFlight < 1 || writesInFlight > 8)
        return fail(ErrorCode::InvalidArgument,
                    std::format("{} writes in flight: the mailbox takes 1..8", writesInFlight));
    std::unique_ptr<Mailbox> m(new Mailbox());
    m->writer_ = &writer;
    m->reader_ = &reader;
    m->width_ = width;
    m->height_ = height;
    m->writesInFlight_ = writesInFlight;
    m->bytes_ = VkDeviceSize(width) * height * 4;
    m->slots_.resize(writesInFlight + 2);
    for (Slot& slot : m->slots_) {
        if (m->crossDevice()) {
            auto shared = gpu::SharedHostBuffer::create(writer, reader, m->bytes_);
            if (!shared)
                return std::unexpected(shared.error());
            slot.shared = std::move(*shared);
            continue;
        }
        auto buffer = gpu::Buffer::create(writer, m->bytes_,
                                          VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                                              VK_BUFFER_USAGE_TRANSFER_DST_BIT,
                                          gpu::MemoryUse::GpuOnly);
        if (!buffer)
            return std::unexpected(buffer.error());
        slot.buffer = std::move(*buffer);
    }
    return m;
}

VkBuffer Mailbox::writerBuffer(uint32_t index) const {
    const Slot& slot = slots_[index];
    return crossDevice() ? slot.shared.on(*writer_) : slot.buffer.get();
}

VkBuffer Mailbox::readerBuffer(uint32_t index) const {
    const Slot& slot = slots_[index];
    return crossDevice() ? slot.shared.on(*reader_) : slot.buffer.get();
}

Mailbox::WriteSlot Mailbox::beginWrite() {
    std::lock_guard lock(mutex_);
    std::optional<uint32_t> chosen;
    if (writing_ >= writesInFlight_) {
        for (uint32_t i = 0; i < slotCount(); ++i)
            if (slots_[i].state == State::Writing && (!chosen || slots_[i].begun > slots_[*chosen].begun))
                chosen = i;
    } else {
        // The free slot read longest ago: with two devices its read is the likeliest done.
        for (uint32_t i = 0; i < slotCount(); ++i)
            if (slots_[i].state == State::Free && (!chosen || slots_[i].lastRead < slots_[*chosen].lastRead))
                chosen = i;
        // One slot at most is read and one published, so one of the others is free.
        assert(chosen);
        slots_[*chosen].state = State::Writing;
        slots_[*chosen].begun = ++begun_;
        ++writing_;
    }
    const Slot& slot = slots_[*chosen];
    return {*chosen, {writerBuffer(*chosen), 0, bytes_}, slot.lastRead, crossDevice()};
}

Result<void> Mailbox::waitForReader(const WriteSlot& slot) const {
    constexpr auto kPoll = std::chrono::milliseconds(1);
    constexpr auto kTimeout = std::chrono::seconds(2);
    const auto deadline = std::chrono::steady_clock::now() + kTimeout;
    while (readerReached_.load(std::memory_order_acquire) < slot.waitValue) {
        if (std::chrono::steady_clock::now() > deadline)
            return fail(ErrorCode::DeviceLost,
                        std::format("the presenter did not report its read of mailbox slot {} (timeline value {}) "
                                    "done within {} ms; is it still running?",
                                    slot.index, slot.waitValue, std::chrono::milliseconds(kTimeout).count()));
        std::this_thread::sleep_for(kPoll);
    }
    return {};
}

void Mailbox::publish(uint32_t index, const ReadyFrame& frame) {
    std::lock_guard lock(mutex_);
    assert(slots_[index].state == State::Writing);
    if (published_) {
        slots_[*published_].state = State::Free;
        ++droppedCount_;
    }
    slots_[index].state = State::Published;
    slots_[index].frame = frame;
    published_ = index;
    --writing_;
    ++publishedCount_;
}

void Mailbox::abandon(uint32_t index) {
    std::lock_guard lock(mutex_);
    if (slots_[index].state != State::Writing)
        return;
    slots_[index].state = State::Free;
    --writing_;
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
        return ReadSlot{*reading_, {readerBuffer(*reading_), 0, bytes_}, slot.frame, true};
    }
    if (reading_) {
        const Slot& slot = slots_[*reading_];
        return ReadSlot{*reading_, {readerBuffer(*reading_), 0, bytes_}, slot.frame, false};
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
