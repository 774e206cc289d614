// ProduceAnswers: finds each batch's answer in a Produce response. Kafka
// answers in an order of its own (the broker collects them in a hash map), so
// a search per batch through every answer would cost the Sender time quadratic
// in the partitions of a request; this indexes a response once, by topic name,
// then by partition number.
// One instance, reused for every response. Runs on: sender thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "accumulator/delivery_reports.h"
#include "protocol/produce_messages.h"

namespace kprod::client {

class ProduceAnswers {
public:
    using Answer = protocol::ProduceResponse::Partition;

    // Indexes `response`, which must outlive the lookups.
    void index(const protocol::ProduceResponse &response);

    // The answer for the partition, or null when the response has none.
    const Answer *find(std::string_view topic, int32_t partition);

private:
    // Per topic: answers by partition number (null where none came).
    std::unordered_map<std::string_view, std::vector<const Answer *>> by_topic_;
    // The topic looked up last: batches of one topic mostly come together.
    std::string_view last_topic_;
    const std::vector<const Answer *> *last_answers_ = nullptr;
};

// Puts the broker's texts about a refused batch into its outcome (KIP-467):
// each record the answer names gets its own text (else the partition's), the
// others a text that says another record was refused; without named records,
// every record gets the partition's text, if any. `reports` keeps the texts.
void add_broker_texts(const ProduceAnswers::Answer &answer, DeliveryReports &reports,
                      BatchOutcome &outcome);

}  // namespace kprod::client
