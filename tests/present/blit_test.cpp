// SPDX-License-Identifier: MIT
// The presentation blit on the GPU against its CPU reference (cpu/blit.hpp):
// max abs error <= 1 code value (the same float bilinear, rounded on different units), and
// exact at panel size. Offscreen targets stand in for swapchain images: RGBA8 and BGRA8
// storage images, and the copy path's packed buffer in both byte orders.
#include "gpu/buffer.hpp"
#include "gpu/image.hpp"
#include "gpu/submitter.hpp"
#include "present/blit.hpp"
#include "cpu/blit.hpp"
#include "present/fit_rect.hpp"
#include "support/gpu_fixture.hpp"
#include "support/image_compare.hpp"
#include "support/portrait.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstring>
#include <format>

using namespace rearview;

namespace {

struct Target {
    uint32_t width, height;
};

// Runs the blit of `src` into a width x height target and reads it back as RGBA.
RgbaImage runBlit(const present::Blit& blit, const RgbaImage* src, Target t, VkFormat format, bool viaBuffer) {
    gpu::Device& device = test::device();
    auto submitter = gpu::Submitter::create(device);
    REQUIRE(submitter);
    const VkDeviceSize srcBytes = src ? src->pixels.size() : 16;
    auto input = gpu::Buffer::create(device, srcBytes, VK_BUFFER_USAGE_STORAGE_BUFFER_BIT, gpu::MemoryUse::Upload);
    REQUIRE(input);
    if (src) {
        std::memcpy(input->mapped(), src->pixels.data(), src->pixels.size());
        input->flush();
    }
    const VkDeviceSize outBytes = VkDeviceSize(t.width) * t.height * 4;
    auto readback = gpu::Buffer::create(device, outBytes, VK_BUFFER_USAGE_TRANSFER_DST_BIT | VK_BUFFER_USAGE_STORAGE_BUFFER_BIT,
                                        gpu::MemoryUse::Readback);
    REQUIRE(readback);
    const bool bgra = format == VK_FORMAT_B8G8R8A8_UNORM;
    present::Blit::Source source;
    if (src)
        source = {{input->get(), 0, srcBytes}, src->width, src->height};

    gpu::Image image;
    if (!viaBuffer) {
        auto img = gpu::Image::create(device, VK_IMAGE_TYPE_2D, format, {t.width, t.height, 1},
                                      VK_IMAGE_USAGE_STORAGE_BIT | VK_IMAGE_USAGE_TRANSFER_SRC_BIT);
        REQUIRE(img);
        image = std::move(*img);
    }
    auto cmd = submitter->begin();
    REQUIRE(cmd);
    if (viaBuffer) {
        blit.recordToBuffer(*cmd, source, {readback->get(), 0, outBytes}, {t.width, t.height}, bgra);
        gpu::memoryBarrier(test::device(), *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    } else {
        gpu::imageBarrier(test::device(), *cmd, image.get(), VK_IMAGE_LAYOUT_UNDEFINED, VK_IMAGE_LAYOUT_GENERAL,
                          VK_PIPELINE_STAGE_2_NONE, VK_ACCESS_2_NONE, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT,
                          VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT);
        blit.recordToImage(*cmd, source, image.view(), {t.width, t.height});
        gpu::memoryBarrier(test::device(), *cmd, VK_PIPELINE_STAGE_2_COMPUTE_SHADER_BIT, VK_ACCESS_2_SHADER_STORAGE_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_READ_BIT);
        VkBufferImageCopy region{};
        region.imageSubresource = {VK_IMAGE_ASPECT_COLOR_BIT, 0, 0, 1};
        region.imageExtent = {t.width, t.height, 1};
        test::device().vk().vkCmdCopyImageToBuffer(*cmd, image.get(), VK_IMAGE_LAYOUT_GENERAL, readback->get(), 1, &region);
        gpu::memoryBarrier(test::device(), *cmd, VK_PIPELINE_STAGE_2_COPY_BIT, VK_ACCESS_2_TRANSFER_WRITE_BIT,
                           VK_PIPELINE_STAGE_2_HOST_BIT, VK_ACCESS_2_HOST_READ_BIT);
    }
    auto value = submitter->submit();
    REQUIRE(value);
    REQUIRE(device.waitTimeline(*value));
    readback->invalidate();
    RgbaImage out(t.width, t.height);
    std::memcpy(out.pixels.data(), readback->mapped(), out.pixels.size());
    if (bgra)
        for (size_t i = 0; i < out.pixels.size(); i += 4)
            std::swap(out.pixels[i], out.pixels[i + 2]);
    return out;
}

void checkAgainstReference(const RgbaImage& actual, const RgbaImage& expected, int tolerance, const std::string& name) {
    const test::Difference d = test::compare(actual, expected);
    INFO(name << ": " << d.describe());
    if (d.maxAbs > tolerance)
        test::writeFailureImages("present_blit." + name, actual, expected);
    CHECK(d.maxAbs <= tolerance);
}

} // namespace

TEST_CASE("Fit geometry: centred, aspect kept, bars on the two other sides", "[present]") {
    auto same = present::fitCentred(904, 572, 904, 572);
    CHECK((same.x == 0 && same.y == 0 && same.width == 904 && same.height == 572));
    auto wide = present::fitCentred(904, 572, 1200, 572); // pillarbox
    CHECK((wide.x == 148 && wide.y == 0 && wide.width == 904 && wide.height == 572));
    auto tall = present::fitCentred(904, 572, 904, 800); // letterbox
    CHECK((tall.x == 0 && tall.y == 114 && tall.width == 904 && tall.height == 572));
    auto small = present::fitCentred(904, 572, 452, 452);
    CHECK((small.width == 452 && small.height == 286 && small.x == 0 && small.y == 83));
}

TEST_CASE("Presentation blit matches its CPU reference for every target kind and size", "[present]") {
    auto blit = present::Blit::create(test::device(), true);
    REQUIRE(blit);
    const RgbaImage& src = test::portrait();
    REQUIRE(src.width == 904);
    const Target targets[] = {{904, 572}, {1000, 700}, {1280, 572}, {640, 480}, {333, 517}};
    for (VkFormat format : {VK_FORMAT_R8G8B8A8_UNORM, VK_FORMAT_B8G8R8A8_UNORM})
        for (bool viaBuffer : {false, true})
            for (Target t : targets) {
                const std::string name = std::format("{}_{}_{}x{}", format == VK_FORMAT_B8G8R8A8_UNORM ? "bgra" : "rgba",
                                                     viaBuffer ? "buffer" : "image", t.width, t.height);
                const RgbaImage expected = cpu::Blit(src, t.width, t.height);
                const RgbaImage actual = runBlit(*blit, &src, t, format, viaBuffer);
                checkAgainstReference(actual, expected, t.width == 904 && t.height == 572 ? 0 : 1, name);
            }
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Presentation blit without a frame is black", "[present]") {
    auto blit = present::Blit::create(test::device(), true);
    REQUIRE(blit);
    const RgbaImage expected = cpu::Blit(RgbaImage{}, 320, 200);
    CHECK(expected.pixels[0] == 0);
    CHECK(expected.pixels[3] == 255);
    checkAgainstReference(runBlit(*blit, nullptr, {320, 200}, VK_FORMAT_B8G8R8A8_UNORM, false), expected, 0, "black_image");
    checkAgainstReference(runBlit(*blit, nullptr, {320, 200}, VK_FORMAT_R8G8B8A8_UNORM, true), expected, 0, "black_buffer");
    REQUIRE_NO_VALIDATION_MESSAGES();
}
