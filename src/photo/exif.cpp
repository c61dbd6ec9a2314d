// SPDX-License-Identifier: MIT
#include "photo/exif.hpp"

#include <libexif/exif-data.h>
#include <libexif/exif-entry.h>
#include <libexif/exif-utils.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <format>
#include <memory>

namespace rearview::photo {
namespace {

constexpr ExifByteOrder kOrder = EXIF_BYTE_ORDER_INTEL;
// EXIF 2.31 tags libexif 0.6 has no names for.
constexpr ExifTag kOffsetTimeOriginal = ExifTag(0x9011);
constexpr ExifTag kOffsetTime = ExifTag(0x9010);

struct ExifDeleter {
    void operator()(ExifData* d) const { exif_data_unref(d); }
};

/// A new entry `tag` in `ifd` with `components` of `format`, its data zeroed.
ExifEntry* addEntry(ExifData* data, ExifIfd ifd, ExifTag tag, ExifFormat format, unsigned long components) {
    ExifMem* mem = exif_mem_new_default();
    ExifEntry* entry = exif_entry_new_mem(mem);
    const size_t size = size_t(exif_format_get_size(format)) * components;
    entry->data = static_cast<unsigned char*>(exif_mem_alloc(mem, ExifLong(size)));
    std::memset(entry->data, 0, size);
    entry->size = static_cast<unsigned int>(size);
    entry->tag = tag;
    entry->components = components;
    entry->format = format;
    exif_content_add_entry(data->ifd[ifd], entry);
    exif_mem_unref(mem);
    exif_entry_unref(entry); // the IFD holds it
    return entry;
}

void setAscii(ExifData* data, ExifIfd ifd, ExifTag tag, const std::string& text) {
    ExifEntry* e = addEntry(data, ifd, tag, EXIF_FORMAT_ASCII, text.size() + 1);
    std::memcpy(e->data, text.c_str(), text.size() + 1);
}

void setShort(ExifData* data, ExifIfd ifd, ExifTag tag, uint16_t value) {
    exif_set_short(addEntry(data, ifd, tag, EXIF_FORMAT_SHORT, 1)->data, kOrder, value);
}

void setLong(ExifData* data, ExifIfd ifd, ExifTag tag, uint32_t value) {
    exif_set_long(addEntry(data, ifd, tag, EXIF_FORMAT_LONG, 1)->data, kOrder, value);
}

void setRational(ExifData* data, ExifIfd ifd, ExifTag tag, ExifRational value) {
    exif_set_rational(addEntry(data, ifd, tag, EXIF_FORMAT_RATIONAL, 1)->data, kOrder, value);
}

void setUndefined(ExifData* data, ExifIfd ifd, ExifTag tag, const char* bytes, size_t n) {
    std::memcpy(addEntry(data, ifd, tag, EXIF_FORMAT_UNDEFINED, n)->data, bytes, n);
}

/// An exposure time as EXIF writes it: 1/N for short ones, else microseconds.
ExifRational exposureRational(double seconds) {
    if (seconds > 0 && seconds < 1.0) {
        const double n = 1.0 / seconds;
        if (std::abs(n - std::round(n)) < 1e-3)
            return {1, ExifLong(std::round(n))};
    }
    return {ExifLong(std::llround(seconds * 1e6)), 1000000};
}

} // namespace

uint16_t exifOrientation(uint32_t rotationDegrees, bool mirror) {
    // Orientation names the transform that shows the stored image upright (TIFF 6.0):
    // 1 none, 2 flip, 3 180, 4 flip vertically, 5 transpose, 6 90 cw, 7 transverse, 8 270 cw.
    switch (rotationDegrees % 360) {
    case 90: return mirror ? 5 : 6;
    case 180: return mirror ? 4 : 3;
    case 270: return mirror ? 7 : 8;
    default: return mirror ? 2 : 1;
    }
}

Result<std::vector<uint8_t>> buildExif(const ExifFields& f) {
    if (f.orientation < 1 || f.orientation > 8)
        return fail(ErrorCode::InvalidArgument, std::format("EXIF orientation {} is not 1..8", f.orientation));
    std::unique_ptr<ExifData, ExifDeleter> data(exif_data_new());
    if (!data)
        return fail(ErrorCode::OutOfMemory, "libexif could not allocate the EXIF block");
    ExifData* d = data.get();
    // Written as given: no entries dropped or added behind our back.
    exif_data_unset_option(d, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
    exif_data_unset_option(d, EXIF_DATA_OPTION_IGNORE_UNKNOWN_TAGS);
    exif_data_set_data_type(d, EXIF_DATA_TYPE_COMPRESSED);
    exif_data_set_byte_order(d, kOrder);

    const time_t seconds = time_t(f.captureRealtimeNs / 1000000000);
    const int millis = int((f.captureRealtimeNs / 1000000) % 1000);
    std::tm local{};
    localtime_r(&seconds, &local);
    char when[20];
    std::strftime(when, sizeof when, "%Y:%m:%d %H:%M:%S", &local);
    const long offsetMin = local.tm_gmtoff / 60;
    const std::string offset = std::format("{}{:02}:{:02}", offsetMin < 0 ? '-' : '+', std::abs(offsetMin) / 60,
                                           std::abs(offsetMin) % 60);
    const std::string subsec = std::format("{:03}", millis);

    setAscii(d, EXIF_IFD_0, EXIF_TAG_MAKE, f.make);
    if (!f.model.empty())
        setAscii(d, EXIF_IFD_0, EXIF_TAG_MODEL, f.model);
    if (!f.software.empty())
        setAscii(d, EXIF_IFD_0, EXIF_TAG_SOFTWARE, f.software);
    setShort(d, EXIF_IFD_0, EXIF_TAG_ORIENTATION, f.orientation);
    setRational(d, EXIF_IFD_0, EXIF_TAG_X_RESOLUTION, {72, 1});
    setRational(d, EXIF_IFD_0, EXIF_TAG_Y_RESOLUTION, {72, 1});
    setShort(d, EXIF_IFD_0, EXIF_TAG_RESOLUTION_UNIT, 2); // inches
    setAscii(d, EXIF_IFD_0, EXIF_TAG_DATE_TIME, when);
    setShort(d, EXIF_IFD_0, EXIF_TAG_YCBCR_POSITIONING, 1); // centred (JPEG's 4:2:0)

    setUndefined(d, EXIF_IFD_EXIF, EXIF_TAG_EXIF_VERSION, "0232", 4);
    setAscii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_ORIGINAL, when);
    setAscii(d, EXIF_IFD_EXIF, EXIF_TAG_DATE_TIME_DIGITIZED, when);
    setAscii(d, EXIF_IFD_EXIF, kOffsetTime, offset);
    setAscii(d, EXIF_IFD_EXIF, kOffsetTimeOriginal, offset);
    setAscii(d, EXIF_IFD_EXIF, EXIF_TAG_SUB_SEC_TIME_ORIGINAL, subsec);
    setAscii(d, EXIF_IFD_EXIF, EXIF_TAG_SUB_SEC_TIME_DIGITIZED, subsec);
    setUndefined(d, EXIF_IFD_EXIF, EXIF_TAG_COMPONENTS_CONFIGURATION, "\1\2\3\0", 4); // Y Cb Cr
    setShort(d, EXIF_IFD_EXIF, EXIF_TAG_COLOR_SPACE, f.srgb ? 1 : 0xFFFF);
    setLong(d, EXIF_IFD_EXIF, EXIF_TAG_PIXEL_X_DIMENSION, f.width);
    setLong(d, EXIF_IFD_EXIF, EXIF_TAG_PIXEL_Y_DIMENSION, f.height);
    if (f.exposureSeconds && *f.exposureSeconds > 0)
        setRational(d, EXIF_IFD_EXIF, EXIF_TAG_EXPOSURE_TIME, exposureRational(*f.exposureSeconds));
    if (f.analogueGain && *f.analogueGain > 0)
        setShort(d, EXIF_IFD_EXIF, EXIF_TAG_ISO_SPEED_RATINGS,
                 uint16_t(std::min(65535.0, std::round(100.0 * *f.analogueGain))));

    unsigned char* bytes = nullptr;
    unsigned int size = 0;
    exif_data_save_data(d, &bytes, &size);
    if (!bytes || size == 0)
        return fail(ErrorCode::Internal, "libexif could not write the EXIF block");
    std::vector<uint8_t> out(bytes, bytes + size);
    std::free(bytes);
    if (out.size() > 65533)
        return fail(ErrorCode::InvalidArgument,
                    std::format("the EXIF block is {} bytes; a JPEG segment holds at most 65533", out.size()));
    return out;
}

} // namespace rearview::photo
