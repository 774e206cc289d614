#include "sender/produce_answers.h"

namespace kprod::client {

void ProduceAnswers::index(const protocol::ProduceResponse &response) {
    by_topic_.clear();  // its keys point into the previous response
    last_answers_ = nullptr;
    for (const auto &topic : response.topics) {
        std::vector<const Answer *> &answers = by_topic_[topic.name];
        for (const Answer &answer : topic.partitions) {
            if (answer.partition < 0) continue;  // no batch of ours has it
            const auto slot = static_cast<size_t>(answer.partition);
            if (slot >= answers.size()) answers.resize(slot + 1, nullptr);
            answers[slot] = &answer;
        }
    }
}

const ProduceAnswers::Answer *ProduceAnswers::find(std::string_view topic, int32_t partition) {
    if (!last_answers_ || topic != last_topic_) {
        auto it = by_topic_.find(topic);
        if (it == by_topic_.end()) return nullptr;
        last_topic_ = it->first;
        last_answers_ = &it->second;
    }
    const auto slot = static_cast<size_t>(partition);
    return partition >= 0 && slot < last_answers_->size() ? (*last_answers_)[slot] : nullptr;
}

void add_broker_texts(const ProduceAnswers::Answer &answer, DeliveryReports &reports,
                      BatchOutcome &outcome) {
    const char *partition_text =
        answer.error_message.empty() ? nullptr : reports.keep_text(answer.error_message);
    if (answer.record_errors.empty()) {
        outcome.error_message = partition_text;
        return;
    }
    // As the Java producer does, the records the broker did not name fail
    // with a text of the client's: they were refused for another's sake.
    outcome.error_message = "not written: the broker refused another record of its batch";
    for (const auto &error : answer.record_errors)
        outcome.record_errors.push_back(
            {error.batch_index,
             error.message.empty() ? partition_text : reports.keep_text(error.message)});
}

}  // namespace kprod::client
