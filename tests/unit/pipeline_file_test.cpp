// SPDX-License-Identifier: MIT
// Pipeline files: the shipped ones load; every mistake is an error with file:line:column,
// the key and what is allowed.
#include <rearview/cube_lut.hpp>
#include <rearview/pipeline.hpp>

#include <catch2/catch_test_macros.hpp>

#include <filesystem>
#include <format>
#include <fstream>
#include <unistd.h>

using namespace rearview;
namespace fs = std::filesystem;

namespace {

/// A pipeline directory with a luts/ folder holding one .cube file, one per process.
struct PipelineDir {
    fs::path root = fs::temp_directory_path() / std::format("rearview-pipeline-test-{}", ::getpid());
    PipelineDir() {
        fs::create_directories(root / "pipelines" / "luts");
        const std::string cube = CubeLut::identity(2).toCubeText();
        std::ofstream(root / "pipelines" / "luts" / "look.cube") << cube;
        std::ofstream(root / "outside.cube") << cube;
    }
    ~PipelineDir() { fs::remove_all(root); }
    Result<Pipeline> parse(const std::string& text) const {
        return parsePipeline(text, "test.yaml", root / "pipelines");
    }
};

std::string errorOf(const Result<Pipeline>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::Parse);
    return r.error().message;
}

} // namespace

TEST_CASE("Every shipped pipeline file loads", "[unit]") {
    size_t files = 0;
    for (const auto& entry : fs::directory_iterator(REARVIEW_PIPELINES_DIR)) {
        if (entry.path().extension() != ".yaml")
            continue;
        auto p = loadPipeline(entry.path());
        INFO(entry.path().string() << ": " << (p ? "ok" : p.error().describe()));
        CHECK(p);
        if (p)
            CHECK_FALSE(p->viewfinder.empty());
        ++files;
    }
    CHECK(files >= 5);
}

TEST_CASE("A pipeline file lists stages with parameters and defaults", "[unit]") {
    PipelineDir dir;
    auto p = dir.parse("version: 1\n"
                       "viewfinder:\n"
                       "  - lut: {file: luts/look.cube, interpolation: trilinear, strength: 0.5}\n"
                       "  - vignette\n"
                       "  - grain: {size: 3}\n"
                       "record:\n"
                       "  - lut: {file: luts/look.cube}\r\n");
    REQUIRE(p);
    REQUIRE(p->viewfinder.size() == 3);
    const auto& lut = std::get<LutParams>(p->viewfinder[0]);
    CHECK(lut.file == (dir.root / "pipelines" / "luts" / "look.cube").string());
    CHECK(lut.interpolation == LutInterpolation::Trilinear);
    CHECK(lut.strength == 0.5f);
    CHECK(std::get<VignetteParams>(p->viewfinder[1]).amount == VignetteParams{}.amount);
    CHECK(std::get<GrainParams>(p->viewfinder[2]).size == 3);
    CHECK(std::get<GrainParams>(p->viewfinder[2]).amount == GrainParams{}.amount);
    REQUIRE(p->record.size() == 1);
    CHECK(stageName(p->record[0]) == "lut");
}

TEST_CASE("Pipeline file mistakes say where, what and what is allowed", "[unit]") {
    PipelineDir dir;
    CHECK(errorOf(dir.parse("version: 1\nviewfinder: []\ncolour: red\n")) ==
          "test.yaml:3:1: unknown key 'colour' (allowed: version, viewfinder, record)");
    CHECK(errorOf(dir.parse("version: 2\nviewfinder: []\n")) == "test.yaml:1:10: version 2 is not supported (supported: 1)");
    CHECK(errorOf(dir.parse("viewfinder: []\n")).find("missing 'version: 1'") != std::string::npos);
    CHECK(errorOf(dir.parse("version: 1\n")).find("missing 'viewfinder:'") != std::string::npos);
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - blur: {radius: 2}\n")) ==
          "test.yaml:3:5: unknown stage 'blur' (stages: beauty, lut, vignette, grain)");
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - vignette: {amount: 0.2, radious: 1}\n")) ==
          "test.yaml:3:29: 'radious' is not a parameter of vignette (allowed: amount, feather, radius)");
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - vignette: {amount: 2}\n")) ==
          "test.yaml:3:15: vignette: amount = 2 is outside the allowed range 0..1");
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - grain: {amount: lots}\n")) ==
          "test.yaml:3:21: amount must be a number, not 'lots'");
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - beauty: {faces: sometimes}\n")) ==
          "test.yaml:3:21: faces must be one of auto, off, not 'sometimes'");
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - lut: {strength: 0.5}\n")).find("lut needs a file") !=
          std::string::npos);
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - lut: {file: ../outside.cube}\n"))
              .find("leaves the pipeline's directory") != std::string::npos);
    CHECK(errorOf(dir.parse("version: 1\nviewfinder:\n  - lut: {file: luts/missing.cube}\n"))
              .find("test.yaml:3:17: file 'luts/missing.cube' does not exist") != std::string::npos);
    CHECK(errorOf(dir.parse("version: 1\nviewfinder: [vignette: {amount: 0.2}\n")).starts_with("test.yaml:"));
}

TEST_CASE("A pipeline list holds at most kMaxPipelineStages stages", "[unit]") {
    PipelineDir dir;
    auto listOf = [](size_t n) {
        std::string text = "version: 1\nviewfinder:\n";
        for (size_t i = 0; i < n; ++i)
            text += "  - grain: {amount: 0.1}\n";
        return text;
    };
    CHECK(dir.parse(listOf(kMaxPipelineStages)));
    CHECK(errorOf(dir.parse(listOf(kMaxPipelineStages + 1))) ==
          std::format("test.yaml:3:3: viewfinder lists {} stages; a pipeline list holds at most {}",
                      kMaxPipelineStages + 1, kMaxPipelineStages));
    // what a malformed or hostile file might hold: refused at once, not run until the GPU times out
    CHECK(errorOf(dir.parse(listOf(5000))).find("lists 5000 stages") != std::string::npos);
}

TEST_CASE("A missing pipeline file is NotFound and names the path", "[unit]") {
    auto p = loadPipeline("/nonexistent/dir/look.yaml");
    REQUIRE_FALSE(p);
    CHECK(p.error().code == ErrorCode::NotFound);
    CHECK(p.error().message == "pipeline file /nonexistent/dir/look.yaml does not exist");
}
