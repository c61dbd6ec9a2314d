// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <rearview/error.hpp>

#include <cstdint>
#include <memory>
#include <string>

namespace rearview {

/// How to pick and set up the Vulkan device.
struct GpuOptions {
    /// Enable the Khronos validation layer and count its messages. Creation fails when the
    /// layer is requested but not installed.
    bool validation = false;
    /// Choose a device by index ("1") or by a case-insensitive substring of its name
    /// ("llvmpipe", "NVIDIA"). Empty: the REARVIEW_GPU environment variable, else the
    /// best device (discrete, then integrated, then virtual, then CPU).
    std::string device;
    /// Application name reported to the driver.
    std::string applicationName = "rearview";
};

/// What was chosen.
struct GpuInfo {
    std::string name;        ///< e.g. "llvmpipe (LLVM 19.1.7, 256 bits)"
    std::string type;        ///< "discrete", "integrated", "virtual", "cpu", "other"
    std::string driverName;  ///< e.g. "llvmpipe"
    std::string driverInfo;  ///< e.g. "Mesa 25.0.7 (LLVM 19.1.7)"
    std::string apiVersion;  ///< e.g. "1.4.305"
    uint32_t index = 0;      ///< index among the enumerated physical devices
    std::string whyChosen;   ///< "REARVIEW_GPU=llvmpipe", "best type (cpu)", ...
};

/// The Vulkan instance, device, queues and allocator every GPU part of rearview runs on.
/// Move-only. Several may exist in one process, each with its own instance, device and
/// Vulkan function table (on the same GPU or on different ones); one is usually enough, and
/// viewfinders share it. Destroy it before main() returns rather
/// than leaving it to static destruction: recording adds a second device on the same GPU
/// (docs/recording.md), and the Vulkan layers' own static objects created with it are
/// destroyed before a static GpuContext would be.
struct AppVulkanDevice; // <rearview/gpu_interop.hpp>

class REARVIEW_API GpuContext {
public:
    static Result<GpuContext> create(const GpuOptions& options = {});
    /// A context on the application's own Vulkan device (<rearview/gpu_interop.hpp>): rearview
    /// submits to the queue given and creates its allocator, timeline and pipelines on the
    /// device; companion devices (a recording's) are made on the same GPU through instances of
    /// rearview's own. Unsupported, naming what is missing, when the device lacks a required
    /// extension or feature. `options.device` is ignored; validation messages are counted only
    /// on rearview's own instances.
    static Result<GpuContext> adopt(const AppVulkanDevice& app, const GpuOptions& options = {});

    GpuContext(GpuContext&&) noexcept;
    GpuContext& operator=(GpuContext&&) noexcept;
    ~GpuContext();

    const GpuInfo& info() const;
    /// Validation messages (warnings and errors) seen since creation; always 0 without validation.
    uint64_t validationMessages() const;

    /// Internal state; not part of the stable API.
    struct Impl;
    Impl& impl() { return *impl_; }

private:
    explicit GpuContext(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace rearview
