// The send path's first steps: interceptors' on_send chaining and error
// handling, and the order in which the partition is chosen (explicit
// partition > custom partitioner > key hash > sticky), as in the Java producer.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/logger.h"
#include "producer/message_routing.h"
#include "accumulator/partitioner.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

using namespace kprod::client;
using kprod::client::partition_for_key;
using kprod::client::StickyPartitioner;

namespace {

// Collects what the logger says.
struct LogLines {
    std::vector<std::string> lines;
    static void collect(kprod_log_level_t level, const char *context, const char *message,
                        void *opaque) {
        static_cast<LogLines *>(opaque)->lines.push_back(std::to_string(level) + " " + context +
                                                         ": " + message);
    }
};

kprod_message_t message_with_key(const char *key) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    msg.topic = "orders";
    msg.key = key;
    msg.key_len = key ? std::strlen(key) : 0;
    msg.value = "v";
    msg.value_len = 1;
    return msg;
}

int32_t always_two(const kprod_message_t *, int32_t, void *calls) {
    ++*static_cast<int *>(calls);
    return 2;
}

int32_t out_of_range(const kprod_message_t *, int32_t count, void *) {
    return count;
}

// Routes by the value of the header "route".
int32_t by_header(const kprod_message_t *msg, int32_t count, void *) {
    for (size_t i = 0; i < msg->header_count; ++i)
        if (std::strcmp(msg->headers[i].name, "route") == 0)
            return static_cast<int32_t>(static_cast<const char *>(msg->headers[i].value)[0] - '0') %
                   count;
    return 0;
}

struct Fixture {
    LogLines log;
    Logger logger{{&LogLines::collect, &log}, "test-client", 0};
    StickyPartitioner sticky{16384};
    PartitionRules rules(PartitionerCallback custom = {}, bool ignore_keys = false) {
        return {custom, ignore_keys, &sticky, &logger};
    }
};

void test_named_partition_wins_over_everything(void **) {
    Fixture f;
    int calls = 0;
    kprod_message_t msg = message_with_key("k");
    msg.partition = 5;
    int32_t partition = -1;
    assert_int_equal(choose_partition(f.rules({always_two, &calls}), msg, 6, partition), KPROD_OK);
    assert_int_equal(partition, 5);
    assert_int_equal(calls, 0);  // not asked
    assert_int_equal(choose_partition(f.rules(), msg, 5, partition), KPROD_ERR_UNKNOWN_PARTITION);
}

void test_custom_partitioner_before_the_key_hash(void **) {
    Fixture f;
    int calls = 0;
    const kprod_message_t msg = message_with_key("k");
    int32_t partition = -1;
    assert_int_equal(choose_partition(f.rules({always_two, &calls}), msg, 6, partition), KPROD_OK);
    assert_int_equal(partition, 2);
    assert_int_equal(calls, 1);
    assert_false(sticky_chose(f.rules({always_two, &calls}), msg));
}

void test_custom_partitioner_sees_headers(void **) {
    Fixture f;
    kprod_message_t msg = message_with_key(nullptr);
    const kprod_header_t headers[] = {{"other", 5, "9", 1}, {"route", 5, "4", 1}};
    msg.headers = headers;
    msg.header_count = 2;
    int32_t partition = -1;
    assert_int_equal(choose_partition(f.rules({by_header, nullptr}), msg, 6, partition), KPROD_OK);
    assert_int_equal(partition, 4);
}

void test_custom_answer_out_of_range_fails_clearly(void **) {
    Fixture f;
    int32_t partition = -1;
    assert_int_equal(
        choose_partition(f.rules({out_of_range, nullptr}), message_with_key("k"), 3, partition),
        KPROD_ERR_PARTITIONER);
    assert_int_equal(f.log.lines.size(), 1);
    assert_string_equal(f.log.lines[0].c_str(),
                        "4 test-client: the partitioner answered partition 3 for topic orders, "
                        "which has 3 partitions");
}

void test_key_hash_then_sticky(void **) {
    Fixture f;
    int32_t partition = -1;
    // murmur2("k") as Java computes it, modulo 6 (see test_partitioner's vectors).
    assert_int_equal(choose_partition(f.rules(), message_with_key("k"), 6, partition), KPROD_OK);
    assert_int_equal(partition, partition_for_key("k", 1, 6));
    assert_false(sticky_chose(f.rules(), message_with_key("k")));

    const kprod_message_t keyless = message_with_key(nullptr);
    int32_t first = -1, second = -1;
    assert_int_equal(choose_partition(f.rules(), keyless, 6, first), KPROD_OK);
    assert_int_equal(choose_partition(f.rules(), keyless, 6, second), KPROD_OK);
    assert_int_equal(first, second);  // sticky until a batch is full
    assert_true(sticky_chose(f.rules(), keyless));

    // partitioner.ignore.keys: keyed records go the sticky way too.
    int32_t ignored = -1;
    assert_int_equal(choose_partition(f.rules({}, true), message_with_key("k"), 6, ignored),
                     KPROD_OK);
    assert_int_equal(ignored, first);
    assert_true(sticky_chose(f.rules({}, true), message_with_key("k")));
}

// ----- interceptors -----------------------------------------------------------

struct Stamp {
    const char *value;
    std::vector<std::string> *seen;  // the value each call saw, in call order
};

kprod_err_t replace_value(kprod_message_t *msg, void *opaque) {
    auto *stamp = static_cast<Stamp *>(opaque);
    stamp->seen->push_back(std::string(static_cast<const char *>(msg->value), msg->value_len));
    msg->value = stamp->value;
    msg->value_len = std::strlen(stamp->value);
    msg->opaque = nullptr;  // ignored: reports go to the sender's opaque
    return KPROD_OK;
}

kprod_err_t fail_after_scribbling(kprod_message_t *msg, void *opaque) {
    static_cast<Stamp *>(opaque)->seen->push_back("failing");
    msg->value = "scribbled";
    msg->value_len = 9;
    return KPROD_ERR_INVALID_ARG;
}

kprod_err_t leave_invalid(kprod_message_t *msg, void *) {
    msg->key = nullptr;
    msg->key_len = 3;  // a length without data
    return KPROD_OK;
}

void test_no_interceptor_passes_the_message_itself(void **) {
    Fixture f;
    const kprod_message_t msg = message_with_key("k");
    kprod_message_t scratch;
    assert_ptr_equal(&run_on_send({}, msg, scratch, f.logger), &msg);
}

void test_interceptors_chain_in_order(void **) {
    Fixture f;
    std::vector<std::string> seen;
    Stamp first{"one", &seen}, second{"two", &seen};
    const std::vector<Interceptor> chain = {{replace_value, nullptr, &first},
                                            {nullptr, nullptr, nullptr},  // on_acknowledgement only
                                            {replace_value, nullptr, &second}};
    kprod_message_t msg = message_with_key("k");
    int token = 0;
    msg.opaque = &token;
    kprod_message_t scratch;
    const kprod_message_t &out = run_on_send(chain, msg, scratch, f.logger);
    assert_int_equal(seen.size(), 2);
    assert_string_equal(seen[0].c_str(), "v");
    assert_string_equal(seen[1].c_str(), "one");
    assert_string_equal(std::string(static_cast<const char *>(out.value), out.value_len).c_str(),
                        "two");
    assert_ptr_equal(out.opaque, &token);
    assert_true(f.log.lines.empty());
}

// As Java: an interceptor that fails is logged and skipped; the next one
// sees the message as it was before it.
void test_failing_interceptor_is_skipped_with_a_warning(void **) {
    Fixture f;
    std::vector<std::string> seen;
    Stamp first{"one", &seen}, failing{"", &seen}, last{"three", &seen};
    const std::vector<Interceptor> chain = {{replace_value, nullptr, &first},
                                            {fail_after_scribbling, nullptr, &failing},
                                            {leave_invalid, nullptr, nullptr},
                                            {replace_value, nullptr, &last}};
    kprod_message_t scratch;
    const kprod_message_t &out = run_on_send(chain, message_with_key("k"), scratch, f.logger);
    assert_int_equal(seen.size(), 3);
    assert_string_equal(seen[2].c_str(), "one");  // not "scribbled"
    assert_string_equal(std::string(static_cast<const char *>(out.value), out.value_len).c_str(),
                        "three");
    assert_int_equal(out.key_len, 1);
    assert_int_equal(f.log.lines.size(), 2);
    assert_string_equal(f.log.lines[0].c_str(),
                        "4 test-client: interceptor 1 on_send for topic orders: invalid argument; "
                        "the message goes on as it was before it");
    assert_string_equal(f.log.lines[1].c_str(),
                        "4 test-client: interceptor 2 on_send for topic orders: left an invalid "
                        "message (key is NULL with key_len 3); the message goes on as it was "
                        "before it");
}

// Every rule kprod_send checks, the first fault found, and its words naming the field.
void test_each_message_fault_names_its_field(void **) {
    const kprod_message_t good = message_with_key("k");
    assert_int_equal(check_message(good).kind, MessageFault::kNone);
    assert_true(valid_message(good));
    assert_true(describe_fault(check_message(good), good).empty());
    kprod_header_t headers[2] = {{"a", 1, "x", 1}, {nullptr, 0, "y", 1}};
    struct Case {
        kprod_message_t msg;
        MessageFault::Kind kind;
        const char *words;
    };
    std::vector<Case> cases;
    auto with = [&](auto change, MessageFault::Kind kind, const char *words) {
        kprod_message_t msg = good;
        change(msg);
        cases.push_back({msg, kind, words});
    };
    with([](kprod_message_t &m) { m.version = 0; }, MessageFault::kVersion,
         "version is 0, not 1 to 2 (start from KPROD_MESSAGE_INIT)");
    with([](kprod_message_t &m) { m.topic = nullptr; }, MessageFault::kNoTopic, "topic is NULL");
    with([](kprod_message_t &m) { m.topic = ""; }, MessageFault::kEmptyTopic, "topic is empty");
    with([](kprod_message_t &m) { m.header_count = 2; }, MessageFault::kNoHeaders,
         "headers is NULL with header_count 2");
    with(
        [&](kprod_message_t &m) {
            m.headers = headers;
            m.header_count = 2;
        },
        MessageFault::kUnnamedHeader, "headers[1].name is NULL");
    with(
        [&](kprod_message_t &m) {
            m.headers = headers;
            m.header_count = 1;
            m.header_size = sizeof(kprod_header_t) - 1;
        },
        MessageFault::kHeaderSize,
        "header_size is 31, less than the 32 bytes of kprod_header_t (0 means those)");
    with([](kprod_message_t &m) { m.partition = -7; }, MessageFault::kPartition,
         "partition is -7 (a partition number, or KPROD_PARTITION_ANY)");
    with([](kprod_message_t &m) { m.key = nullptr; }, MessageFault::kNoKey,
         "key is NULL with key_len 1");
    with([](kprod_message_t &m) { m.value = nullptr; }, MessageFault::kNoValue,
         "value is NULL with value_len 1");
    // Two faults: the first in the order above is named.
    with(
        [](kprod_message_t &m) {
            m.topic = "";
            m.value = nullptr;
        },
        MessageFault::kEmptyTopic, "topic is empty");
    for (const Case &c : cases) {
        const MessageFault fault = check_message(c.msg);
        assert_int_equal(fault.kind, c.kind);
        assert_false(valid_message(c.msg));
        assert_string_equal(describe_fault(fault, c.msg).c_str(), c.words);
    }
}

// Without a log callback only errors and warnings are written (to stderr);
// debug lines only for the categories switched on ("all": every one).
void test_debug_lines_only_for_enabled_categories(void **) {
    LogLines log;
    Logger some({&LogLines::collect, &log}, "c",
                1u << static_cast<uint32_t>(Logger::Category::kBroker));
    some.debug(Logger::Category::kBroker, "broker 1", "connected");
    some.debug(Logger::Category::kProduce, "", "dropped");
    some.info("", "kept");
    assert_int_equal(log.lines.size(), 2);
    assert_string_equal(log.lines[0].c_str(), "7 c broker 1: connected");
    assert_string_equal(log.lines[1].c_str(), "6 c: kept");
    Logger all({&LogLines::collect, &log}, "c",
               1u << static_cast<uint32_t>(Logger::Category::kAll));
    assert_true(all.debug_enabled(Logger::Category::kIdempotence));
    assert_true(all.debug_enabled(Logger::Category::kMetadata));
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_partition_wins_over_everything),
        cmocka_unit_test(test_custom_partitioner_before_the_key_hash),
        cmocka_unit_test(test_custom_partitioner_sees_headers),
        cmocka_unit_test(test_custom_answer_out_of_range_fails_clearly),
        cmocka_unit_test(test_key_hash_then_sticky),
        cmocka_unit_test(test_no_interceptor_passes_the_message_itself),
        cmocka_unit_test(test_interceptors_chain_in_order),
        cmocka_unit_test(test_failing_interceptor_is_skipped_with_a_warning),
        cmocka_unit_test(test_each_message_fault_names_its_field),
        cmocka_unit_test(test_debug_lines_only_for_enabled_categories),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
