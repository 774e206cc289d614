/*
 * keyed_callbacks: send keyed records and follow each one through its delivery
 * report callback.
 *
 *   cc -std=c99 keyed_callbacks.c -o keyed_callbacks $(pkg-config --cflags --libs kprod)
 *   ./keyed_callbacks 127.0.0.1:9092 my-topic 1000
 *
 * Records with the same key go to the same partition (the Java client's
 * murmur2 choice), so each key's records keep their order. The program gives
 * every record a pointer to its own bookkeeping in msg.opaque, gets it back in
 * the report, and checks that each key landed in exactly one partition.
 * Uses only the public header.
 */
#include <kprod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_COUNT 8

/* What the program knows about one key; a record's opaque points here. */
struct key_state {
    char key[16];
    long sent;
    long delivered;
    int32_t partition; /* -1 until the first report */
    int split;         /* set if a record of this key landed in another partition */
};

struct tally {
    long delivered;
    long failed;
};

/* Runs on the thread that calls kprod_poll or kprod_flush: no locking needed. */
static void on_report(const kprod_report_t *report, void *cb_opaque) {
    struct tally *tally = cb_opaque;
    struct key_state *state = report->opaque;
    if (report->err != KPROD_OK) {
        if (tally->failed++ < 5)
            fprintf(
                stderr, "record of key %s failed: %s (broker error %d, %s)\n", state->key,
                kprod_err_str(report->err), report->broker_error,
                report->persisted == KPROD_NOT_PERSISTED ? "not persisted" : "possibly persisted");
        return;
    }
    tally->delivered++;
    state->delivered++;
    if (state->partition < 0)
        state->partition = report->partition;
    else if (state->partition != report->partition)
        state->split = 1;
}

static kprod_t *new_producer(const char *bootstrap, struct tally *tally) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    if (kprod_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof errstr) != KPROD_OK ||
        kprod_conf_set(conf, "linger.ms", "20", errstr, sizeof errstr) != KPROD_OK) {
        fprintf(stderr, "%s\n", errstr);
        kprod_conf_destroy(conf);
        return NULL;
    }
    kprod_conf_set_report_cb(conf, on_report, tally);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr); /* takes conf */
    if (!producer) fprintf(stderr, "%s\n", errstr);
    return producer;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC [COUNT]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    long count = argc > 3 ? atol(argv[3]) : 1000;
    struct tally tally = {0, 0};
    struct key_state keys[KEY_COUNT];
    for (int k = 0; k < KEY_COUNT; k++) {
        snprintf(keys[k].key, sizeof keys[k].key, "user-%d", k);
        keys[k].sent = keys[k].delivered = 0;
        keys[k].partition = -1;
        keys[k].split = 0;
    }

    kprod_t *producer = new_producer(argv[1], &tally);
    if (!producer) return 1;

    long sent = 0;
    for (long i = 0; i < count; i++) {
        struct key_state *state = &keys[i % KEY_COUNT];
        char value[64];
        int value_len = snprintf(value, sizeof value, "event %ld of %s", state->sent, state->key);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic;
        msg.key = state->key;
        msg.key_len = strlen(state->key);
        msg.value = value;
        msg.value_len = (size_t)value_len;
        msg.opaque = state; /* handed back in this record's report */
        kprod_err_t err = kprod_send(producer, &msg);
        if (err != KPROD_OK) { /* no report follows a refused record */
            fprintf(stderr, "send: %s\n", kprod_err_str(err));
            break;
        }
        state->sent++;
        sent++;
        kprod_poll(producer, 0); /* serve the reports that are ready, without waiting */
    }

    if (kprod_flush(producer, 30000) != KPROD_OK) fprintf(stderr, "flush timed out\n");
    kprod_destroy(producer); /* serves any report left to the callback */

    int split_keys = 0;
    for (int k = 0; k < KEY_COUNT; k++) {
        printf("  key %s: %ld sent, %ld delivered, partition %d%s\n", keys[k].key, keys[k].sent,
               keys[k].delivered, keys[k].partition, keys[k].split ? " (and others!)" : "");
        split_keys += keys[k].split;
    }
    printf("%ld delivered, %ld failed\n", tally.delivered, tally.failed);
    return tally.delivered == sent && sent == count && split_keys == 0 ? 0 : 1;
}
