// SPDX-License-Identifier: MIT
// The GPU every test shares: created once per test process with the Khronos validation
// layer on. Tests end with REQUIRE_NO_VALIDATION_MESSAGES() so any message fails them.
#pragma once

#include "gpu/gpu_context_impl.hpp"

#include <rearview/gpu.hpp>

#include <catch2/catch_test_macros.hpp>

namespace rearview::test {

/// The context lives until the process ends: tests keep stage runners in function-local
/// statics that use it until exit, and destroying it during exit() would come after static
/// objects of the Vulkan layers created after it (a recording's companion device creates
/// some) are gone.
inline GpuContext& gpu() {
    static GpuContext* context = [] {
        auto c = GpuContext::create(GpuOptions{.validation = true, .device = {}, .applicationName = "rearview-tests"});
        if (!c)
            FAIL("cannot create the test GPU: " << c.error().describe());
        return new GpuContext(std::move(*c));
    }();
    return *context;
}

inline gpu::Device& device() { return deviceOf(gpu()); }

} // namespace rearview::test

#define REQUIRE_NO_VALIDATION_MESSAGES() REQUIRE(::rearview::test::gpu().validationMessages() == 0)
