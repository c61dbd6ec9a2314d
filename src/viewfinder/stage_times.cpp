// SPDX-License-Identifier: MIT
#include "viewfinder/stage_times.hpp"

namespace rearview::viewfinder {

void StageTimes::add(std::span<const gpu::GpuSpan> spans) {
    if (spans.empty())
        return;
    double sum = 0;
    for (const gpu::GpuSpan& s : spans) {
        auto [it, added] = byName_.try_emplace(s.name);
        if (added)
            order_.push_back(s.name);
        it->second.add(s.ms);
        sum += s.ms;
    }
    total_.add(sum);
}

std::vector<StageTime> StageTimes::medians() const {
    std::vector<StageTime> out;
    out.reserve(order_.size());
    for (const std::string& name : order_)
        out.push_back({name, byName_.at(name).p50()});
    return out;
}

} // namespace rearview::viewfinder
