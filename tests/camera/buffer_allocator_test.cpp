// SPDX-License-Identifier: MIT
#include "capture/buffer_allocator.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <cstring>

using namespace rearview;

TEST_CASE("The buffer allocator uses the first method that works and says which", "[camera][buffers]") {
    auto allocator = BufferAllocator::create();
    REQUIRE(allocator.has_value());
    INFO(allocator->description() << " (skipped: " << allocator->skipped() << ")");
    CHECK_FALSE(allocator->description().empty());
    switch (allocator->kind()) {
    case BufferKind::DmaHeap: CHECK(allocator->skipped().empty()); break;
    case BufferKind::Udmabuf: CHECK(allocator->skipped().find("dma-heap") != std::string::npos); break;
    case BufferKind::Memfd:
        CHECK(allocator->skipped().find("dma-heap") != std::string::npos);
        CHECK(allocator->skipped().find("udmabuf") != std::string::npos);
        break;
    default: FAIL("unexpected buffer kind");
    }

    // An NV12 8160x6120 frame is not a page multiple: the buffer is rounded up, page aligned.
    const size_t frameBytes = size_t(8160) * 6120 * 3 / 2 + 1;
    auto buffer = allocator->allocate(frameBytes);
    REQUIRE(buffer.has_value());
    CHECK(buffer->kind() == allocator->kind());
    CHECK(buffer->fd() >= 0);
    CHECK(buffer->size() >= frameBytes);
    CHECK(buffer->size() % pageSize() == 0);
    CHECK(reinterpret_cast<uintptr_t>(buffer->data()) % pageSize() == 0);
    std::memset(buffer->data(), 0x5a, buffer->size());
    CHECK(buffer->data()[buffer->size() - 1] == 0x5a);

    struct stat st{};
    REQUIRE(::fstat(buffer->fd(), &st) == 0);
    if (buffer->kind() == BufferKind::Memfd) CHECK(size_t(st.st_size) == buffer->size());

    auto other = allocator->allocate(4096);
    REQUIRE(other.has_value());
    CHECK(other->memory().id != buffer->memory().id);

    auto several = allocator->allocate(3, 100000);
    REQUIRE(several.has_value());
    CHECK(several->size() == 3);
}

TEST_CASE("Buffer allocation failures say what was asked for and why it failed", "[camera][buffers]") {
    SECTION("no method works") {
        BufferAllocatorOptions options;
        options.order = {BufferKind::DmaHeap, BufferKind::Udmabuf};
        options.dmaHeaps = {"/nonexistent/dma_heap/system"};
        options.udmabufDevice = "/nonexistent/udmabuf";
        auto allocator = BufferAllocator::create(options);
        REQUIRE_FALSE(allocator.has_value());
        CHECK(allocator.error().code == ErrorCode::Unsupported);
        CHECK(allocator.error().message.find("/nonexistent/dma_heap/system") != std::string::npos);
        CHECK(allocator.error().message.find("/nonexistent/udmabuf") != std::string::npos);
    }
    SECTION("more memory than the machine has") {
        auto allocator = BufferAllocator::create();
        REQUIRE(allocator.has_value());
        auto huge = allocator->allocate(size_t(1) << 46); // 64 TiB
        REQUIRE_FALSE(huge.has_value());
        CHECK(huge.error().code == ErrorCode::OutOfMemory);
        CHECK(huge.error().message.find("MB") != std::string::npos);
        CHECK(huge.error().message.find("available") != std::string::npos);

        auto many = allocator->allocate(1u << 20, 75u << 20); // a million 75 MB buffers
        REQUIRE_FALSE(many.has_value());
        CHECK(many.error().code == ErrorCode::OutOfMemory);
        CHECK(many.error().message.find("1048576 capture buffers") != std::string::npos);
    }
    SECTION("nonsense requests") {
        auto allocator = BufferAllocator::create();
        REQUIRE(allocator.has_value());
        CHECK(allocator->allocate(0).error().code == ErrorCode::InvalidArgument);
        BufferAllocatorOptions options;
        options.order = {};
        CHECK(BufferAllocator::create(options).error().code == ErrorCode::InvalidArgument);
    }
}
