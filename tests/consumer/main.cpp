// An app built against the installed package, using only its public headers: a pipeline made
// in code and read back from its file form, a headless viewfinder on the synthetic source
// running it, one stage's parameters changed while it runs, and the frame tap.
#include <rearview/cube_lut.hpp>
#include <rearview/pipeline.hpp>
#include <rearview/viewfinder.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

namespace {

int failed(const char* what, const rearview::Error& e) {
    std::printf("FAIL %s: %s\n", what, e.describe().c_str());
    return 1;
}

} // namespace

int main() {
    const auto k = rearview::coefficientsFor({rearview::YcbcrMatrix::Bt709, rearview::YcbcrRange::Full});
    if (!(k.crToR > 1.5f))
        return 1;

    rearview::Pipeline look;
    look.source = "consumer";
    auto warm = std::make_shared<rearview::CubeLut>(rearview::CubeLut::identity(5));
    for (size_t i = 0; i < warm->rgb.size(); i += 3)
        warm->rgb[i] = std::min(1.0f, warm->rgb[i] * 1.2f);
    look.viewfinder = {rearview::LutParams{.strength = 0.5f, .cube = warm}, rearview::VignetteParams{.amount = 0.2f}};
    if (auto ok = rearview::validate(look); !ok)
        return failed("validate", ok.error());
    auto parsed = rearview::parsePipeline("version: 1\nviewfinder:\n  - grain: {amount: 0.1, size: 2}\n", "inline.yaml");
    if (!parsed)
        return failed("parsePipeline", parsed.error());
    auto text = rearview::formatPipeline(*parsed);
    if (!text)
        return failed("formatPipeline", text.error());

    auto gpu = rearview::GpuContext::create();
    if (!gpu)
        return failed("GpuContext::create", gpu.error());
    rearview::ViewfinderOptions o;
    o.source = {.kind = rearview::SourceKind::Synthetic, .size = {1024, 768}, .frameRate = 30};
    o.target = rearview::PresentTarget::Headless;
    o.faceAnalysis = false;
    o.pipeline = look;
    auto vf = rearview::Viewfinder::create(*gpu, o);
    if (!vf)
        return failed("Viewfinder::create", vf.error());
    std::atomic<uint64_t> tapped{0};
    std::atomic<uint32_t> width{0};
    if (auto r = (*vf)->setFrameTap({.callback = [&](const rearview::PanelImage& p) {
            width = p.width;
            ++tapped;
        }});
        !r)
        return failed("setFrameTap", r.error());
    if (auto r = (*vf)->start(); !r)
        return failed("start", r.error());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    if (auto r = (*vf)->setStageParams(rearview::PipelineList::Viewfinder, 1, rearview::VignetteParams{.amount = 0.6f}); !r)
        return failed("setStageParams", r.error());
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    (*vf)->stop();
    const rearview::ViewfinderStats s = (*vf)->stats();
    std::printf("processed %llu, tapped %llu (%u wide), %s\n", static_cast<unsigned long long>(s.framesProcessed),
                static_cast<unsigned long long>(tapped.load()), width.load(), text->c_str());
    return tapped > 0 && width == 904 && s.frameErrors == 0 ? 0 : 1;
}
