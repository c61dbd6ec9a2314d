// SPDX-License-Identifier: MIT
#pragma once

#include <rearview/export.hpp>
#include <rearview/color_space.hpp>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace rearview {

/// A read-only view of an 8-bit NV12 frame: a Y plane and an interleaved CbCr plane at
/// half resolution in both directions (rounded up for odd sizes). Strides are in bytes and
/// may exceed the row size (padded rows). The view does not own the memory.
struct Nv12View {
    const uint8_t* y = nullptr;
    const uint8_t* uv = nullptr;
    uint32_t width = 0;
    uint32_t height = 0;
    uint32_t yStride = 0;
    uint32_t uvStride = 0;
    ColorSpace colorSpace{};

    uint32_t chromaWidth() const { return (width + 1) / 2; }
    uint32_t chromaHeight() const { return (height + 1) / 2; }
};

/// An NV12 frame that owns its memory; both planes live in one allocation (Y then CbCr),
/// the way camera buffers are laid out.
class REARVIEW_API Nv12Image {
public:
    Nv12Image() = default;
    /// Allocates a frame; a stride of 0 means the tightest one (width bytes, rounded to even).
    Nv12Image(uint32_t width, uint32_t height, uint32_t stride = 0, ColorSpace cs = {});

    uint32_t width() const { return width_; }
    uint32_t height() const { return height_; }
    uint32_t stride() const { return stride_; }
    ColorSpace colorSpace() const { return colorSpace_; }
    void setColorSpace(ColorSpace cs) { colorSpace_ = cs; }

    uint8_t* yPlane() { return data_.data(); }
    uint8_t* uvPlane() { return data_.data() + uvOffset(); }
    const uint8_t* yPlane() const { return data_.data(); }
    const uint8_t* uvPlane() const { return data_.data() + uvOffset(); }
    /// Byte offset of the CbCr plane from the start of the allocation.
    size_t uvOffset() const { return size_t(stride_) * height_; }
    /// All bytes: Y plane then CbCr plane.
    std::span<const uint8_t> bytes() const { return data_; }

    Nv12View view() const;

private:
    uint32_t width_ = 0;
    uint32_t height_ = 0;
    uint32_t stride_ = 0;
    ColorSpace colorSpace_{};
    std::vector<uint8_t> data_;
};

/// A packed 8-bit RGBA image (R, G, B, A bytes in memory order), rows of width * 4 bytes.
struct RgbaImage {
    uint32_t width = 0;
    uint32_t height = 0;
    std::vector<uint8_t> pixels;

    RgbaImage() = default;
    RgbaImage(uint32_t w, uint32_t h) : width(w), height(h), pixels(size_t(w) * h * 4) {}
    uint8_t* row(uint32_t y) { return pixels.data() + size_t(y) * width * 4; }
    const uint8_t* row(uint32_t y) const { return pixels.data() + size_t(y) * width * 4; }
};

} // namespace rearview
