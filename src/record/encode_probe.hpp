// SPDX-License-Identifier: MIT
// How fast the encoder a recording would use takes frames of one size, measured before the
// recording starts (RecordingPlan).
#pragma once

#include <rearview/color_space.hpp>
#include <rearview/error.hpp>
#include <rearview/record.hpp>

#include <cstdint>

namespace rearview::record {

/// Frames per second of the encoder `options` selects (as Recorder::create() would) at
/// `width` x `height`: `frames` synthetic NV12 frames (a gradient that moves every frame, so
/// the encoder does real motion search) are sent and the encoder drained; the wall time of the
/// whole, open excluded, over the frames. Nothing is written to disk.
/// What probeEncodeFps() measured.
struct EncodeProbe {
    double fps = 0;
    bool hardware = false; ///< the encoder that opened runs on dedicated hardware
};

Result<EncodeProbe> probeEncodeFps(const RecordOptions& options, uint32_t width, uint32_t height, ColorSpace colorSpace,
                              uint32_t frames = 4);

} // namespace rearview::record
