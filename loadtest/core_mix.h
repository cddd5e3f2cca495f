// A realistic on-sale command mix for the booking core, recorded once and replayed by the
// benchmark: most fans go for the best sections, some pay, some cancel, holds expire through
// timer messages at their due time, and people queue on taken seats.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "booking/core/catalog.h"
#include "booking/core/command.h"

namespace boxoffice::loadtest {

struct CoreMix {
  std::deque<std::string> strings;  // user and payment ids the commands point into
  std::vector<booking::Command> commands;
};

// Records the on-sale of `event` from its opening until every seat is sold (or `max_count`
// commands) by running it through a partition, so every command refers to real reservation ids.
// Deterministic for a given seed.
CoreMix record_core_mix(const booking::Catalog& catalog, const booking::Event& event,
                        size_t max_count, uint64_t seed);

// The catalog the benchmarks record the mix on (booking/catalog/sample.json), loaded once; a
// file that does not load ends the program with its error.
const booking::Catalog& sample_catalog();
// Its 80,000-seat stadium, evt_eras_la_1.
const booking::Event& sample_stadium();

}  // namespace boxoffice::loadtest
