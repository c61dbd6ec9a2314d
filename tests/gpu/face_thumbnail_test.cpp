// SPDX-License-Identifier: MIT
// The analysis tap's grey thumbnail on the GPU against its CPU reference (max abs error 1:
// float sums rounded half-to-even vs half-away), and the face detector on it.
#include "analysis/face_detector.hpp"
#include "cpu/face_thumbnail.hpp"
#include "stages/face_thumbnail.hpp"
#include "harness/one_shot.hpp"
#include "support/gpu_fixture.hpp"
#include "support/portrait.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>

using namespace rearview;

namespace {

std::vector<uint8_t> onGpu(const RgbaImage& image) {
    auto oneShot = stages::OneShot::create(test::device());
    auto stage = stages::FaceThumbnail::create(test::device());
    REQUIRE(oneShot);
    REQUIRE(stage);
    const size_t thumbBytes =
        size_t(ThumbnailLayout::strideBytes(image.width)) * ThumbnailLayout::height(image.height);
    gpu::Buffer in, out;
    REQUIRE(oneShot->ensure(in, image.pixels.size(), gpu::MemoryUse::Upload));
    REQUIRE(oneShot->ensure(out, thumbBytes, gpu::MemoryUse::Readback));
    std::memcpy(in.mapped(), image.pixels.data(), image.pixels.size());
    in.flush();
    auto ms = oneShot->run("face_thumbnail", [&](VkCommandBuffer cmd) {
        return stage->record(cmd, {in.get(), 0, in.size()}, image.width, image.height, {out.get(), 0, thumbBytes});
    });
    REQUIRE(ms);
    out.invalidate();
    std::vector<uint8_t> grey(thumbBytes);
    std::memcpy(grey.data(), out.mapped(), thumbBytes);
    return grey;
}

int maxAbsDiff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
    REQUIRE(a.size() == b.size());
    int worst = 0;
    for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
    return worst;
}

} // namespace

TEST_CASE("The grey thumbnail matches its reference, odd sizes included, and the detector finds the face on it",
          "[gpu]") {
    const RgbaImage& portrait = test::portrait();
    const std::vector<uint8_t> grey = onGpu(portrait);
    CHECK(maxAbsDiff(grey, cpu::FaceThumbnail(portrait)) <= 1);

    RgbaImage odd(301, 203);
    for (size_t i = 0; i < odd.pixels.size(); ++i)
        odd.pixels[i] = uint8_t((i * 2654435761u) >> 24);
    CHECK(maxAbsDiff(onGpu(odd), cpu::FaceThumbnail(odd)) <= 1);

    auto detector = analysis::FaceDetector::create();
    if (!detector)
        FAIL(detector.error().describe());
    const uint32_t tw = ThumbnailLayout::width(portrait.width);
    const uint32_t th = ThumbnailLayout::height(portrait.height);
    auto faces = detector->detectThumbnail(grey, tw, th, ThumbnailLayout::strideBytes(portrait.width),
                                           portrait.width, portrait.height);
    REQUIRE(faces);
    REQUIRE(faces->size() == 1);
    CHECK(analysis::intersectionOverUnion((*faces)[0], analysis::FaceBox{300, 0, 196, 134}) > 0.5f);
    REQUIRE_NO_VALIDATION_MESSAGES();
}
