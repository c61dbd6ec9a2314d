// SPDX-License-Identifier: MIT
// 8K: software encoding runs at a few fps on small machines, so this one is also labelled slow.
#include "record/record_support.hpp"
#include "record/recorder.hpp"

#include <catch2/catch_test_macros.hpp>

using namespace rearview;

TEST_CASE("30 frames of 8K HEVC with BT.2020 tags: ffprobe reads them all, every frame decodes", "[record][slow]") {
    const auto dir = test::outputDir("hevc-8k");
    RecordOptions o;
    o.path = (dir / "clip.mp4").string();
    o.resolution = RecordResolution::Uhd8K;
    auto rec = record::Recorder::create(o, 7680, 4320, {YcbcrMatrix::Bt2020, YcbcrRange::Limited});
    if (!rec)
        FAIL(rec.error().describe());
    test::submitPaced(**rec, 30, 30.0);
    REQUIRE((*rec)->stop());
    const RecordStats s = (*rec)->stats();
    WARN("8K " << s.encoder << ": " << s.encodeFps << " fps encoder throughput, " << s.bytesWritten << " bytes");
    CHECK(s.framesEncoded == 30);
    CHECK(s.framesDropped == 0);
    const test::ProbeResult p = test::probe(o.path);
    INFO(p.json);
    REQUIRE(p.ok);
    CHECK(p.codec == "hevc");
    CHECK(p.width == 7680);
    CHECK(p.height == 4320);
    CHECK(p.colorSpace == "bt2020nc");
    CHECK(p.colorRange == "tv");
    CHECK(p.colorPrimaries == "bt2020");
    CHECK(p.colorTransfer == "bt2020-10");
    CHECK(p.frames == 30);
    const test::CommandResult d = test::decodeAll(o.path);
    INFO(d.output);
    CHECK(d.status == 0);
    CHECK(d.output.empty());
}
