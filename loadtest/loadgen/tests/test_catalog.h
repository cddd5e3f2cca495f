// A small catalog for the load generator's tests: two events on a 3-section venue.
#pragma once

#include "booking/core/catalog.h"

namespace boxoffice::loadgen {

// 2 events x (2 x 10 + 3 x 10 + 1 x 4) = 2 x 54 seats;
booking::Catalog small_catalog();

}  // namespace boxoffice::loadgen
