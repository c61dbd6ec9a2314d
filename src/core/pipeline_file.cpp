// SPDX-License-Identifier: MIT
#include "core/pipeline_file.hpp"
#include "core/try.hpp"

#include <rearview/cube_lut.hpp>

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <format>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

namespace rearview {
namespace {

constexpr uint32_t kVersion = 1;

/// Reads one file's nodes, turning every problem into a located Parse error.
class Reader {
public:
    Reader(std::string source, std::filesystem::path baseDir) : source_(std::move(source)), baseDir_(std::move(baseDir)) {}

    std::unexpected<Error> error(const YAML::Node& at, const std::string& what) const {
        const YAML::Mark m = at.Mark();
        if (m.is_null())
            return fail(ErrorCode::Parse, std::format("{}: {}", source_, what));
        return fail(ErrorCode::Parse, std::format("{}:{}:{}: {}", source_, m.line + 1, m.column + 1, what));
    }

    Result<float> number(const YAML::Node& n, std::string_view key) const {
        try {
            if (n.IsScalar())
                return n.as<float>();
        } catch (const YAML::Exception&) {
        }
        return error(n, std::format("{} must be a number, not '{}'", key, n.IsScalar() ? n.Scalar() : "a list or map"));
    }

    Result<uint32_t> count(const YAML::Node& n, std::string_view key) const {
        try {
            if (n.IsScalar())
                return n.as<uint32_t>();
        } catch (const YAML::Exception&) {
        }
        return error(n, std::format("{} must be a whole number, not '{}'", key, n.IsScalar() ? n.Scalar() : "a list or map"));
    }

    template <typename E>
    Result<E> choice(const YAML::Node& n, std::string_view key, std::initializer_list<std::pair<const char*, E>> values) const {
        std::string allowed;
        for (const auto& [name, value] : values) {
            if (n.IsScalar() && n.Scalar() == name)
                return value;
            allowed += std::format("{}{}", allowed.empty() ? "" : ", ", name);
        }
        return error(n, std::format("{} must be one of {}, not '{}'", key, allowed, n.IsScalar() ? n.Scalar() : "a list or map"));
    }

    Result<std::string> lutFile(const YAML::Node& n) const {
        if (!n.IsScalar() || n.Scalar().empty())
            return error(n, "file must name a .cube file");
        const std::filesystem::path given(n.Scalar());
        std::filesystem::path resolved = given.is_absolute() ? given : baseDir_ / given;
        resolved = resolved.lexically_normal();
        if (!given.is_absolute()) {
            const std::filesystem::path base = baseDir_.lexically_normal();
            const auto rel = resolved.lexically_relative(base);
            if (rel.empty() || *rel.begin() == "..")
                return error(n, std::format("file '{}' leaves the pipeline's directory {}; LUTs must be inside it",
                                            given.string(), base.string()));
        }
        std::error_code ec;
        if (!std::filesystem::is_regular_file(resolved, ec))
            return error(n, std::format("file '{}' does not exist (looked for {})", given.string(), resolved.string()));
        return resolved.string();
    }

    /// Applies `setters` to the keys of `params` (a map or null); unknown keys are errors.
    Result<void> fields(const YAML::Node& params, std::string_view stage,
                        const std::map<std::string, std::function<Result<void>(const YAML::Node&)>>& setters) const {
        if (!params || params.IsNull())
            return {};
        if (!params.IsMap())
            return error(params, std::format("the parameters of {} must be a map of name: value", stage));
        for (const auto& kv : params) {
            const std::string key = kv.first.Scalar();
            const auto it = setters.find(key);
            if (it == setters.end()) {
                std::string allowed;
                for (const auto& [name, setter] : setters)
                    allowed += std::format("{}{}", allowed.empty() ? "" : ", ", name);
                return error(kv.first, std::format("'{}' is not a parameter of {} (allowed: {})", key, stage, allowed));
            }
            if (auto r = it->second(kv.second); !r)
                return r;
        }
        return {};
    }

    template <typename T, typename V>
    static std::function<Result<void>(const YAML::Node&)> set(Result<V> (Reader::*read)(const YAML::Node&, std::string_view) const,
                                                             const Reader* r, const char* key, T& field) {
        return [=, &field](const YAML::Node& n) -> Result<void> {
            auto v = (r->*read)(n, key);
            if (!v)
                return std::unexpected(v.error());
            field = *v;
            return {};
        };
    }

    Result<StageParams> stage(const YAML::Node& item) const {
        const bool bare = item.IsScalar(); // "- vignette": the stage with its defaults
        if (!bare && (!item.IsMap() || item.size() != 1))
            return error(item, "each stage is a name or a one-key map, e.g. '- vignette: {amount: 0.3}' (stages: "
                               "beauty, lut, vignette, grain)");
        const YAML::Node name = bare ? item : item.begin()->first;
        const YAML::Node params = bare ? YAML::Node() : item.begin()->second;
        const std::string n = name.Scalar();
        StageParams out;
        Result<void> ok;
        if (n == "beauty") {
            BeautyParams p;
            ok = fields(params, n,
                        {{"smoothing", set(&Reader::number, this, "smoothing", p.smoothing)},
                         {"tone", set(&Reader::number, this, "tone", p.tone)},
                         {"sharpen", set(&Reader::number, this, "sharpen", p.sharpen)},
                         {"faces", [&](const YAML::Node& v) -> Result<void> {
                              auto c = choice<FaceMode>(v, "faces", {{"auto", FaceMode::Auto}, {"off", FaceMode::Off}});
                              if (!c)
                                  return std::unexpected(c.error());
                              p.faces = *c;
                              return {};
                          }}});
            out = p;
        } else if (n == "lut") {
            LutParams p;
            ok = fields(params, n,
                        {{"file", [&](const YAML::Node& v) -> Result<void> {
                              auto f = lutFile(v);
                              if (!f)
                                  return std::unexpected(f.error());
                              p.file = *f;
                              return {};
                          }},
                         {"interpolation", [&](const YAML::Node& v) -> Result<void> {
                              auto c = choice<LutInterpolation>(v, "interpolation",
                                                                {{"trilinear", LutInterpolation::Trilinear},
                                                                 {"tetrahedral", LutInterpolation::Tetrahedral}});
                              if (!c)
                                  return std::unexpected(c.error());
                              p.interpolation = *c;
                              return {};
                          }},
                         {"strength", set(&Reader::number, this, "strength", p.strength)}});
            if (ok && p.file.empty())
                return error(name, "lut needs a file (a .cube file, relative to the pipeline file)");
            out = p;
        } else if (n == "vignette") {
            VignetteParams p;
            ok = fields(params, n,
                        {{"amount", set(&Reader::number, this, "amount", p.amount)},
                         {"radius", set(&Reader::number, this, "radius", p.radius)},
                         {"feather", set(&Reader::number, this, "feather", p.feather)}});
            out = p;
        } else if (n == "grain") {
            GrainParams p;
            ok = fields(params, n,
                        {{"amount", set(&Reader::number, this, "amount", p.amount)},
                         {"size", set(&Reader::count, this, "size", p.size)}});
            out = p;
        } else {
            return error(name, std::format("unknown stage '{}' (stages: beauty, lut, vignette, grain)", n));
        }
        if (!ok)
            return std::unexpected(ok.error());
        if (auto v = validate(out); !v)
            return error(params ? params : name, v.error().message);
        return out;
    }

    Result<std::vector<StageParams>> stages(const YAML::Node& list, std::string_view key) const {
        if (!list.IsSequence())
            return error(list, std::format("{} must be a list of stages", key));
        if (list.size() > kMaxPipelineStages)
            return error(list, std::format("{} lists {} stages; a pipeline list holds at most {}", key, list.size(),
                                           kMaxPipelineStages));
        std::vector<StageParams> out;
        for (const YAML::Node& item : list) {
            auto s = stage(item);
            if (!s)
                return std::unexpected(s.error());
            out.push_back(std::move(*s));
        }
        return out;
    }

private:
    std::string source_;
    std::filesystem::path baseDir_;
};

/// The text's pipeline, its LUT files not read yet.
Result<Pipeline> readPipelineText(const std::string& text, const std::string& source,
                                  const std::filesystem::path& baseDir) {
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::ParserException& e) {
        return fail(ErrorCode::Parse, std::format("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
    }
    const Reader reader(source, baseDir);
    if (!root.IsMap())
        return reader.error(root, "a pipeline file is a map with version, viewfinder and optionally record");
    Pipeline d;
    d.source = source;
    bool sawVersion = false, sawViewfinder = false;
    for (const auto& kv : root) {
        const std::string key = kv.first.Scalar();
        if (key == "version") {
            auto v = reader.count(kv.second, "version");
            if (!v)
                return std::unexpected(v.error());
            if (*v != kVersion)
                return reader.error(kv.second, std::format("version {} is not supported (supported: {})", *v, kVersion));
            d.version = *v;
            sawVersion = true;
        } else if (key == "viewfinder" || key == "record") {
            auto s = reader.stages(kv.second, key);
            if (!s)
                return std::unexpected(s.error());
            (key == "viewfinder" ? d.viewfinder : d.record) = std::move(*s);
            sawViewfinder = sawViewfinder || key == "viewfinder";
        } else {
            return reader.error(kv.first, std::format("unknown key '{}' (allowed: version, viewfinder, record)", key));
        }
    }
    if (!sawVersion)
        return reader.error(root, std::format("missing 'version: {}'", kVersion));
    if (!sawViewfinder)
        return reader.error(root, "missing 'viewfinder:' (a list of stages; [] for none)");
    return d;
}

/// Writes `v` so that YAML reads it back as the same float.
std::string number(float v) { return std::format("{}", v); }

std::string formatStage(const StageParams& stage) {
    struct Format {
        std::string operator()(const BeautyParams& p) const {
            return std::format("beauty: {{smoothing: {}, tone: {}, sharpen: {}, faces: {}}}", number(p.smoothing),
                               number(p.tone), number(p.sharpen), toString(p.faces));
        }
        std::string operator()(const LutParams& p) const {
            // Double-quoted, so any path (spaces, '#', ':', quotes) reads back as it is.
            YAML::Emitter file;
            file << YAML::DoubleQuoted << std::filesystem::absolute(p.file).lexically_normal().string();
            return std::format("lut: {{file: {}, interpolation: {}, strength: {}}}", file.c_str(),
                               toString(p.interpolation), number(p.strength));
        }
        std::string operator()(const VignetteParams& p) const {
            return std::format("vignette: {{amount: {}, radius: {}, feather: {}}}", number(p.amount),
                               number(p.radius), number(p.feather));
        }
        std::string operator()(const GrainParams& p) const {
            return std::format("grain: {{amount: {}, size: {}}}", number(p.amount), p.size);
        }
    };
    return std::visit(Format{}, stage);
}

} // namespace

Result<Pipeline> parsePipeline(std::string_view text, std::string_view source, const std::string& baseDir) {
    auto pipeline = readPipelineText(std::string(text), std::string(source), baseDir.empty() ? "." : baseDir);
    if (!pipeline)
        return pipeline;
    RV_TRY(preparePipeline(*pipeline));
    return pipeline;
}

Result<Pipeline> loadPipeline(const std::string& file) {
    const std::filesystem::path path(file);
    if (std::error_code ec; std::filesystem::is_directory(path, ec))
        return fail(ErrorCode::InvalidArgument,
                    std::format("pipeline file {} is a directory; name a .yaml file (pipelines/*.yaml)", path.string()));
    std::ifstream in(path);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            return fail(ErrorCode::NotFound, std::format("pipeline file {} does not exist", path.string()));
        return fail(ErrorCode::Io, std::format("cannot read pipeline file {}", path.string()));
    }
    std::stringstream text;
    text << in.rdbuf();
    return parsePipeline(text.str(), path.string(), path.parent_path().empty() ? "." : path.parent_path().string());
}

Result<std::string> formatPipeline(const Pipeline& pipeline) {
    RV_TRY(validate(pipeline));
    std::string out = std::format("version: {}\n", pipeline.version);
    for (const PipelineList list : {PipelineList::Viewfinder, PipelineList::Record}) {
        const auto& stages = list == PipelineList::Viewfinder ? pipeline.viewfinder : pipeline.record;
        if (list == PipelineList::Record && stages.empty())
            continue;
        out += std::format("{}:{}\n", toString(list), stages.empty() ? " []" : "");
        for (size_t i = 0; i < stages.size(); ++i) {
            if (const auto* lut = std::get_if<LutParams>(&stages[i]); lut && lut->file.empty())
                return fail(ErrorCode::Unsupported,
                            std::format("{} stage {} (lut) holds a LUT made in code, which has no file to name; "
                                        "write CubeLut::toCubeText() to a .cube file and set LutParams::file",
                                        toString(list), i + 1));
            out += "  - " + formatStage(stages[i]) + "\n";
        }
    }
    return out;
}

Result<void> preparePipeline(Pipeline& pipeline) {
    RV_TRY(validate(pipeline));
    std::map<std::string, std::shared_ptr<const CubeLut>> loaded; // one read per file
    for (std::vector<StageParams>* list : {&pipeline.viewfinder, &pipeline.record})
        for (StageParams& stage : *list) {
            auto* lut = std::get_if<LutParams>(&stage);
            if (!lut || lut->cube)
                continue;
            auto& cube = loaded[lut->file];
            if (!cube) {
                auto read = CubeLut::load(lut->file);
                if (!read)
                    return fail(read.error().code, std::format("pipeline {}: {}", pipeline.source, read.error().message));
                cube = std::make_shared<const CubeLut>(std::move(*read));
            }
            lut->cube = cube;
        }
    return {};
}

} // namespace rearview
