// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"

#include <functional>

namespace rearview::stages {

/// What running a stage once on data in CPU memory takes, shared by the stage runners (for
/// tests, benchmarks and stills): buffers sized on demand, host-write -> compute ->
/// host-read barriers, a GPU-timed span around the stage, submit and wait.
class OneShot {
public:
    static Result<OneShot> create(gpu::Device& device);

    gpu::Device& device() const { return *device_; }
    /// Makes `buffer` a storage buffer of at least `bytes` (the previous run has completed).
    Result<void> ensure(gpu::Buffer& buffer, VkDeviceSize bytes, gpu::MemoryUse use) const;
    /// Records `record` in a span named `span`, submits, waits, and returns the span's GPU
    /// time in ms. A record error is returned after the (then empty) submission completes.
    Result<double> run(const char* span, const std::function<Result<void>(VkCommandBuffer)>& record);

private:
    gpu::Device* device_ = nullptr;
    gpu::Submitter submitter_;
};

} // namespace rearview::stages
