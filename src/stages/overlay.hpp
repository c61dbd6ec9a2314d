// SPDX-License-Identifier: MIT
// The HUD: a few lines of text in a corner of the working image, over a dark box. Drawn
// after crop/scale and mirroring, so it always reads the right way round.
#pragma once

#include "core/overlay_layout.hpp"
#include "gpu/buffer.hpp"
#include "gpu/compute_pipeline.hpp"

#include <array>
#include <memory>
#include <span>
#include <string>

namespace rearview::stages {

/// The HUD overlay stage on the packed RGBA8 working image, in place. Text, style and
/// visibility can change every frame (from any thread) without rebuilding anything: each
/// record() copies the current text into the next slot of a small host-visible ring and
/// dispatches over the HUD box only. The ring has kRingSlots slots; tell the stage each
/// frame's timeline value with submitted() and record() waits for the slot's previous frame
/// in the rare case the GPU is that far behind (without submitted(), the caller must keep
/// fewer than kRingSlots recorded frames unfinished).
class Overlay {
public:
    static constexpr uint32_t kRingSlots = 4;

    Overlay(); ///< empty until assigned from create()
    Overlay(Overlay&&) noexcept;
    Overlay& operator=(Overlay&&) noexcept;
    ~Overlay();
    /// A HUD for a `width` x `height` working image; hidden until setVisible(true).
    static Result<Overlay> create(gpu::Device& device, uint32_t width, uint32_t height);

    /// Any thread: the lines drawn from the next record() on (see OverlayText for clipping).
    void setText(std::span<const std::string> lines);
    /// Any thread: shows or hides the HUD; hidden, record() records nothing.
    void setVisible(bool visible);
    bool visible() const;
    /// Any thread: the look from the next record() on; an out-of-range style is refused.
    Result<void> setStyle(const OverlayStyle& style);
    OverlayStyle style() const;

    /// Pipeline thread: records the HUD over `image` (width * height packed RGBA8). Records
    /// nothing when hidden or without text.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image);
    /// Pipeline thread: the timeline value of the submission holding the last record().
    void submitted(uint64_t timelineValue);

private:
    struct Shared; // what setters on other threads hand to record()

    gpu::Device* device_ = nullptr;
    gpu::ComputePipeline pipeline_;
    gpu::Buffer buffer_; ///< the font, then kRingSlots text slots
    VkDeviceSize slotOffset_ = 0, slotStride_ = 0;
    std::array<uint64_t, kRingSlots> slotValue_{}; ///< timeline value of each slot's last use
    uint32_t nextSlot_ = 0;
    uint32_t lastSlot_ = kRingSlots; ///< kRingSlots: the last record() used none
    uint32_t width_ = 0, height_ = 0;
    std::unique_ptr<Shared> shared_;
};

} // namespace rearview::stages
