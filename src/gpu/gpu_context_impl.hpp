// SPDX-License-Identifier: MIT
#pragma once

#include "gpu/device.hpp"

#include <rearview/gpu.hpp>

namespace rearview {

struct [[gnu::visibility("hidden")]] GpuContext::Impl {
    explicit Impl(std::unique_ptr<gpu::Device> d) : device(std::move(d)) {}
    std::unique_ptr<gpu::Device> device;
};

/// The device behind a public GpuContext.
inline gpu::Device& deviceOf(GpuContext& context) { return *context.impl().device; }

} // namespace rearview
