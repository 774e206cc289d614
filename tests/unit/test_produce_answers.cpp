// Tests for sender/produce_answers: each batch finds its own answer whatever
// order Kafka answers in, across topics, and a missing answer is null.
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
    return {partition, 0, base_offset, -1, {}, {}};
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

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_answers_found_in_any_order),
        cmocka_unit_test(test_missing_answers_are_null),
        cmocka_unit_test(test_each_response_indexed_afresh),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
