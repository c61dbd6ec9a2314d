// SPDX-License-Identifier: MIT
// The GPU reads exactly what the camera wrote: per-row sums computed on the GPU over an
// imported capture buffer equal the CPU's over the same mapping, with no bytes copied when
// the buffer can be imported.
#include "capture/buffer_allocator.hpp"
#include "core/test_patterns.hpp"
#include "gpu/buffer.hpp"
#include "gpu/frame_importer.hpp"
#include "gpu/submitter.hpp"
#include "harness/row_sums.hpp"
#include "support/gpu_fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <numeric>

using namespace rearview;

namespace {

constexpr uint32_t kWidth = 1023, kHeight = 767, kStride = 1088;

struct CameraLikeBuffer {
    CaptureBuffer buffer;
    CapturedFrame frame;
};

CameraLikeBuffer makeBuffer(BufferAllocator& allocator, uint32_t seed) {
    Nv12Image image(kWidth, kHeight, kStride);
    patterns::fillNoise(image, seed);
    auto buffer = allocator.allocate(image.bytes().size());
    REQUIRE(buffer);
    std::memcpy(buffer->data(), image.bytes().data(), image.bytes().size());
    CameraLikeBuffer out{std::move(*buffer), {}};
    out.frame.memory = &out.buffer.memory();
    out.frame.width = kWidth;
    out.frame.height = kHeight;
    out.frame.stride = kStride;
    out.frame.uvOffset = image.uvOffset();
    return out;
}

std::vector<uint32_t> cpuRowSums(const CapturedFrame& f) {
    const uint32_t rows = f.height + (f.height + 1) / 2; // Y rows, then CbCr rows
    std::vector<uint32_t> sums(rows);
    for (uint32_t r = 0; r < rows; ++r) {
        const uint8_t* row = f.memory->data + size_t(r) * f.stride;
        sums[r] = std::accumulate(row, row + ((f.width + 1) & ~1u), 0u);
    }
    return sums;
}

std::vector<uint32_t> gpuRowSums(gpu::FrameImporter& importer, const CapturedFrame& f) {
    gpu::Device& dev = test::device();
    auto stage = stages::RowSums::create(dev);
    auto submitter = gpu::Submitter::create(dev, 1);
    REQUIRE(stage);
    REQUIRE(submitter);
    const uint32_t rows = f.height + (f.height + 1) / 2;
    auto sums = gpu::Buffer::create(dev, rows * 4, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Readback);
    REQUIRE(sums);
    auto in = importer.acquire(f);
    REQUIRE(in);
    auto cmd = submitter->begin();
    REQUIRE(cmd);
    stage->record(*cmd, {in->buffer, in->offset, in->size}, (f.width + 1) & ~1u, rows, f.stride,
                  {sums->get(), 0, VK_WHOLE_SIZE});
    gpu::memoryBarrier(test::device(), *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                       VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    auto value = submitter->submit();
    REQUIRE(value);
    importer.submitted(*in, *value);
    REQUIRE(dev.waitTimeline(*value));
    sums->invalidate();
    std::vector<uint32_t> out(rows);
    std::memcpy(out.data(), sums->mapped(), rows * 4);
    return out;
}

} // namespace

TEST_CASE("Imported capture buffers are read by the GPU without a copy", "[gpu]") {
    gpu::Device& dev = test::device();
    auto allocator = BufferAllocator::create();
    REQUIRE(allocator);
    auto importer = gpu::FrameImporter::create(dev);
    REQUIRE(importer);
    CameraLikeBuffer a = makeBuffer(*allocator, 7);

    CHECK(gpuRowSums(*importer, a.frame) == cpuRowSums(a.frame));
    const bool canImport = dev.extensions().externalMemoryHost ||
                           (dev.extensions().externalMemoryDmaBuf && allocator->kind() != BufferKind::Memfd);
    if (canImport) {
        CHECK(importer->stats().lastPath != gpu::ImportPath::StagingCopy);
        CHECK(importer->stats().bytesCopiedLastFrame == 0);
        CHECK(importer->stats().imports == 1);
    }

    // The camera writes the next frame into the same buffer: the cached import sees it, and
    // the buffer is not imported again.
    for (size_t i = 0; i < a.buffer.size(); i += 97)
        a.buffer.data()[i] ^= 0x5a;
    CHECK(gpuRowSums(*importer, a.frame) == cpuRowSums(a.frame));
    if (canImport)
        CHECK(importer->stats().imports == 1);
    CHECK(importer->stats().bytesCopiedTotal == (canImport ? 0u : 2 * importer->stats().bytesCopiedLastFrame));

    importer->forget(a.frame.memory->id, dev.completedTimelineValue());
    dev.collectGarbage();
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("The staging-copy fallback reads the same bytes and counts them", "[gpu]") {
    gpu::Device& dev = test::device();
    auto allocator = BufferAllocator::create();
    REQUIRE(allocator);
    auto importer = gpu::FrameImporter::create(dev, gpu::ImportPath::StagingCopy);
    REQUIRE(importer);
    CameraLikeBuffer a = makeBuffer(*allocator, 11);
    CameraLikeBuffer b = makeBuffer(*allocator, 12);
    CHECK(gpuRowSums(*importer, a.frame) == cpuRowSums(a.frame));
    CHECK(gpuRowSums(*importer, b.frame) == cpuRowSums(b.frame));
    CHECK(importer->stats().lastPath == gpu::ImportPath::StagingCopy);
    const uint64_t frameBytes = b.frame.uvOffset + uint64_t(kStride) * ((kHeight + 1) / 2);
    CHECK(importer->stats().bytesCopiedLastFrame == frameBytes);
    CHECK(importer->stats().bytesCopiedTotal == 2 * frameBytes);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
