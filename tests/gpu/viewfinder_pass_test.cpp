// SPDX-License-Identifier: MIT
// Frames flow from a synthetic source through import, crop/scale and the stage chain while
// another thread switches pipeline files and parameters: every frame is processed, a
// request takes effect within a frame of being made, and each frame shows the looks of its
// generation (against the CPU references: crop/scale 1 + chain 3 code values).
#include "capture/synthetic_source.hpp"
#include "core/pipeline_file.hpp"
#include "analysis/face_thread.hpp"
#include "core/clock.hpp"
#include "cpu/crop_scale.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/submitter.hpp"
#include "stages/viewfinder_pass.hpp"
#include "support/cpu_chain.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <optional>
#include <thread>

using namespace rearview;
using namespace std::chrono_literals;

namespace {

/// The astronaut at 2040x1530 from a synthetic source through import into a viewfinder
/// pass, one frame at a time; each frame's GPU work is waited for before it is released.
struct Stream {
    gpu::Device& dev = test::device();
    std::optional<SyntheticSource> source;
    std::optional<gpu::FrameImporter> importer;
    std::optional<gpu::Submitter> submitter;
    std::optional<stages::ViewfinderPass> pass;
    gpu::Buffer output; ///< what the pass writes each frame into (the mailbox slot in the viewfinder)
    CropPlan plan = *planCrop(2040, 1530, 904, 572, ViewGeometry{});

    Stream() {
        auto s = SyntheticSource::create({.width = 2040, .height = 1530, .frameRate = 0, .bufferCount = 3,
                                          .imagePath = REARVIEW_ASSETS_DIR "/astronaut.png",
                                          .colorSpace = {YcbcrMatrix::Bt601, YcbcrRange::Full}});
        if (!s)
            FAIL(s.error().describe());
        auto i = gpu::FrameImporter::create(dev);
        auto sub = gpu::Submitter::create(dev, 2);
        auto p = stages::ViewfinderPass::create(dev, 904, 572);
        REQUIRE(i);
        REQUIRE(sub);
        REQUIRE(p);
        source.emplace(std::move(*s));
        importer.emplace(std::move(*i));
        submitter.emplace(std::move(*sub));
        pass.emplace(std::move(*p));
        auto o = gpu::Buffer::create(dev, 904 * 572 * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT,
                                     gpu::MemoryUse::GpuOnly);
        REQUIRE(o);
        output = std::move(*o);
    }

    struct Done {
        CapturedFrame frame;
        stages::ViewfinderPass::Frame result;
    };
    /// One frame through the pass; `after(cmd)` records more work after it.
    Done next(uint32_t seed, const std::function<void(VkCommandBuffer)>& after = {}) {
        auto got = source->nextFrame(5s);
        REQUIRE(got);
        REQUIRE(got->has_value());
        Done d{std::move(**got), {}};
        const CapturedFrame& frame = d.frame;
        auto in = importer->acquire(frame);
        REQUIRE(in);
        auto cmd = submitter->begin();
        REQUIRE(cmd);
        gpu::memoryBarrier(test::device(), *cmd, VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_READ_BIT);
        const stages::Nv12Buffer nv12{in->buffer,   in->offset,          in->size,     frame.width,     frame.height,
                                      frame.stride, uint32_t(frame.uvOffset), frame.stride, frame.colorSpace};
        auto recorded = pass->record(*cmd, nv12, plan, {output.get(), 0, output.size()}, seed);
        REQUIRE(recorded);
        d.result = *recorded;
        if (after)
            after(*cmd);
        auto value = submitter->submit();
        REQUIRE(value);
        pass->submitted(*value, frame.timestampNs);
        REQUIRE(dev.waitTimeline(*value));
        return d;
    }
};

} // namespace

TEST_CASE("Pipelines switch while frames flow: no frame lost, applied on the next frame", "[gpu]") {
    Stream stream;
    auto readback =
        gpu::Buffer::create(stream.dev, 904 * 572 * 4, VK_BUFFER_USAGE_TRANSFER_DST_BIT, gpu::MemoryUse::Readback);
    REQUIRE(readback);
    const Pipeline vivid = test::shippedPipeline("vivid.yaml"), mono = test::shippedPipeline("mono-film.yaml");
    std::vector<StageParams> softer = mono.viewfinder;
    std::get<LutParams>(softer[0]).strength = 0.5f;
    const std::vector<std::vector<StageParams>> looks = {{}, vivid.viewfinder, mono.viewfinder, softer};
    stream.pass->requestStages(vivid.viewfinder);

    // Another thread asks for a change after frames 3 and 7 are done.
    std::mutex m;
    std::condition_variable cv;
    int done = 0;
    std::jthread switcher([&] {
        for (auto [after, look] : {std::pair{3, 2}, std::pair{7, 3}}) {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return done >= after; });
            lock.unlock();
            stream.pass->requestStages(looks[size_t(look)]);
        }
    });

    constexpr int kFrames = 11;
    std::vector<uint64_t> generations;
    uint64_t lastSequence = 0;
    for (int f = 0; f < kFrames; ++f) {
        const Stream::Done d = stream.next(uint32_t(f), [&](VkCommandBuffer cmd) {
            gpu::memoryBarrier(test::device(), cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
            const VkBufferCopy copy{0, 0, 904 * 572 * 4};
            test::device().vk().vkCmdCopyBuffer(cmd, stream.output.get(), readback->get(), 1, &copy);
            gpu::memoryBarrier(test::device(), cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                               VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
        });
        const CapturedFrame& frame = d.frame;
        if (f > 0)
            CHECK(frame.sequence == lastSequence + 1); // nothing skipped
        lastSequence = frame.sequence;
        CHECK_FALSE(d.result.applyError);
        generations.push_back(d.result.generation);
        readback->invalidate();

        // Frames right after a change show the new look.
        if (f == 0 || generations.back() != generations[generations.size() - 2]) {
            RgbaImage actual(904, 572), expected;
            std::memcpy(actual.pixels.data(), readback->mapped(), actual.pixels.size());
            const Nv12View view{frame.memory->data, frame.memory->data + frame.uvOffset, frame.width, frame.height,
                                frame.stride,       frame.stride,                        frame.colorSpace};
            cpu::CropScale(view, stream.plan, expected);
            expected = test::cpuChain(expected, looks[generations.back()], uint32_t(f), {});
            const test::Difference diff = test::compare(actual, expected);
            INFO("frame " << f << " generation " << generations.back() << ": " << diff.describe());
            CHECK(diff.maxAbs <= 4);
        }
        {
            std::lock_guard lock(m);
            done = f + 1;
        }
        cv.notify_all();
    }
    switcher.join();
    // Generation 1 from the first frame; 2 and 3 at most one frame after they were asked for
    // (the request may arrive while the next frame is already being recorded).
    CHECK(generations.front() == 1);
    CHECK(generations.back() == 3);
    auto firstWith = [&](uint64_t g) { return int(std::ranges::find(generations, g) - generations.begin()); };
    CHECK(firstWith(2) <= 3 + 1);
    CHECK(firstWith(3) <= 7 + 1);
    CHECK(stream.source->stats().framesDelivered == uint64_t(kFrames));
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The analysis tap feeds the face thread while frames flow, and beauty gets its faces", "[gpu]") {
    Stream stream;
    auto faces = analysis::FaceThread::create();
    if (!faces)
        FAIL(faces.error().describe());
    REQUIRE(stream.pass->setFaceAnalysis(faces->get(), 2));
    CHECK_FALSE(stream.pass->setFaceAnalysis(faces->get(), 0));
    stream.pass->requestStages(test::shippedPipeline("selfie-beauty.yaml").viewfinder);

    // Frames keep coming until the detector has answered (or 10 s pass); the loop itself
    // never waits for it.
    const uint64_t start = monotonicNs();
    int frames = 0;
    while ((*faces)->faces().empty() && monotonicNs() - start < 10'000'000'000ull)
        stream.next(uint32_t(frames++));
    const analysis::FaceAnalysisStats s = (*faces)->stats();
    INFO(frames << " frames; face thread analysed " << s.analysed << ", latency " << s.lastLatencyMs << " ms");
    REQUIRE((*faces)->faces().size() == 1);
    CHECK(s.analysed >= 1);
    CHECK(frames >= 2);
    // The panel is mirrored: the face sits right of centre, near the top.
    const analysis::FaceBox f = (*faces)->faces()[0];
    CHECK(f.x + f.width / 2 > 452);
    CHECK(f.y < 100);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
