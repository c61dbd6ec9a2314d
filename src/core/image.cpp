// SPDX-License-Identifier: MIT
#include <rearview/image.hpp>

#include <cassert>

namespace rearview {

Nv12Image::Nv12Image(uint32_t width, uint32_t height, uint32_t stride, ColorSpace cs)
    : width_(width), height_(height), stride_(stride ? stride : (width + 1) & ~1u), colorSpace_(cs) {
    assert(stride_ >= ((width + 1) & ~1u));
    data_.resize(size_t(stride_) * height_ + size_t(stride_) * ((height_ + 1) / 2));
}

Nv12View Nv12Image::view() const {
    return Nv12View{yPlane(), uvPlane(), width_, height_, stride_, stride_, colorSpace_};
}

} // namespace rearview
