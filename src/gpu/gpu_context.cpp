// SPDX-License-Identifier: MIT
#include "gpu/gpu_context_impl.hpp"

namespace rearview {

Result<GpuContext> GpuContext::create(const GpuOptions& options) {
    auto device = gpu::Device::create(options);
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
