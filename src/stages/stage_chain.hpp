// SPDX-License-Identifier: MIT
#pragma once

#include "analysis/face_box.hpp"
#include <rearview/pipeline.hpp>
#include "gpu/buffer.hpp"
#include "gpu/submitter.hpp"
#include "stages/beauty.hpp"
#include "stages/finish.hpp"
#include "stages/finishing.hpp"
#include "stages/lut3d.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rearview::stages {

/// The stages of a pipeline's list (viewfinder or record) run in order over the working
/// image, in place; each run of two or three per-pixel looks (lut, vignette, grain, each kind
/// once) is one pass (Finish), named "lut+vignette+grain" in GPU spans. apply() switches to another list or other parameters between
/// frames: it checks everything first (on error the current chain stays), reads and uploads
/// only LUT files it does not hold yet (the kMaxLuts most recently used stay loaded, so
/// switching back and forth between looks reads nothing), and never rebuilds a pipeline, so
/// the next recorded frame uses the new looks with no stall.
class StageChain {
public:
    StageChain() = default; ///< empty until assigned from create()
    /// A chain for `width` x `height` working images. `scale`: how many times the panel's size
    /// the image is (1 for the panel, about 9 for a full-resolution photo): every size-dependent
    /// parameter scales with it, beauty's grid (BeautyGrid::cellFor()) and the grain's cells, so
    /// the look matches the panel's (vignette geometry is relative to the image already).
    static Result<StageChain> create(gpu::Device& device, uint32_t width, uint32_t height, double scale = 1.0);

    /// Makes `stages` the chain for later record() calls. Errors: the stage's validation
    /// error or the LUT file's load error.
    Result<void> apply(const std::vector<StageParams>& stages);
    /// Face boxes (panel coordinates) for the beauty stage from the next record() on.
    void setFaces(std::span<const analysis::FaceBox> faces) { faces_.assign(faces.begin(), faces.end()); }
    /// Records the chain from `in` into `out` (packed RGBA8 of the chain's size, storage
    /// buffers that are also transfer sources and destinations; `in` may be overwritten, and
    /// may be `out`): the passes ping-pong between `in` and the chain's scratch, the last one
    /// writing `out`, so no pass copies (an empty chain copies `in` to `out`, or records
    /// nothing when they are the same). `seed` changes the grain every frame. With `spans`,
    /// each pass is a GPU-timed span named after its stages.
    Result<void> record(VkCommandBuffer cmd, VkDescriptorBufferInfo in, VkDescriptorBufferInfo out, uint32_t seed,
                        gpu::Submitter* spans = nullptr) const;

    const std::vector<StageParams>& stages() const { return stages_; }
    /// The uploaded LUT of a LutParams of the applied list (for a pass outside the chain that
    /// applies it, stages/record_lut.hpp); null when the list has no such LUT.
    const Lut3d* lutFor(const LutParams& lut) const;
    /// false: every stage its own pass, as before fusing (benchmarks compare the two).
    void setFused(bool fused) {
        fused_ = fused;
        planPasses();
    }
    /// The chain's image is rows `originY`.. of an image `fullHeight` tall (a photo processed
    /// in strips): vignette and grain follow the whole image. Fused chains only.
    void setStrip(uint32_t originY, uint32_t fullHeight) {
        place_.originY = originY;
        place_.fullHeight = fullHeight;
    }
    /// LUT files read and uploaded so far (parameter changes add none).
    uint64_t lutUploads() const { return lutUploads_; }

private:
    gpu::Device* device_ = nullptr;
    uint32_t width_ = 0, height_ = 0;
    ImagePlace place_;
    Beauty beauty_;
    gpu::Buffer scratch_; ///< the other working image passes ping-pong with
    std::vector<analysis::FaceBox> faces_;
    Vignette vignette_;
    Grain grain_;
    Finish finish_;
    bool fused_ = true;
    /// The passes record() runs over stages_, planned when the list or fusing changes, so a
    /// frame only records them.
    struct Pass {
        size_t first = 0, count = 0;
        std::string name; ///< its stages' names joined by '+', the GPU span's name
        const Lut3d* lut = nullptr; ///< the uploaded LUT its lut stage reads (luts_ holds it)
    };
    std::vector<Pass> passes_;
    void planPasses();
    static constexpr size_t kMaxLuts = 8;
    struct HeldLut {
        std::unique_ptr<Lut3d> stage;
        uint64_t lastApplied = 0; ///< apply() count when a chain last used it
        std::shared_ptr<const CubeLut> cube; ///< what it was made from (keeps its key's address taken)
    };
    /// The file path, or for a LUT made in code its address.
    static std::string lutKey(const LutParams& lut);
    std::map<std::string, HeldLut> luts_; ///< by lutKey()
    uint64_t applies_ = 0;
    std::vector<StageParams> stages_;
    uint64_t lutUploads_ = 0;
};

} // namespace rearview::stages
