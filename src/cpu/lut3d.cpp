// SPDX-License-Identifier: MIT
#include "cpu/lut3d.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace rearview::cpu {
namespace {

struct Vec {
    double r, g, b;
};

/// Grid cell and position inside it of one 8-bit channel value.
struct Coordinate {
    uint32_t prev, next;
    double d;
};

Vec entry(const CubeLut& lut, uint32_t r, uint32_t g, uint32_t b) {
    const float* e = lut.at(r, g, b);
    return {e[0], e[1], e[2]};
}

Vec lerp(Vec a, Vec b, double t) { return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t}; }

Vec trilinear(const CubeLut& lut, const Coordinate& r, const Coordinate& g, const Coordinate& b) {
    const Vec c00 = lerp(entry(lut, r.prev, g.prev, b.prev), entry(lut, r.next, g.prev, b.prev), r.d);
    const Vec c10 = lerp(entry(lut, r.prev, g.next, b.prev), entry(lut, r.next, g.next, b.prev), r.d);
    const Vec c01 = lerp(entry(lut, r.prev, g.prev, b.next), entry(lut, r.next, g.prev, b.next), r.d);
    const Vec c11 = lerp(entry(lut, r.prev, g.next, b.next), entry(lut, r.next, g.next, b.next), r.d);
    return lerp(lerp(c00, c10, g.d), lerp(c01, c11, g.d), b.d);
}

/// (1 - d1) c000 + (d1 - d2) c1 + (d2 - d3) c2 + d3 c111 for the tetrahedron FFmpeg picks.
Vec weigh(Vec c000, Vec c1, Vec c2, Vec c111, double d1, double d2, double d3) {
    auto w = [&](double a, double b, double c, double d) {
        return (1 - d1) * a + (d1 - d2) * b + (d2 - d3) * c + d3 * d;
    };
    return {w(c000.r, c1.r, c2.r, c111.r), w(c000.g, c1.g, c2.g, c111.g), w(c000.b, c1.b, c2.b, c111.b)};
}

Vec tetrahedral(const CubeLut& lut, const Coordinate& r, const Coordinate& g, const Coordinate& b) {
    // cXYZ: X, Y, Z = 1 take the next grid point along red, green, blue.
    auto c = [&](bool x, bool y, bool z) {
        return entry(lut, x ? r.next : r.prev, y ? g.next : g.prev, z ? b.next : b.prev);
    };
    const Vec c000 = c(0, 0, 0), c111 = c(1, 1, 1);
    const double dr = r.d, dg = g.d, db = b.d;
    if (dr > dg) {
        if (dg > db)
            return weigh(c000, c(1, 0, 0), c(1, 1, 0), c111, dr, dg, db);
        if (dr > db)
            return weigh(c000, c(1, 0, 0), c(1, 0, 1), c111, dr, db, dg);
        return weigh(c000, c(0, 0, 1), c(1, 0, 1), c111, db, dr, dg);
    }
    if (db > dg)
        return weigh(c000, c(0, 0, 1), c(0, 1, 1), c111, db, dg, dr);
    if (db > dr)
        return weigh(c000, c(0, 1, 0), c(0, 1, 1), c111, dg, db, dr);
    return weigh(c000, c(0, 1, 0), c(1, 1, 0), c111, dg, dr, db);
}

uint8_t toByte(double v) { return uint8_t(std::lround(std::clamp(v, 0.0, 255.0))); }

} // namespace

void Lut3d(const RgbaImage& src, const CubeLut& lut, LutInterpolation interpolation, float strength,
           RgbaImage& dst) {
    // The 256 possible coordinates of each channel, computed once.
    std::array<std::array<Coordinate, 256>, 3> coords;
    const uint32_t last = lut.size - 1;
    for (size_t c = 0; c < 3; ++c)
        for (uint32_t v = 0; v < 256; ++v) {
            const double min = lut.domainMin[c], max = lut.domainMax[c];
            const double t = (double(v) / 255.0 - min) / (max - min);
            const double s = std::clamp(t, 0.0, 1.0) * last;
            const auto prev = uint32_t(s);
            coords[c][v] = {prev, std::min(prev + 1, last), s - prev};
        }
    if (&dst != &src && (dst.width != src.width || dst.height != src.height))
        dst = RgbaImage(src.width, src.height);
    const double k = strength;
    for (size_t i = 0; i < src.pixels.size(); i += 4) {
        const uint8_t* in = &src.pixels[i];
        const Coordinate &r = coords[0][in[0]], &g = coords[1][in[1]], &b = coords[2][in[2]];
        const Vec out = interpolation == LutInterpolation::Tetrahedral ? tetrahedral(lut, r, g, b)
                                                                       : trilinear(lut, r, g, b);
        const double inR = in[0], inG = in[1], inB = in[2];
        const uint8_t alpha = in[3];
        uint8_t* o = &dst.pixels[i];
        o[0] = toByte(inR * (1 - k) + out.r * 255.0 * k);
        o[1] = toByte(inG * (1 - k) + out.g * 255.0 * k);
        o[2] = toByte(inB * (1 - k) + out.b * 255.0 * k);
        o[3] = alpha;
    }
}

} // namespace rearview::cpu
