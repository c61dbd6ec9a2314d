// SPDX-License-Identifier: MIT
// What the pipeline consumes frames from: a libcamera camera or a synthetic source.
#pragma once

#include "core/frame.hpp"

#include <rearview/color_space.hpp>
#include <rearview/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rearview {

/// Layout of the NV12 frames a source delivers (the same for every frame until the source
/// is reconfigured).
struct FrameFormat {
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t stride = 0;  ///< bytes per row, both planes
    size_t uvOffset = 0;  ///< byte offset of the CbCr plane within a buffer
    ColorSpace colorSpace{};
};

/// A source of CapturedFrames for one consumer thread. Every frame's `release` handle gives
/// its buffer back to the source; a source has a bounded number of buffers, so a consumer
/// that holds them all gets no further frames until it drops one. A handle keeps its buffer's
/// memory valid after the source has stopped or gone (the record branch may let go of a frame
/// after the viewfinder stopped its camera).
class FrameSource {
public:
    virtual ~FrameSource() = default;

    /// The next frame, waiting up to `timeout`; nullopt when none came in time. Errors are
    /// the source's (not streaming, camera lost); see the implementation.
    virtual Result<std::optional<CapturedFrame>> nextFrame(std::chrono::milliseconds timeout) = 0;
    /// Layout of the frames delivered from now on.
    virtual FrameFormat format() const = 0;

protected:
    FrameSource() = default;
    // Copy and move only through the concrete type (no slicing through the interface).
    FrameSource(const FrameSource&) = default;
    FrameSource& operator=(const FrameSource&) = default;
};

} // namespace rearview
