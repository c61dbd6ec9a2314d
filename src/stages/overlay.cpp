// SPDX-License-Identifier: MIT
#include "stages/overlay.hpp"

#include "core/font.hpp"

#include <cstring>
#include <format>
#include <mutex>

namespace rearview::stages {

struct Overlay::Shared {
    mutable std::mutex mutex;
    OverlayText text;
    OverlayStyle style;
    bool visible = false;
};

namespace {

struct OverlayPush {
    uint32_t width;
    uint32_t boxX, boxY, boxW, boxH;
    uint32_t textX, textY;
    uint32_t scale;
    uint32_t keep;
    uint32_t textColor;
    uint32_t columnsPerLine;
    uint32_t lengths[OverlayText::kMaxLines];
};

VkDeviceSize alignUp(VkDeviceSize v, VkDeviceSize a) { return (v + a - 1) / a * a; }

} // namespace

Overlay::Overlay() = default;
Overlay::Overlay(Overlay&&) noexcept = default;
Overlay& Overlay::operator=(Overlay&&) noexcept = default;
Overlay::~Overlay() = default;

Result<Overlay> Overlay::create(gpu::Device& device, uint32_t width, uint32_t height) {
    if (width == 0 || height == 0)
        return fail(ErrorCode::InvalidArgument, std::format("overlay: image size {}x{} is empty", width, height));
    auto p = gpu::ComputePipeline::createForBuffers(device, gpu::ShaderId::overlay, 3, sizeof(OverlayPush));
    if (!p)
        return std::unexpected(p.error());
    Overlay o;
    o.device_ = &device;
    o.pipeline_ = std::move(*p);
    o.width_ = width;
    o.height_ = height;
    // Slots start at offsets the device accepts for storage buffer descriptors.
    const VkDeviceSize align = std::max<VkDeviceSize>(4, device.limits().minStorageBufferOffsetAlignment);
    const std::span<const uint8_t> glyphs = font::glyphTable();
    o.slotOffset_ = alignUp(glyphs.size(), align);
    o.slotStride_ = alignUp(OverlayText::kMaxLines * OverlayText::kMaxColumns, align);
    auto buffer = gpu::Buffer::create(device, o.slotOffset_ + kRingSlots * o.slotStride_,
                                      VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Upload);
    if (!buffer)
        return std::unexpected(buffer.error());
    o.buffer_ = std::move(*buffer);
    std::memcpy(o.buffer_.mapped(), glyphs.data(), glyphs.size());
    o.buffer_.flush();
    o.shared_ = std::make_unique<Shared>();
    return o;
}

void Overlay::setText(std::span<const std::string> lines) {
    const OverlayText text = OverlayText::from(lines); // outside the lock: record() never waits on it
    std::lock_guard lock(shared_->mutex);
    shared_->text = text;
}

void Overlay::setVisible(bool visible) {
    std::lock_guard lock(shared_->mutex);
    shared_->visible = visible;
}

bool Overlay::visible() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->visible;
}

Result<void> Overlay::setStyle(const OverlayStyle& style) {
    if (auto r = validate(style); !r)
        return r;
    std::lock_guard lock(shared_->mutex);
    shared_->style = style;
    return {};
}

OverlayStyle Overlay::style() const {
    std::lock_guard lock(shared_->mutex);
    return shared_->style;
}

Result<void> Overlay::record(VkCommandBuffer cmd, VkDescriptorBufferInfo image) {
    lastSlot_ = kRingSlots;
    OverlayText text;
    OverlayStyle style;
    {
        std::lock_guard lock(shared_->mutex);
        if (!shared_->visible || shared_->text.empty())
            return {};
        text = shared_->text;
        style = shared_->style;
    }
    const VkDeviceSize bytes = VkDeviceSize(width_) * height_ * 4;
    if (image.range != VK_WHOLE_SIZE && image.range < bytes)
        return fail(ErrorCode::InvalidArgument,
                    std::format("overlay: the image buffer holds {} bytes, a {}x{} working image needs {}",
                                image.range, width_, height_, bytes));
    const OverlayLayout layout = OverlayLayout::of(text, style, width_, height_);
    if (layout.width == 0 || layout.height == 0)
        return {};

    const uint32_t slot = nextSlot_;
    // Only reached when more than kRingSlots frames are in flight: that frame must finish
    // reading the slot before it is overwritten.
    if (slotValue_[slot] > device_->completedTimelineValue())
        if (auto r = device_->waitTimeline(slotValue_[slot]); !r)
            return r;
    const VkDeviceSize offset = slotOffset_ + slot * slotStride_;
    std::memcpy(buffer_.mapped() + offset, text.chars.data(), sizeof(text.chars));
    buffer_.flush();
    nextSlot_ = (slot + 1) % kRingSlots;
    lastSlot_ = slot;
    slotValue_[slot] = 0;

    OverlayPush push{};
    push.width = width_;
    push.boxX = layout.x;
    push.boxY = layout.y;
    push.boxW = layout.width;
    push.boxH = layout.height;
    push.textX = layout.textX;
    push.textY = layout.textY;
    push.scale = style.scale;
    push.keep = layout.keep;
    push.textColor = style.textColor;
    push.columnsPerLine = OverlayText::kMaxColumns;
    for (uint32_t i = 0; i < OverlayText::kMaxLines; ++i)
        push.lengths[i] = text.lengths[i];

    pipeline_.bind(cmd);
    pipeline_.pushBuffers(cmd, {image,
                                {buffer_.get(), 0, font::glyphTable().size()},
                                {buffer_.get(), offset, sizeof(text.chars)}});
    pipeline_.pushConstants(cmd, push);
    pipeline_.dispatch(cmd, gpu::groupsFor(layout.width, pipeline_.localSizeX()),
                  gpu::groupsFor(layout.height, pipeline_.localSizeY()), 1);
    return {};
}

void Overlay::submitted(uint64_t timelineValue) {
    if (lastSlot_ < kRingSlots)
        slotValue_[lastSlot_] = timelineValue;
}

} // namespace rearview::stages
