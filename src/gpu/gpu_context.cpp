// SPDX-License-Identifier: MIT
#include "gpu/gpu_context_impl.hpp"

#include "core/thread_priority.hpp"

namespace rearview {

Result<GpuContext> GpuContext::create(const GpuOptions& options) {
    // A viewfinder presents the panel from this device: on a CPU driver its shader workers,
    // started here, get the panel's priority where the process may raise it (the caller's
    // thread keeps its own).
    Result<std::unique_ptr<gpu::Device>> device = std::unexpected(Error{});
    runWithPriority(ThreadPriority::Panel, [&] { device = gpu::Device::create(options); });
    if (!device)
        return std::unexpected(device.error());
    return GpuContext(std::make_unique<Impl>(std::move(*device)));
}

GpuContext::GpuContext(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GpuContext::GpuContext(GpuContext&&) noexcept = default;
GpuContext& GpuContext::operator=(GpuContext&&) noexcept = default;
GpuContext::~GpuContext() = default;

const GpuInfo& GpuContext::info() const { return impl_->device->info(); }
uint64_t GpuContext::validationMessages() const { return impl_->device->validationMessages(); }

} // namespace rearview
