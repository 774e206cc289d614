// Tests for net/metadata_cache: a leader hint (KIP-951) moves a partition
// only to a newer leader epoch, and adds the leader's address.
#include <string>

#include "net/metadata_cache.h"

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

using kprod::net::MetadataCache;
using kprod::net::PartitionLeader;
using kprod::net::TopicMetadata;

MetadataCache cache_with_orders() {
    MetadataCache cache;
    cache.set_brokers({{1, {"h1", 9092}}, {2, {"h2", 9092}}});
    TopicMetadata orders;
    orders.partitions = {{1, 5}, {2, 3}};
    cache.set_topic("orders", orders);
    return cache;
}

void test_newer_epoch_moves_the_partition(void **) {
    MetadataCache cache = cache_with_orders();
    assert_true(cache.move_leader("orders", 0, {2, 6}));
    assert_int_equal(cache.leader_of("orders", 0), 2);
    assert_int_equal(cache.topic("orders")->partitions[0].leader_epoch, 6);
    assert_int_equal(cache.leader_of("orders", 1), 2);  // the other partition stays
}

// The cache already knows that leader, or a newer one: the hint is stale.
void test_same_or_older_epoch_is_ignored(void **) {
    MetadataCache cache = cache_with_orders();
    assert_false(cache.move_leader("orders", 0, {2, 5}));
    assert_false(cache.move_leader("orders", 0, {2, 4}));
    assert_int_equal(cache.leader_of("orders", 0), 1);
}

void test_unknown_topic_or_partition_is_ignored(void **) {
    MetadataCache cache = cache_with_orders();
    assert_false(cache.move_leader("clicks", 0, {2, 9}));
    assert_false(cache.move_leader("orders", 2, {2, 9}));
    assert_false(cache.move_leader("orders", -1, {2, 9}));
    assert_null(cache.topic("clicks"));
}

// NodeEndpoints: a broker the metadata did not list yet becomes reachable.
void test_set_broker_adds_or_updates_an_address(void **) {
    MetadataCache cache = cache_with_orders();
    cache.set_broker(3, {"h3", 9093});
    cache.set_broker(1, {"h1-new", 9094});
    assert_string_equal(cache.broker(3)->host.c_str(), "h3");
    assert_int_equal(cache.broker(3)->port, 9093);
    assert_string_equal(cache.broker(1)->host.c_str(), "h1-new");
    assert_int_equal(cache.brokers().size(), 3);
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_newer_epoch_moves_the_partition),
        cmocka_unit_test(test_same_or_older_epoch_is_ignored),
        cmocka_unit_test(test_unknown_topic_or_partition_is_ignored),
        cmocka_unit_test(test_set_broker_adds_or_updates_an_address),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
