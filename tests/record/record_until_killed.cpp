// SPDX-License-Identifier: MIT
// Records synthetic 1080p H.264 frames at 30 fps to argv[1] until it is killed.
#include "record/record_support.hpp"
#include "record/recorder.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

int main(int argc, char** argv) {
    using namespace rearview;
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTPUT.mp4\n", argv[0]);
        return 2;
    }
    RecordOptions o;
    o.path = argv[1];
    o.resolution = RecordResolution::Fhd;
    o.codec = RecordCodec::H264;
    o.fragmentSeconds = 0.5;
    auto rec = record::Recorder::create(o, 1920, 1080, {YcbcrMatrix::Bt709, YcbcrRange::Limited});
    if (!rec) {
        std::fprintf(stderr, "%s\n", rec.error().describe().c_str());
        return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    for (uint32_t i = 0;; ++i) {
        if (auto f = (*rec)->acquireFrame()) {
            test::fillGradient(*f, i);
            f->timestampNs = test::frameTimeNs(i, 30.0);
            (*rec)->submit(std::move(*f));
        }
        std::this_thread::sleep_until(start + std::chrono::microseconds(33'333) * (i + 1));
    }
}
