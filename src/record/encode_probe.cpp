// SPDX-License-Identifier: MIT
#include "record/encode_probe.hpp"

#include "core/clock.hpp"
#include "record/encoder_select.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace rearview::record {
namespace {

// A diagonal luma ramp shifted by `phase` pixels, neutral chroma.
void fillMoving(RecordFrame& frame, uint32_t phase) {
    for (uint32_t y = 0; y < frame.height; ++y) {
        uint8_t* row = frame.y() + size_t(y) * frame.yStride;
        for (uint32_t x = 0; x < frame.width; ++x)
            row[x] = uint8_t((x + y + phase * 4) & 0xFF);
    }
    for (uint32_t y = 0; y < frame.height / 2; ++y)
        std::memset(frame.uv() + size_t(y) * frame.uvStride, 128, frame.width);
}

} // namespace

Result<EncodeProbe> probeEncodeFps(const RecordOptions& options, uint32_t width, uint32_t height, ColorSpace colorSpace,
                              uint32_t frames) {
    frames = std::max<uint32_t>(frames, 1);
    auto selected = selectEncoder(options, encoderConfig(options, width, height, colorSpace));
    if (!selected)
        return std::unexpected(selected.error());
    Encoder& encoder = *selected->encoder;
    PacketPtr packet(av_packet_alloc());
    if (!packet)
        return fail(ErrorCode::OutOfMemory, "cannot allocate an AVPacket");
    // Frames are prepared first: filling them is not the encoder's time.
    std::vector<RecordFrame> input;
    for (uint32_t i = 0; i < frames; ++i) {
        input.push_back(RecordFrame::allocate(width, height));
        fillMoving(input.back(), i);
    }
    const auto drain = [&]() -> Result<void> {
        for (;;) {
            auto got = encoder.receive(packet.get());
            if (!got)
                return std::unexpected(got.error());
            if (!*got)
                return {};
            av_packet_unref(packet.get());
        }
    };
    const int64_t duration = std::max<int64_t>(1, std::llround(kTimeBase.den / options.frameRate));
    const uint64_t startNs = monotonicNs();
    for (uint32_t i = 0; i < frames; ++i) {
        if (auto sent = encoder.send(std::move(input[i]), int64_t(i) * duration, duration, i == 0); !sent)
            return std::unexpected(sent.error());
        if (auto drained = drain(); !drained)
            return std::unexpected(drained.error());
    }
    if (auto ended = encoder.sendEnd(); !ended)
        return std::unexpected(ended.error());
    if (auto drained = drain(); !drained)
        return std::unexpected(drained.error());
    const double seconds = double(monotonicNs() - startNs) / 1e9;
    return EncodeProbe{.fps = seconds > 0 ? double(frames) / seconds : 0.0, .hardware = selected->hardware};
}

} // namespace rearview::record
