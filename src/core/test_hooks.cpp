// SPDX-License-Identifier: MIT
#include "core/test_hooks.hpp"

#include "core/log.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace rearview::test_hooks {

namespace {
std::optional<StageDelay> parseStageDelay() {
    const char* env = std::getenv("REARVIEW_TEST_STAGE_DELAY");
    if (!env || !*env)
        return std::nullopt;
    const std::string_view value(env);
    const size_t colon = value.rfind(':');
    StageDelay delay;
    if (colon != std::string_view::npos && colon > 0) {
        delay.stage = std::string(value.substr(0, colon));
        const std::string_view ms = value.substr(colon + 1);
        const auto [end, ec] = std::from_chars(ms.data(), ms.data() + ms.size(), delay.ms);
        if (ec == std::errc() && end == ms.data() + ms.size() && delay.ms > 0) {
            log::warn("REARVIEW_TEST_STAGE_DELAY: GPU stage '{}' made {} ms slower (test only)", delay.stage,
                      delay.ms);
            return delay;
        }
    }
    log::warn("REARVIEW_TEST_STAGE_DELAY='{}' ignored: expected NAME:MS with MS > 0, e.g. lut:20", value);
    return std::nullopt;
}
} // namespace

const std::optional<StageDelay>& stageDelay() {
    static const std::optional<StageDelay> delay = parseStageDelay();
    return delay;
}

bool gpuTimestampsDisabled() {
    static const bool disabled = [] {
        const char* env = std::getenv("REARVIEW_TEST_NO_GPU_TIMESTAMPS");
        return env && std::string_view(env) == "1";
    }();
    return disabled;
}

} // namespace rearview::test_hooks
