/*
 * threaded: several threads send through one shared producer while another
 * thread takes the delivery reports.
 *
 *   cc -std=c99 -pthread threaded.c -o threaded $(pkg-config --cflags --libs kprod)
 *   ./threaded 127.0.0.1:9092 my-topic 4 25000
 *
 * kprod_send is safe from any number of threads, and kprod_poll_reports from
 * any thread, so one producer serves the whole program: it batches the records
 * of all threads together. Uses only the public header.
 */
#include <kprod.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 64

struct sender {
    pthread_t thread;
    int id;
    kprod_t *producer;
    const char *topic;
    long count;
    long sent; /* records kprod_send accepted: each gets one report */
};

/* The counts the reporting thread keeps; it is the only thread that touches them. */
struct reporter {
    pthread_t thread;
    kprod_t *producer;
    long delivered;
    long failed;
    long per_sender[MAX_THREADS];
};

/* Shared between main() and the reporter: how many reports to wait for. */
static pthread_mutex_t expected_lock = PTHREAD_MUTEX_INITIALIZER;
static long expected_reports = -1; /* -1 until every sender is done */

static void *send_records(void *arg) {
    struct sender *sender = arg;
    for (long i = 0; i < sender->count; i++) {
        char value[64];
        int value_len = snprintf(value, sizeof value, "thread %d record %ld", sender->id, i);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = sender->topic;
        msg.value = value;
        msg.value_len = (size_t)value_len;
        msg.opaque = (void *)(intptr_t)sender->id; /* which thread sent it */
        kprod_err_t err = kprod_send(sender->producer, &msg);
        if (err != KPROD_OK) {
            fprintf(stderr, "thread %d: send: %s\n", sender->id, kprod_err_str(err));
            break;
        }
        sender->sent++;
    }
    return NULL;
}

static long reports_to_wait_for(void) {
    pthread_mutex_lock(&expected_lock);
    long expected = expected_reports;
    pthread_mutex_unlock(&expected_lock);
    return expected;
}

static void *take_reports(void *arg) {
    struct reporter *reporter = arg;
    kprod_report_t reports[256];
    for (;;) {
        long expected = reports_to_wait_for();
        /* Done when every report arrived (or, defensively, none is outstanding). */
        if (expected >= 0 && (reporter->delivered + reporter->failed >= expected ||
                              kprod_outstanding(reporter->producer) == 0))
            return NULL;
        size_t n = kprod_poll_reports(reporter->producer, reports, 256, sizeof reports[0], 100);
        for (size_t i = 0; i < n; i++) {
            if (reports[i].err == KPROD_OK) {
                reporter->delivered++;
                reporter->per_sender[(intptr_t)reports[i].opaque]++;
            } else if (reporter->failed++ < 5) {
                fprintf(stderr, "record failed: %s\n", kprod_err_str(reports[i].err));
            }
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC THREADS RECORDS_PER_THREAD\n", argv[0]);
        return 2;
    }
    int threads = atoi(argv[3]);
    long per_thread = atol(argv[4]);
    if (threads < 1 || threads > MAX_THREADS) {
        fprintf(stderr, "THREADS must be 1..%d\n", MAX_THREADS);
        return 2;
    }

    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    if (kprod_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != KPROD_OK) {
        fprintf(stderr, "%s\n", errstr);
        kprod_conf_destroy(conf);
        return 1;
    }
    /* No report callback: reports wait for kprod_poll_reports. */
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr); /* takes conf */
    if (!producer) {
        fprintf(stderr, "%s\n", errstr);
        return 1;
    }

    static struct reporter reporter;
    reporter.producer = producer;
    pthread_create(&reporter.thread, NULL, take_reports, &reporter);

    struct sender senders[MAX_THREADS];
    for (int t = 0; t < threads; t++) {
        senders[t].id = t;
        senders[t].producer = producer;
        senders[t].topic = argv[2];
        senders[t].count = per_thread;
        senders[t].sent = 0;
        pthread_create(&senders[t].thread, NULL, send_records, &senders[t]);
    }
    long sent = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(senders[t].thread, NULL);
        sent += senders[t].sent;
    }
    pthread_mutex_lock(&expected_lock);
    expected_reports = sent;
    pthread_mutex_unlock(&expected_lock);

    kprod_err_t err = kprod_flush(producer, 30000); /* every report is ready after this */
    pthread_join(reporter.thread, NULL);
    kprod_destroy(producer);

    for (int t = 0; t < threads; t++)
        printf("  thread %d: %ld sent, %ld delivered\n", t, senders[t].sent,
               reporter.per_sender[t]);
    printf("%ld delivered, %ld failed%s\n", reporter.delivered, reporter.failed,
           err == KPROD_OK ? "" : " (flush timed out)");
    return reporter.delivered == (long)threads * per_thread ? 0 : 1;
}
