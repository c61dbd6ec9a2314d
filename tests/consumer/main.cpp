// Uses only installed public headers.
#include <rearview/color_space.hpp>
#include <rearview/error.hpp>
#include <rearview/gpu.hpp>

#include <cstdio>

int main() {
    const auto k = rearview::coefficientsFor({rearview::YcbcrMatrix::Bt709, rearview::YcbcrRange::Full});
    rearview::Error e{rearview::ErrorCode::NotFound, "camera 'x'"};
    std::printf("%s %.4f\n", e.describe().c_str(), double(k.crToR));
    return k.crToR > 1.5f ? 0 : 1;
}
