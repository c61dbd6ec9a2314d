# Finds rearview's dependencies (all from Debian 13 packages; see scripts/packages.txt).
find_package(PkgConfig REQUIRED)
find_package(volk REQUIRED)
find_package(VulkanMemoryAllocator REQUIRED)
find_package(VulkanHeaders REQUIRED)
find_package(Threads REQUIRED)

find_path(LIBYUV_INCLUDE_DIR libyuv.h REQUIRED)
find_library(LIBYUV_LIBRARY yuv REQUIRED)
add_library(rearview_libyuv INTERFACE)
target_include_directories(rearview_libyuv SYSTEM INTERFACE "${LIBYUV_INCLUDE_DIR}")
target_link_libraries(rearview_libyuv INTERFACE "${LIBYUV_LIBRARY}")

# OpenCV's Debian component packages ship no CMake config; link the modules directly.
find_path(OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4 REQUIRED)
add_library(rearview_opencv INTERFACE)
target_include_directories(rearview_opencv SYSTEM INTERFACE "${OPENCV_INCLUDE_DIR}")
foreach(module core imgproc imgcodecs objdetect)
    find_library(OPENCV_${module}_LIBRARY opencv_${module} REQUIRED)
    target_link_libraries(rearview_opencv INTERFACE "${OPENCV_${module}_LIBRARY}")
endforeach()

# libcamera (src/capture/): cameras, real or the virtual pipeline handler's.
pkg_check_modules(LIBCAMERA REQUIRED IMPORTED_TARGET libcamera)

# yaml-cpp (src/core/pipeline_file.cpp): pipeline files.
find_package(yaml-cpp REQUIRED)

# FFmpeg (src/record/): libavcodec encoders, libavformat MP4 muxing.
pkg_check_modules(LIBAV REQUIRED IMPORTED_TARGET libavcodec libavformat libavutil)

# libjpeg-turbo and libexif (src/photo/): photos as JPEG with EXIF metadata.
pkg_check_modules(PHOTO_CODECS REQUIRED IMPORTED_TARGET libjpeg libexif)

# SDL3 (src/present/): the window presenter's window and Vulkan surface.
find_package(SDL3 REQUIRED CONFIG COMPONENTS SDL3-shared)
