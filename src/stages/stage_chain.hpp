// SPDX-License-Identifier: MIT
#pragma once

#include "core/stage_params.hpp"
#include "stages/finishing.hpp"
#include "stages/lut3d.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rearview::stages {

/// The stages of a pipeline file's list (viewfinder: or record:) run in order over the
/// working image, in place. apply() switches to another list or other parameters between
/// frames: it checks everything first (on error the current chain stays), reads and uploads
/// only LUT files it does not hold yet (the kMaxLuts most recently used stay loaded, so
/// switching back and forth between looks reads nothing), and never rebuilds a pipeline, so
/// the next recorded frame uses the new looks with no stall.
class StageChain {
public:
    StageChain() = default; ///< empty until assigned from create()
    static Result<StageChain> create(gpu::Device& device);

    /// Makes `stages` the chain for later record() calls. Errors: the stage's validation
    /// error, the LUT file's load error, Unsupported for a stage this build cannot run.
    Result<void> apply(const std::vector<StageParams>& stages);
    /// Records the chain over `image` (width x height packed RGBA8). `seed` changes the
    /// grain every frame. An empty chain records nothing.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo image, uint32_t width, uint32_t height,
                        uint32_t seed) const;

    const std::vector<StageParams>& stages() const { return stages_; }
    /// LUT files read and uploaded so far (parameter changes add none).
    uint64_t lutUploads() const { return lutUploads_; }

private:
    gpu::Device* device_ = nullptr;
    Vignette vignette_;
    Grain grain_;
    static constexpr size_t kMaxLuts = 8;
    struct HeldLut {
        std::unique_ptr<Lut3d> stage;
        uint64_t lastApplied = 0; ///< apply() count when a chain last used it
    };
    std::map<std::string, HeldLut> luts_; ///< by file path
    uint64_t applies_ = 0;
    std::vector<StageParams> stages_;
    uint64_t lutUploads_ = 0;
};

} // namespace rearview::stages
