// SPDX-License-Identifier: MIT
// Every ColorSpace rearview handles, for tests that go through each.
#pragma once

#include <rearview/color_space.hpp>

namespace rearview::test {

inline constexpr ColorSpace kAllColorSpaces[] = {
    {YcbcrMatrix::Bt601, YcbcrRange::Limited},  {YcbcrMatrix::Bt601, YcbcrRange::Full},
    {YcbcrMatrix::Bt709, YcbcrRange::Limited},  {YcbcrMatrix::Bt709, YcbcrRange::Full},
    {YcbcrMatrix::Bt2020, YcbcrRange::Limited}, {YcbcrMatrix::Bt2020, YcbcrRange::Full},
};

} // namespace rearview::test
