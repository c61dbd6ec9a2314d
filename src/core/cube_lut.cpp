// SPDX-License-Identifier: MIT
#include <rearview/cube_lut.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <format>
#include <fstream>
#include <sstream>
#include <system_error>

/// Returns the error of a Result<void> expression from the enclosing function.
#define RV_CUBE_TRY(expr)                                                                    \
    do {                                                                                     \
        if (auto rv_r_ = (expr); !rv_r_)                                                     \
            return std::unexpected(std::move(rv_r_.error()));                                \
    } while (0)

namespace rearview {
namespace {

constexpr std::string_view kKeywords = "TITLE, LUT_3D_SIZE, DOMAIN_MIN, DOMAIN_MAX, LUT_3D_INPUT_RANGE";
// Keywords parse() recognises; the 1D ones only to reject them with a clear message.
constexpr std::string_view kKnownKeys[] = {"TITLE",          "LUT_3D_SIZE", "DOMAIN_MIN",        "DOMAIN_MAX",
                                           "LUT_3D_INPUT_RANGE", "LUT_1D_SIZE", "LUT_1D_INPUT_RANGE"};
constexpr std::string_view kChannelNames[] = {"red", "green", "blue"};

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

/// Splits on spaces and tabs.
std::vector<std::string_view> fields(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && isSpace(s[i]))
            ++i;
        size_t j = i;
        while (j < s.size() && !isSpace(s[j]))
            ++j;
        if (j > i)
            out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

/// A finite decimal number, the whole field ("+" allowed, as C's strtof does).
bool parseNumber(std::string_view field, float& out) {
    if (field.starts_with('+'))
        field.remove_prefix(1);
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
    return ec == std::errc() && end == field.data() + field.size() && std::isfinite(out);
}

/// Parses one line at a time and remembers where it is, for messages.
class Parser {
public:
    explicit Parser(std::string_view source) : source_(source) {}

    Result<CubeLut> run(std::string_view text);

private:
    std::unexpected<Error> error(std::string_view message) const {
        return fail(ErrorCode::Parse, std::format("{}:{}: {}", source_, line_, message));
    }
    Result<void> keyword(std::string_view key, std::string_view rest);
    Result<void> numbers(std::string_view key, std::string_view rest, size_t count, std::string_view allowed,
                         float* out) const;
    Result<void> data(std::string_view line);

    std::string_view source_;
    size_t line_ = 0;
    CubeLut lut_;
    size_t entries_ = 0;
    size_t sizeLine_ = 0;
    size_t domainLine_ = 0; ///< the last DOMAIN_* or LUT_3D_INPUT_RANGE line
    bool seenTitle_ = false, seenMin_ = false, seenMax_ = false, seenRange_ = false;
};

Result<void> Parser::numbers(std::string_view key, std::string_view rest, size_t count, std::string_view allowed,
                             float* out) const {
    const auto f = fields(rest);
    if (f.size() != count)
        return error(std::format("{} takes {} number{}, found {}; allowed: {}", key, count, count == 1 ? "" : "s",
                                 f.size(), allowed));
    for (size_t i = 0; i < count; ++i)
        if (!parseNumber(f[i], out[i]))
            return error(std::format("{}: '{}' is not a number; allowed: {}", key, f[i], allowed));
    return {};
}

Result<void> Parser::keyword(std::string_view key, std::string_view rest) {
    if (entries_ > 0)
        return error(std::format("keyword {} after the first data line; keywords ({}) come before the data", key,
                                 kKeywords));
    auto once = [&](bool& seen) -> Result<void> {
        if (seen)
            return error(std::format("{} given twice; allowed: once, before the data", key));
        seen = true;
        return {};
    };
    if (key == "TITLE") {
        RV_CUBE_TRY(once(seenTitle_));
        const std::string_view t = trim(rest);
        if (t.size() < 2 || t.front() != '"' || t.back() != '"')
            return error(std::format("TITLE {}: allowed: a title in double quotes, e.g. TITLE \"warm\"", t));
        lut_.title = std::string(t.substr(1, t.size() - 2));
        return {};
    }
    if (key == "LUT_3D_SIZE") {
        if (sizeLine_)
            return error(std::format("LUT_3D_SIZE given twice (first on line {}); allowed: once", sizeLine_));
        const auto f = fields(rest);
        uint32_t n = 0;
        const std::string_view v = f.size() == 1 ? f[0] : trim(rest);
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (f.size() != 1 || ec != std::errc() || end != v.data() + v.size())
            return error(std::format("LUT_3D_SIZE '{}' is not an integer; allowed: {}..{}", v, CubeLut::kMinSize,
                                     CubeLut::kMaxSize));
        if (n < CubeLut::kMinSize || n > CubeLut::kMaxSize)
            return error(std::format("LUT_3D_SIZE {} is out of range; allowed: {}..{}", n, CubeLut::kMinSize,
                                     CubeLut::kMaxSize));
        lut_.size = n;
        sizeLine_ = line_;
        lut_.rgb.reserve(size_t(n) * n * n * 3);
        return {};
    }
    if (key == "DOMAIN_MIN" || key == "DOMAIN_MAX") {
        const bool isMin = key == "DOMAIN_MIN";
        RV_CUBE_TRY(once(isMin ? seenMin_ : seenMax_));
        domainLine_ = line_;
        if (seenRange_)
            return error(std::format("{} together with LUT_3D_INPUT_RANGE; allowed: one of them", key));
        return numbers(key, rest, 3, "three numbers (red, green, blue)",
                       isMin ? lut_.domainMin.data() : lut_.domainMax.data());
    }
    if (key == "LUT_3D_INPUT_RANGE") {
        RV_CUBE_TRY(once(seenRange_));
        domainLine_ = line_;
        if (seenMin_ || seenMax_)
            return error("LUT_3D_INPUT_RANGE together with DOMAIN_MIN/DOMAIN_MAX; allowed: one of them");
        float range[2];
        RV_CUBE_TRY(numbers(key, rest, 2, "two numbers (min max)", range));
        lut_.domainMin.fill(range[0]);
        lut_.domainMax.fill(range[1]);
        return {};
    }
    if (key == "LUT_1D_SIZE" || key == "LUT_1D_INPUT_RANGE")
        return error(std::format("{}: 1D LUTs are not supported; allowed: a 3D LUT (LUT_3D_SIZE {}..{})", key,
                                 CubeLut::kMinSize, CubeLut::kMaxSize));
    return error(std::format("unknown keyword '{}'; allowed: {}, '#' comments and data lines of three numbers",
                             key, kKeywords));
}

Result<void> Parser::data(std::string_view line) {
    if (!sizeLine_)
        return error("data before LUT_3D_SIZE; allowed: LUT_3D_SIZE 2..65 before the first data line");
    const size_t expected = size_t(lut_.size) * lut_.size * lut_.size;
    if (entries_ == expected)
        return error(std::format("more entries than LUT_3D_SIZE {} allows; allowed: exactly {} ({}^3) data lines",
                                 lut_.size, expected, lut_.size));
    const auto f = fields(line);
    if (f.size() != 3)
        return error(std::format("data line has {} value{}; allowed: three numbers (red green blue)", f.size(),
                                 f.size() == 1 ? "" : "s"));
    for (std::string_view v : f) {
        float x = 0;
        if (!parseNumber(v, x))
            return error(std::format("data value '{}' is not a number; allowed: finite decimal numbers", v));
        lut_.rgb.push_back(x);
    }
    ++entries_;
    return {};
}

Result<CubeLut> Parser::run(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) // UTF-8 byte order mark, written by some editors
        text.remove_prefix(3);
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_;
        line = trim(line);
        if (line.empty() || line.front() == '#')
            continue;
        size_t keyEnd = 0;
        while (keyEnd < line.size() && !isSpace(line[keyEnd]))
            ++keyEnd;
        const std::string_view key = line.substr(0, keyEnd);
        const bool numeric = line.front() == '-' || line.front() == '+' || line.front() == '.' ||
                             (line.front() >= '0' && line.front() <= '9');
        const bool known = std::ranges::find(kKnownKeys, key) != std::end(kKnownKeys);
        // Inside the data, anything that is not a keyword is a (possibly malformed) data line.
        if (numeric || (!known && entries_ > 0)) {
            // Trailing comments after data are common in hand-edited files.
            if (const size_t hash = line.find('#'); hash != std::string_view::npos)
                line = trim(line.substr(0, hash));
            RV_CUBE_TRY(data(line));
            continue;
        }
        std::string_view rest = line.substr(keyEnd);
        if (key != "TITLE") // a title may contain '#'
            if (const size_t hash = rest.find('#'); hash != std::string_view::npos)
                rest = rest.substr(0, hash);
        RV_CUBE_TRY(keyword(key, rest));
    }
    if (!sizeLine_)
        return error(std::format("end of file without LUT_3D_SIZE; allowed: a 3D LUT with LUT_3D_SIZE {}..{}",
                                 CubeLut::kMinSize, CubeLut::kMaxSize));
    const size_t expected = size_t(lut_.size) * lut_.size * lut_.size;
    if (entries_ != expected)
        return error(std::format("LUT_3D_SIZE {} (line {}) needs {} ({}^3) data lines, found {}", lut_.size,
                                 sizeLine_, expected, lut_.size, entries_));
    for (size_t c = 0; c < 3; ++c)
        if (!(lut_.domainMin[c] < lut_.domainMax[c])) {
            line_ = domainLine_;
            return error(std::format("{} domain {}..{} is empty; allowed: DOMAIN_MIN below DOMAIN_MAX per channel",
                                     kChannelNames[c], lut_.domainMin[c], lut_.domainMax[c]));
        }
    return std::move(lut_);
}

} // namespace

Result<CubeLut> CubeLut::parse(std::string_view text, std::string_view source) { return Parser(source).run(text); }

Result<CubeLut> CubeLut::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            return fail(ErrorCode::NotFound, std::format("LUT file {} does not exist", path));
        return fail(ErrorCode::Io, std::format("cannot open LUT file {}", path));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        return fail(ErrorCode::Io, std::format("cannot read LUT file {}", path));
    return parse(text.view(), path);
}

CubeLut CubeLut::identity(uint32_t size) {
    CubeLut lut;
    lut.title = "identity";
    lut.size = size;
    lut.rgb.resize(size_t(size) * size * size * 3);
    const float step = 1.0f / float(size - 1);
    for (uint32_t b = 0; b < size; ++b)
        for (uint32_t g = 0; g < size; ++g)
            for (uint32_t r = 0; r < size; ++r) {
                float* e = lut.at(r, g, b);
                e[0] = float(r) * step;
                e[1] = float(g) * step;
                e[2] = float(b) * step;
            }
    return lut;
}

std::string CubeLut::toCubeText() const {
    std::string out;
    out.reserve(rgb.size() / 3 * 28 + 200);
    if (!title.empty())
        out += std::format("TITLE \"{}\"\n", title);
    // The domain follows the size: FFmpeg's lut3d filter reads DOMAIN_* only after it.
    out += std::format("LUT_3D_SIZE {}\n", size);
    out += std::format("DOMAIN_MIN {:.6f} {:.6f} {:.6f}\n", domainMin[0], domainMin[1], domainMin[2]);
    out += std::format("DOMAIN_MAX {:.6f} {:.6f} {:.6f}\n", domainMax[0], domainMax[1], domainMax[2]);
    for (size_t i = 0; i < rgb.size(); i += 3)
        out += std::format("{:.6f} {:.6f} {:.6f}\n", rgb[i], rgb[i + 1], rgb[i + 2]);
    return out;
}

} // namespace rearview
