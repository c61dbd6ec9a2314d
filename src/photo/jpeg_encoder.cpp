// SPDX-License-Identifier: MIT
#include "photo/jpeg_encoder.hpp"

// jpeglib.h needs FILE and size_t declared first.
#include <cstddef>
#include <cstdio>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdlib>
#include <format>
#include <memory>
#include <string>

namespace rearview::photo {
namespace {

struct ErrorManager {
    jpeg_error_mgr pub;
    std::jmp_buf jump;
    std::string message;
};

[[noreturn]] void onError(j_common_ptr info) {
    auto* err = reinterpret_cast<ErrorManager*>(info->err);
    char text[JMSG_LENGTH_MAX];
    (*info->err->format_message)(info, text);
    err->message = text;
    std::longjmp(err->jump, 1);
}

// Written without objects that have destructors between setjmp and the longjmp target, as
// longjmp skips them.
bool compress(jpeg_compress_struct& c, ErrorManager& err, const uint8_t* rgba, uint32_t width, uint32_t height,
              size_t stride, int quality, std::span<const uint8_t> exif, unsigned char** out, unsigned long* outSize) {
    if (setjmp(err.jump))
        return false;
    jpeg_mem_dest(&c, out, outSize);
    c.image_width = width;
    c.image_height = height;
    c.input_components = 4;
    c.in_color_space = JCS_EXT_RGBX;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, quality, TRUE);
    c.write_JFIF_header = FALSE; // EXIF's APP1 comes first instead
    c.dct_method = JDCT_ISLOW;
    jpeg_start_compress(&c, TRUE);
    if (!exif.empty())
        jpeg_write_marker(&c, JPEG_APP0 + 1, exif.data(), static_cast<unsigned int>(exif.size()));
    while (c.next_scanline < c.image_height) {
        JSAMPROW rows[16];
        const uint32_t n = std::min<uint32_t>(16, c.image_height - c.next_scanline);
        for (uint32_t i = 0; i < n; ++i)
            rows[i] = const_cast<JSAMPROW>(rgba + (c.next_scanline + i) * stride);
        jpeg_write_scanlines(&c, rows, n);
    }
    jpeg_finish_compress(&c);
    return true;
}

} // namespace

Result<std::vector<uint8_t>> encodeJpeg(const uint8_t* rgba, uint32_t width, uint32_t height, size_t stride,
                                        int quality, std::span<const uint8_t> exif) {
    if (width == 0 || height == 0 || width > JPEG_MAX_DIMENSION || height > JPEG_MAX_DIMENSION ||
        stride < size_t(width) * 4)
        return fail(ErrorCode::InvalidArgument,
                    std::format("JPEG of {}x{} (stride {}): sizes 1..{}, stride at least 4 x width", width, height,
                                stride, JPEG_MAX_DIMENSION));
    if (quality < 1 || quality > 100)
        return fail(ErrorCode::InvalidArgument, std::format("JPEG quality {} is not 1..100", quality));
    if (exif.size() > 65533)
        return fail(ErrorCode::InvalidArgument, std::format("EXIF block of {} bytes; at most 65533", exif.size()));
    jpeg_compress_struct c{};
    ErrorManager err{};
    c.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = onError;
    jpeg_create_compress(&c);
    unsigned char* out = nullptr;
    unsigned long outSize = 0;
    const bool ok = compress(c, err, rgba, width, height, stride, quality, exif, &out, &outSize);
    jpeg_destroy_compress(&c);
    std::unique_ptr<unsigned char, decltype(&std::free)> owned(out, &std::free);
    if (!ok)
        return fail(ErrorCode::Internal, std::format("libjpeg: {}", err.message));
    return std::vector<uint8_t>(out, out + outSize);
}

} // namespace rearview::photo
