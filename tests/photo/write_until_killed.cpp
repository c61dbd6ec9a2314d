// SPDX-License-Identifier: MIT
// Writes PATH again and again with writeFileAtomically(), each time BYTES bytes all equal to
// the round's number (mod 256), printing "written N" after each, until it is killed. The
// kill -9 test (photo_file_test.cpp) kills it in the middle of a write.
#include "core/atomic_file.hpp"

#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: write_until_killed PATH BYTES\n");
        return 2;
    }
    std::vector<uint8_t> bytes(std::strtoull(argv[2], nullptr, 10));
    for (unsigned round = 1;; ++round) {
        std::fill(bytes.begin(), bytes.end(), uint8_t(round));
        if (auto r = rearview::writeFileAtomically(argv[1], bytes); !r) {
            std::fprintf(stderr, "%s\n", r.error().message.c_str());
            return 1;
        }
        std::printf("written %u\n", round);
        std::fflush(stdout);
    }
}
