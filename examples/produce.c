/*
 * produce: send N records to a topic and print where each batch of them landed.
 *
 *   cc produce.c -o produce $(pkg-config --cflags --libs kprod)
 *   ./produce 127.0.0.1:9092 my-topic 100000
 *
 * Uses only the public header, and takes delivery reports through the report
 * callback served by kprod_poll and kprod_flush.
 */
#include <kprod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tally {
    long delivered;
    long failed;
    long per_partition[64];
};

static void on_report(const kprod_report_t *report, void *opaque) {
    struct tally *tally = opaque;
    if (report->err != KPROD_OK) {
        if (tally->failed++ < 5)
            fprintf(stderr, "record %ld failed: %s (broker error %d)\n",
                    (long)(intptr_t)report->opaque, kprod_err_str(report->err),
                    report->broker_error);
        return;
    }
    tally->delivered++;
    if (report->partition >= 0 && report->partition < 64) tally->per_partition[report->partition]++;
    if ((intptr_t)report->opaque < 3)
        printf("record %ld delivered to %s [%d] at offset %lld\n", (long)(intptr_t)report->opaque,
               report->topic, report->partition, (long long)report->offset);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC COUNT [property=value ...]\n", argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    long count = atol(argv[3]);
    char errstr[512];
    struct tally tally;
    memset(&tally, 0, sizeof tally);

    kprod_conf_t *conf = kprod_conf_new();
    if (kprod_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != KPROD_OK) {
        fprintf(stderr, "%s\n", errstr);
        kprod_conf_destroy(conf);
        return 1;
    }
    for (int i = 4; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) {
            fprintf(stderr, "expected property=value, got %s\n", argv[i]);
            kprod_conf_destroy(conf);
            return 2;
        }
        *eq = '\0';
        if (kprod_conf_set(conf, argv[i], eq + 1, errstr, sizeof errstr) != KPROD_OK) {
            fprintf(stderr, "%s\n", errstr);
            kprod_conf_destroy(conf);
            return 1;
        }
    }
    kprod_conf_set_report_cb(conf, on_report, &tally);
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr); /* takes conf */
    if (!producer) {
        fprintf(stderr, "%s\n", errstr);
        return 1;
    }

    for (long i = 0; i < count; i++) {
        char key[32], value[64];
        int key_len = snprintf(key, sizeof key, "key-%ld", i);
        int value_len = snprintf(value, sizeof value, "hello from kprod, record %ld", i);
        kprod_header_t header = {"source", 6, "examples/produce.c", 18};
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic;
        msg.key = key;
        msg.key_len = (size_t)key_len;
        msg.value = value;
        msg.value_len = (size_t)value_len;
        msg.headers = &header;
        msg.header_count = 1;
        msg.opaque = (void *)(intptr_t)i;
        kprod_err_t err = kprod_send(producer, &msg);
        if (err != KPROD_OK) {
            fprintf(stderr, "send %ld: %s\n", i, kprod_err_str(err));
            break;
        }
        if (i % 10000 == 0) kprod_poll(producer, 0); /* serve reports as we go */
    }

    kprod_err_t err = kprod_flush(producer, 30000); /* also serves the reports */
    kprod_destroy(producer);
    printf("%ld delivered, %ld failed%s\n", tally.delivered, tally.failed,
           err == KPROD_OK ? "" : " (flush timed out)");
    for (int p = 0; p < 64; p++)
        if (tally.per_partition[p])
            printf("  partition %d: %ld records\n", p, tally.per_partition[p]);
    return tally.delivered == count ? 0 : 1;
}
