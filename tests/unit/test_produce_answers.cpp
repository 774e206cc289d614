// Tests for sender/produce_answers: each batch finds its own answer whatever
// order Kafka answers in, across topics, and a missing answer is null.
#include <cstring>
#include <string>
#include <vector>

#include "sender/produce_answers.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::ProduceAnswers;
using kprod::protocol::ProduceResponse;

ProduceResponse::Partition answer(int32_t partition, int64_t base_offset) {
    return {partition, 0, base_offset, -1, {}, {}, {}};
}

// Partitions in descending order, topics in the reverse of the request's.
void test_answers_found_in_any_order(void **) {
    ProduceResponse response;
    response.topics.push_back({"orders", {answer(999, 9990), answer(3, 30), answer(0, 0)}});
    response.topics.push_back({"clicks", {answer(7, 70), answer(1, 10)}});
    ProduceAnswers answers;
    answers.index(response);
    assert_int_equal(answers.find("clicks", 1)->base_offset, 10);
    assert_int_equal(answers.find("orders", 0)->base_offset, 0);
    assert_int_equal(answers.find("orders", 999)->base_offset, 9990);
    assert_int_equal(answers.find("clicks", 7)->base_offset, 70);
    assert_int_equal(answers.find("orders", 3)->base_offset, 30);
}

void test_missing_answers_are_null(void **) {
    ProduceResponse response;
    response.topics.push_back({"orders", {answer(2, 20)}});
    ProduceAnswers answers;
    answers.index(response);
    assert_null(answers.find("orders", 1));    // below the highest answered
    assert_null(answers.find("orders", 5));    // above it
    assert_null(answers.find("payments", 2));  // a topic not answered
    assert_null(answers.find("orders", -1));
    assert_non_null(answers.find("orders", 2));
}

// The index holds nothing of an earlier response (whose bytes are gone).
void test_each_response_indexed_afresh(void **) {
    ProduceAnswers answers;
    {
        ProduceResponse first;
        first.topics.push_back({"orders", {answer(0, 100)}});
        answers.index(first);
        assert_int_equal(answers.find("orders", 0)->base_offset, 100);
    }
    ProduceResponse second;
    second.topics.push_back({"clicks", {answer(0, 5)}});
    answers.index(second);
    assert_null(answers.find("orders", 0));
    assert_int_equal(answers.find("clicks", 0)->base_offset, 5);
}

// KIP-467: a named record gets its own text, or the partition's when it has
// none; the others a text of kprod's. Without named records, every record
// gets the partition's text, or none.
void test_broker_texts_go_to_the_records_they_name(void **) {
    kprod::client::DeliveryReports reports;
    ProduceResponse::Partition refused = answer(0, -1);
    refused.error_code = 87;
    refused.error_message = "batch text";
    refused.record_errors = {{2, "own text"}, {4, ""}};
    kprod::client::BatchOutcome outcome;
    kprod::client::add_broker_texts(refused, reports, outcome);
    assert_non_null(std::strstr(outcome.error_message, "another record"));
    assert_int_equal(outcome.record_errors.size(), 2);
    assert_int_equal(outcome.record_errors[0].batch_index, 2);
    assert_string_equal(outcome.record_errors[0].message, "own text");
    assert_int_equal(outcome.record_errors[1].batch_index, 4);
    assert_string_equal(outcome.record_errors[1].message, "batch text");

    refused.record_errors.clear();
    kprod::client::BatchOutcome whole;
    kprod::client::add_broker_texts(refused, reports, whole);
    assert_string_equal(whole.error_message, "batch text");
    assert_true(whole.record_errors.empty());

    refused.error_message = {};
    kprod::client::BatchOutcome silent;
    kprod::client::add_broker_texts(refused, reports, silent);
    assert_null(silent.error_message);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_found_in_any_order),
        cmocka_unit_test(test_missing_answers_are_null),
        cmocka_unit_test(test_each_response_indexed_afresh),
        cmocka_unit_test(test_broker_texts_go_to_the_records_they_name),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
