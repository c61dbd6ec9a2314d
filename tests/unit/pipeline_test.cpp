// SPDX-License-Identifier: MIT
// Pipelines as values: built in code with the same checks as files, read back from their file
// form, and LUTs made in code.
#include <rearview/cube_lut.hpp>
#include <rearview/pipeline.hpp>

#include <catch2/catch_test_macros.hpp>

#include <cmath>
#include <filesystem>
#include <format>
#include <fstream>
#include <limits>
#include <unistd.h>

using namespace rearview;
namespace fs = std::filesystem;

namespace {

std::string errorOf(const Result<void>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidArgument);
    return r.error().message;
}

} // namespace

TEST_CASE("A shipped pipeline's file form reads back to the same pipeline", "[unit]") {
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(REARVIEW_PIPELINES_DIR)) {
        if (entry.path().extension() != ".yaml")
            continue;
        INFO(entry.path().string());
        auto loaded = loadPipeline(entry.path());
        REQUIRE(loaded);
        auto text = formatPipeline(*loaded);
        REQUIRE(text);
        INFO(*text);
        // Written from anywhere: LUT files are absolute, so the text does not depend on baseDir.
        auto again = parsePipeline(*text, "formatted.yaml", "/");
        REQUIRE(again);
        CHECK(again->viewfinder.size() == loaded->viewfinder.size());
        CHECK(again->record.size() == loaded->record.size());
        for (size_t i = 0; i < loaded->viewfinder.size(); ++i)
            CHECK(stageName(again->viewfinder[i]) == stageName(loaded->viewfinder[i]));
        auto textAgain = formatPipeline(*again);
        REQUIRE(textAgain);
        CHECK(*textAgain == *text); // every parameter survived the round trip
        ++files;
    }
    CHECK(files >= 3);
}

TEST_CASE("Every parameter a pipeline file can set is in its file form", "[unit]") {
    Pipeline p;
    p.viewfinder = {BeautyParams{.smoothing = 0.125f, .tone = 0.7f, .sharpen = 0.05f, .faces = FaceMode::Off},
                    VignetteParams{.amount = 0.4f, .radius = 0.3f, .feather = 0.9f},
                    GrainParams{.amount = 0.33f, .size = 3}};
    p.record = {VignetteParams{.amount = 1.0f, .radius = 0.0f, .feather = 0.01f}};
    auto text = formatPipeline(p);
    REQUIRE(text);
    auto back = parsePipeline(*text);
    REQUIRE(back);
    const auto& b = std::get<BeautyParams>(back->viewfinder.at(0));
    CHECK(b.smoothing == 0.125f);
    CHECK(b.tone == 0.7f);
    CHECK(b.sharpen == 0.05f);
    CHECK(b.faces == FaceMode::Off);
    const auto& v = std::get<VignetteParams>(back->viewfinder.at(1));
    CHECK((v.amount == 0.4f && v.radius == 0.3f && v.feather == 0.9f));
    const auto& g = std::get<GrainParams>(back->viewfinder.at(2));
    CHECK((g.amount == 0.33f && g.size == 3));
    const auto& r = std::get<VignetteParams>(back->record.at(0));
    CHECK((r.amount == 1.0f && r.radius == 0.0f && r.feather == 0.01f));
}

TEST_CASE("A pipeline built in code is checked as a file is, naming the list and the stage", "[unit]") {
    Pipeline p;
    p.source = "looks.cpp";
    p.viewfinder = {VignetteParams{}, BeautyParams{.smoothing = 2.0f}};
    CHECK(errorOf(validate(p)) ==
          "pipeline looks.cpp: viewfinder stage 2: beauty: smoothing = 2 is outside the allowed range 0..1");
    p.viewfinder = {};
    p.record = {GrainParams{.size = 0}};
    CHECK(errorOf(validate(p)) == "pipeline looks.cpp: record stage 1: grain: size = 0 is outside the allowed range 1..8");
    p.record = {LutParams{}};
    CHECK(errorOf(validate(p)).find("neither a file nor a LUT") != std::string::npos);
    p.record.assign(kMaxPipelineStages + 1, GrainParams{});
    CHECK(errorOf(validate(p)).find("record lists 17 stages") != std::string::npos);
    p.record = {};
    p.version = 2;
    CHECK(errorOf(validate(p)).find("version 2 is not supported") != std::string::npos);
    p.version = 1;
    CHECK(validate(p));
    // A NaN is out of every range.
    p.viewfinder = {VignetteParams{.amount = std::nanf("")}};
    CHECK(errorOf(validate(p)).find("vignette: amount = nan") != std::string::npos);
}

TEST_CASE("A LUT made in code is checked, and has no file form", "[unit]") {
    auto cube = std::make_shared<CubeLut>(CubeLut::identity(4));
    Pipeline p;
    p.viewfinder = {LutParams{.strength = 0.5f, .cube = cube}};
    CHECK(validate(p));
    auto text = formatPipeline(p);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::Unsupported);
    CHECK(text.error().message.find("viewfinder stage 1 (lut) holds a LUT made in code") != std::string::npos);

    cube->rgb.pop_back();
    CHECK(errorOf(validate(p)).find("a size 4 LUT holds 192 floats (size^3 x 3), not 191") != std::string::npos);
    cube->rgb.push_back(1.0f);
    cube->rgb[7] = std::numeric_limits<float>::infinity();
    CHECK(errorOf(validate(p)).find("entry 2 is not a finite number") != std::string::npos);
    cube->rgb[7] = 0.5f;
    cube->domainMax[1] = cube->domainMin[1];
    CHECK(errorOf(validate(p)).find("domain 0..0 of channel g") != std::string::npos);
    cube->domainMax[1] = 1.0f;
    cube->size = 70;
    CHECK(errorOf(validate(p)).find("size 70 is outside the allowed range 2..65") != std::string::npos);
}

TEST_CASE("A LUT path with spaces, '#', ':' and quotes survives the file form", "[unit]") {
    const fs::path dir = fs::temp_directory_path() / std::format("rearview pipeline #{}: \"odd\" 'dir'", ::getpid());
    fs::create_directories(dir);
    const fs::path cube = dir / "my look #1.cube";
    std::ofstream(cube) << CubeLut::identity(2).toCubeText();
    Pipeline p;
    p.viewfinder = {LutParams{.file = cube.string(), .strength = 0.5f}};
    auto text = formatPipeline(p);
    REQUIRE(text);
    INFO(*text);
    auto back = parsePipeline(*text);
    REQUIRE(back);
    CHECK(std::get<LutParams>(back->viewfinder.at(0)).file == cube.string());
    fs::remove_all(dir);
}

TEST_CASE("parsePipeline reads the LUTs it names, so a bad one is its error", "[unit]") {
    const fs::path dir = fs::temp_directory_path() / std::format("rearview-pipeline-value-{}", ::getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "bad.cube") << "LUT_3D_SIZE 2\n0 0 0\n";
    std::ofstream(dir / "good.cube") << CubeLut::identity(3).toCubeText();
    auto bad = parsePipeline("version: 1\nviewfinder: [lut: {file: bad.cube}]\n", "mine.yaml", dir.string());
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::Parse);
    CHECK(bad.error().message.find("bad.cube") != std::string::npos);
    auto good = parsePipeline("version: 1\nviewfinder: [lut: {file: good.cube, strength: 0.25}]\n", "mine.yaml",
                              dir.string());
    REQUIRE(good);
    const auto& lut = std::get<LutParams>(good->viewfinder.at(0));
    REQUIRE(lut.cube);
    CHECK(lut.cube->size == 3);
    CHECK(lut.strength == 0.25f);
    CHECK(good->source == "mine.yaml");
    fs::remove_all(dir);
}
