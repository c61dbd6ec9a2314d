// SPDX-License-Identifier: MIT
// Per-row byte sums of both NV12 planes of a captured frame, on the GPU (RowSums over the
// imported buffer) and on the CPU (over the same mapping): equal sums show the GPU read
// exactly the bytes the source wrote.
#pragma once

#include "core/frame.hpp"
#include "gpu/buffer.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/frames_in_flight.hpp"
#include "gpu/submitter.hpp"
#include "harness/row_sums.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <numeric>
#include <optional>
#include <span>
#include <vector>

namespace rearview::test {

/// Sums of the Y rows, then the CbCr rows; `width` bytes of each row.
inline std::vector<uint32_t> cpuPlaneRowSums(const CapturedFrame& f) {
    const uint32_t rows = f.height + (f.height + 1) / 2;
    std::vector<uint32_t> sums(rows);
    for (uint32_t r = 0; r < rows; ++r) {
        const size_t offset = r < f.height ? size_t(r) * f.stride : f.uvOffset + size_t(r - f.height) * f.stride;
        const uint8_t* row = f.memory->data + offset;
        sums[r] = std::accumulate(row, row + f.width, 0u);
    }
    return sums;
}

/// The GPU side of the import tests: an importer, a submitter with `slots` slots and a
/// bound of `maxInFlight` frames, each required to be created.
struct ImportRig {
    std::optional<gpu::FrameImporter> importer;
    std::optional<gpu::Submitter> submitter;
    std::optional<gpu::FramesInFlight> inFlight;

    ImportRig(gpu::Device& device, uint32_t slots, uint32_t maxInFlight) {
        auto i = gpu::FrameImporter::create(device);
        auto s = gpu::Submitter::create(device, slots);
        auto f = gpu::FramesInFlight::create(device, maxInFlight);
        REQUIRE(i);
        REQUIRE(s);
        REQUIRE(f);
        importer.emplace(std::move(*i));
        submitter.emplace(std::move(*s));
        inFlight.emplace(std::move(*f));
    }
};

/// Records RowSums over the Y plane and over the CbCr plane of imported frames, one
/// submission per frame, into readback buffers sized for `width` x `height`.
class GpuPlaneRowSums {
public:
    GpuPlaneRowSums(gpu::Device& device, gpu::Submitter& submitter, uint32_t height)
        : device_(device), submitter_(submitter), height_(height) {
        auto stage = stages::RowSums::create(device);
        REQUIRE(stage);
        stage_ = std::move(*stage);
        auto y = gpu::Buffer::create(device, height * 4u, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Readback);
        auto uv = gpu::Buffer::create(device, (height + 1) / 2 * 4u, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                      gpu::MemoryUse::Readback);
        REQUIRE(y);
        REQUIRE(uv);
        ySums_ = std::move(*y);
        uvSums_ = std::move(*uv);
    }

    /// Submits the sums of `frame` as imported by `importer`; returns the timeline value of
    /// the submission (the frame's last use). `waits` hold the submission back.
    uint64_t submit(gpu::FrameImporter& importer, const CapturedFrame& frame,
                    std::span<const VkSemaphoreSubmitInfo> waits = {}) {
        REQUIRE(frame.height == height_);
        auto in = importer.acquire(frame);
        REQUIRE(in);
        const VkDeviceSize uvAt = in->offset + frame.uvOffset;
        const VkDeviceSize align = device_.limits().minStorageBufferOffsetAlignment;
        INFO("CbCr plane at byte " << uvAt << ", storage buffer offsets align to " << align);
        REQUIRE(uvAt % align == 0);
        auto cmd = submitter_.begin();
        REQUIRE(cmd);
        const uint32_t uvRows = (frame.height + 1) / 2;
        stage_.record(*cmd, {in->buffer, in->offset, VkDeviceSize(frame.stride) * frame.height}, frame.width,
                      frame.height, frame.stride, {ySums_.get(), 0, VK_WHOLE_SIZE});
        stage_.record(*cmd, {in->buffer, uvAt, VkDeviceSize(frame.stride) * uvRows}, frame.width, uvRows,
                      frame.stride, {uvSums_.get(), 0, VK_WHOLE_SIZE});
        gpu::memoryBarrier(device_, *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
        auto value = submitter_.submit(waits);
        REQUIRE(value);
        importer.submitted(*in, *value);
        return *value;
    }

    /// The sums of the last submission, once its value has completed.
    std::vector<uint32_t> read() {
        const uint32_t uvRows = (height_ + 1) / 2;
        ySums_.invalidate();
        uvSums_.invalidate();
        std::vector<uint32_t> out(height_ + uvRows);
        std::memcpy(out.data(), ySums_.mapped(), height_ * 4u);
        std::memcpy(out.data() + height_, uvSums_.mapped(), uvRows * 4u);
        return out;
    }

private:
    gpu::Device& device_;
    gpu::Submitter& submitter_;
    uint32_t height_;
    stages::RowSums stage_;
    gpu::Buffer ySums_;
    gpu::Buffer uvSums_;
};

} // namespace rearview::test
