// What the C ABI's opaque handles are, shared by the C shims (kprod.cpp and
// the files beside it).
#pragma once

#include <memory>

#include "config/config.h"
#include "producer/producer.h"
#include "kprod.h"

struct kprod_conf {
    kprod::client::ConfigStore store;
    kprod::client::ProducerCallbacks callbacks;
};

struct kprod_producer {
    std::unique_ptr<kprod::client::Producer> producer;
};
