// The Kafka topics of the booking backend (DESIGN.md "Booking").
#pragma once

#include <string>

namespace boxoffice::booking {

struct Topics {
  std::string commands = "boxoffice.commands";  // key = event id; one partition owns an event
  std::string events = "boxoffice.events";      // decision batches, partition = command partition
  std::string delay = "boxoffice.delay";        // Expire commands waiting for their due time
};

}  // namespace boxoffice::booking
