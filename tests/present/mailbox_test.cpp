// SPDX-License-Identifier: MIT
// The mailbox between the pipeline (writer) and the presenter (reader): latest frame wins,
// frames are taken only once their GPU work has completed, and the writer never gets a slot
// the reader holds.
#include "present/mailbox.hpp"
#include "support/gpu_fixture.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <atomic>
#include <set>
#include <thread>

using namespace rearview;
using present::Mailbox;

namespace {

uint32_t writeAndPublish(Mailbox& m, uint64_t sequence, uint64_t timelineValue = 0) {
    const auto slot = m.beginWrite();
    m.publish(slot.index, {sequence, 0, 0, timelineValue});
    return slot.index;
}

} // namespace

TEST_CASE("Mailbox: the newest published frame wins and older ones are dropped", "[present]") {
    auto m = Mailbox::create(test::device(), 904, 572);
    REQUIRE(m);
    CHECK((*m)->width() == 904);
    CHECK((*m)->height() == 572);
    CHECK_FALSE((*m)->takeNewest(0).has_value()); // nothing published yet

    writeAndPublish(**m, 1);
    writeAndPublish(**m, 2);
    const uint32_t third = writeAndPublish(**m, 3);
    auto r = (*m)->takeNewest(0);
    REQUIRE(r);
    CHECK(r->frame.sequence == 3);
    CHECK(r->index == third);
    CHECK(r->fresh);
    CHECK(r->buffer.range == 904ull * 572 * 4);
    CHECK((*m)->published() == 3);
    CHECK((*m)->dropped() == 2);

    // Nothing newer: the same frame again, not fresh.
    auto again = (*m)->takeNewest(0);
    REQUIRE(again);
    CHECK(again->index == third);
    CHECK(again->frame.sequence == 3);
    CHECK_FALSE(again->fresh);
    REQUIRE_NO_VALIDATION_MESSAGES();
}

TEST_CASE("Mailbox: a frame whose GPU work has not completed is not taken", "[present]") {
    auto m = Mailbox::create(test::device(), 64, 32);
    REQUIRE(m);
    writeAndPublish(**m, 1, 10);
    CHECK_FALSE((*m)->takeNewest(9).has_value());
    auto r = (*m)->takeNewest(10);
    REQUIRE(r);
    CHECK(r->frame.sequence == 1);

    writeAndPublish(**m, 2, 20);
    auto held = (*m)->takeNewest(15); // 2 is not done: keep showing 1
    REQUIRE(held);
    CHECK(held->frame.sequence == 1);
    CHECK_FALSE(held->fresh);
    auto newest = (*m)->newestPublished();
    REQUIRE(newest);
    CHECK(newest->sequence == 2);
    auto r2 = (*m)->takeNewest(20);
    REQUIRE(r2);
    CHECK(r2->frame.sequence == 2);
    CHECK(r2->fresh);
}

TEST_CASE("Mailbox: the writer never gets the slot being read, and waits for the reader's last read", "[present]") {
    auto m = Mailbox::create(test::device(), 16, 16);
    REQUIRE(m);
    writeAndPublish(**m, 1);
    auto read = (*m)->takeNewest(0);
    REQUIRE(read);
    (*m)->markRead(read->index, 42);
    std::set<uint32_t> writerSlots;
    for (uint64_t s = 2; s < 20; ++s) {
        const auto slot = (*m)->beginWrite();
        CHECK(slot.index != read->index);
        CHECK(slot.index < (*m)->slotCount());
        writerSlots.insert(slot.index);
        (*m)->publish(slot.index, {s, 0, 0, 0});
    }
    CHECK(writerSlots.size() == 2); // the other two slots alternate

    // Once the reader moves on, its old slot comes back to the writer with the read's value.
    auto next = (*m)->takeNewest(0);
    REQUIRE(next);
    CHECK(next->frame.sequence == 19);
    bool sawOld = false;
    for (int i = 0; i < 3 && !sawOld; ++i) {
        const auto slot = (*m)->beginWrite();
        CHECK(slot.index != next->index);
        if (slot.index == read->index) {
            CHECK(slot.waitValue == 42);
            sawOld = true;
        }
        (*m)->publish(slot.index, {100u + i, 0, 0, 0});
    }
    CHECK(sawOld);
}

TEST_CASE("Mailbox: under concurrent use no slot is written while the reader holds it", "[present]") {
    auto m = Mailbox::create(test::device(), 16, 16);
    REQUIRE(m);
    // Stand-ins for slot contents: the writer stores the sequence it writes into its slot's
    // cell; the reader checks the cell still holds the frame it took while it "reads".
    std::array<std::atomic<uint64_t>, 3> contents{};
    REQUIRE((*m)->slotCount() == contents.size());
    std::atomic<bool> done{false};
    std::atomic<uint64_t> corrupted{0}, taken{0}, backwards{0};
    std::atomic<uint64_t> written{0};
    std::thread writer([&] {
        // At least 200k frames, and on until the reader has taken many (a loaded machine may
        // not schedule it for a while).
        for (uint64_t s = 1; s <= 200'000 || taken < 1000; ++s) {
            const auto slot = (*m)->beginWrite();
            contents[slot.index] = s;
            (*m)->publish(slot.index, {s, 0, 0, 0});
            written = s;
        }
        done = true;
    });
    uint64_t last = 0;
    while (!done) {
        auto r = (*m)->takeNewest(0);
        if (!r)
            continue;
        for (int i = 0; i < 50; ++i)
            if (contents[r->index].load() != r->frame.sequence)
                ++corrupted;
        if (r->frame.sequence < last)
            ++backwards;
        last = r->frame.sequence;
        ++taken;
    }
    writer.join();
    CHECK(corrupted == 0);
    CHECK(backwards == 0);
    CHECK(taken >= 1000);
    CHECK((*m)->published() == written);
}

TEST_CASE("Mailbox: sizes out of range are refused", "[present]") {
    auto zero = Mailbox::create(test::device(), 0, 572);
    REQUIRE_FALSE(zero);
    CHECK(zero.error().code == ErrorCode::InvalidArgument);
}
