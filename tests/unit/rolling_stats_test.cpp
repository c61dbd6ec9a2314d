// SPDX-License-Identifier: MIT
#include "core/rolling_stats.hpp"

#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>

#include <thread>
#include <vector>

using namespace rearview;

TEST_CASE("RollingStats gives nearest-rank percentiles, mean, min and max of its window", "[unit][rolling_stats]") {
    RollingStats empty;
    CHECK(empty.count() == 0);
    CHECK(empty.percentile(0.5) == 0);
    CHECK(empty.summary().max == 0);

    RollingStats stats(1000);
    for (int i = 100; i >= 1; --i) // order does not matter
        stats.add(i);
    CHECK(stats.count() == 100);
    CHECK(stats.percentile(0.0) == 1);
    CHECK(stats.percentile(0.5) == 51); // rank round(0.5 * 99) = 50 of 0..99
    CHECK(stats.percentile(0.99) == 99);
    CHECK(stats.percentile(1.0) == 100);
    CHECK(stats.mean() == Catch::Approx(50.5));
    CHECK(stats.min() == 1);
    CHECK(stats.max() == 100);
    const StatsSummary s = stats.summary();
    CHECK(s.count == 100);
    CHECK(s.p50 == 51);
    CHECK(s.p99 == 99);
    CHECK(s.mean == Catch::Approx(50.5));
    CHECK(s.min == 1);
    CHECK(s.max == 100);

    std::vector<double> v{5, 1, 4, 2, 3};
    CHECK(percentile(v, 0.5) == 3);
}

TEST_CASE("RollingStats keeps only the latest samples", "[unit][rolling_stats]") {
    RollingStats stats(10);
    for (int i = 1; i <= 25; ++i)
        stats.add(i);
    CHECK(stats.count() == 10);
    CHECK(stats.capacity() == 10);
    CHECK(stats.total() == 25);
    CHECK(stats.min() == 16);
    CHECK(stats.max() == 25);
    CHECK(stats.mean() == Catch::Approx(20.5));
    CHECK(stats.percentile(0.5) == 21);
    stats.add(1000); // an outlier shows in max and p99 only
    CHECK(stats.max() == 1000);
    CHECK(stats.percentile(0.5) == 22);
    stats.clear();
    CHECK(stats.count() == 0);
    CHECK(stats.total() == 0);
}

TEST_CASE("SharedRollingStats takes samples from several threads", "[unit][rolling_stats]") {
    SharedRollingStats stats(256);
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                stats.add(7.0);
        });
    threads.clear();
    CHECK(stats.total() == 4000);
    const StatsSummary s = stats.summary();
    CHECK(s.count == 256);
    CHECK(s.p50 == 7.0);
    CHECK(s.max == 7.0);
}

TEST_CASE("RateMeter measures events per second over its window", "[unit][rolling_stats]") {
    constexpr uint64_t kSecond = 1'000'000'000ull;
    RateMeter fps(kSecond);
    CHECK(fps.rate(0) == 0);
    uint64_t t = 5 * kSecond;
    fps.tick(t);
    CHECK(fps.rate(t) == 0); // one event is no rate
    for (int i = 0; i < 90; ++i)
        fps.tick(t += kSecond / 30);
    CHECK(fps.total() == 91);
    CHECK(fps.rate(t) == Catch::Approx(30.0).epsilon(1e-6));
    // The stream slows to 10 fps: after a window of it the rate is 10.
    for (int i = 0; i < 20; ++i)
        fps.tick(t += kSecond / 10);
    CHECK(fps.rate(t) == Catch::Approx(10.0).epsilon(1e-6));
    // It stops: events age out of the window.
    CHECK(fps.rate(t + 2 * kSecond) == 0);

    RateMeter small(kSecond, 16); // fewer slots than events in the window: still the rate
    for (int i = 0; i < 240; ++i)
        small.tick(t += kSecond / 120);
    CHECK(small.rate(t) == Catch::Approx(120.0).epsilon(1e-6));
    small.clear();
    CHECK(small.rate(t) == 0);
}
