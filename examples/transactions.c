/*
 * transactions: send records in transactions of BATCH records each, and
 * handle every error class as a transactional program should.
 *
 *   cc transactions.c -o transactions $(pkg-config --cflags --libs kprod)
 *   ./transactions 127.0.0.1:9092 my-topic my-app-1 10 1000
 *
 * Nothing is consumed here: a real program would read its input, and send
 * the input's offsets with kprod_send_offsets_to_transaction before the
 * commit, so that output and progress commit together. Every transaction
 * either commits whole or is aborted and sent again: a read_committed
 * consumer sees each record exactly once.
 */
#include <kprod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sends transaction number txn's records. KPROD_OK, or the first error. */
static kprod_err_t send_records(kprod_t *p, const char *topic, long txn, long count) {
    for (long i = 0; i < count; ++i) {
        char value[64];
        snprintf(value, sizeof value, "transaction %ld record %ld", txn, i);
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic;
        msg.value = value;
        msg.value_len = strlen(value);
        kprod_err_t err = kprod_send(p, &msg);
        if (err != KPROD_OK) return err;
    }
    return KPROD_OK;
}

/* One transaction, from begin to a settled outcome. Returns 1 when it
 * committed, 0 when it was aborted (send it again), -1 when the producer is
 * unusable. */
static int run_transaction(kprod_t *p, const char *topic, long txn, long count) {
    char errstr[512];
    kprod_err_t err = kprod_begin_transaction(p, errstr, sizeof errstr);
    if (err != KPROD_OK) {
        fprintf(stderr, "begin: %s\n", errstr);
        return -1;
    }
    err = send_records(p, topic, txn, count);
    if (err == KPROD_OK) {
        /* A commit that times out is still under way: asking again returns its outcome. */
        do {
            err = kprod_commit_transaction(p, 30000, errstr, sizeof errstr);
        } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
        if (err == KPROD_OK) return 1;
    }
    if (kprod_txn_error_class(err) == KPROD_TXN_ERROR_FATAL) {
        fprintf(stderr, "transaction %ld: %s: %s\n", txn, kprod_err_name(err), errstr);
        return -1;
    }
    /* Abortable (or a send refused): abort, and the caller sends it again. */
    fprintf(stderr, "transaction %ld aborted: %s\n", txn, kprod_err_name(err));
    do {
        err = kprod_abort_transaction(p, 30000, errstr, sizeof errstr);
    } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
    if (err != KPROD_OK) {
        fprintf(stderr, "abort: %s\n", errstr);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC TRANSACTIONAL_ID TRANSACTIONS RECORDS\n",
                argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    const long transactions = atol(argv[4]), records = atol(argv[5]);
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    if (kprod_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != KPROD_OK ||
        kprod_conf_set(conf, "transactional.id", argv[3], errstr, sizeof errstr) != KPROD_OK) {
        fprintf(stderr, "%s\n", errstr);
        kprod_conf_destroy(conf);
        return 1;
    }
    kprod_t *p = kprod_new(conf, errstr, sizeof errstr);
    if (!p) {
        fprintf(stderr, "%s\n", errstr);
        return 1;
    }
    /* Fences any earlier instance with this transactional.id and aborts what it left open. */
    kprod_err_t err;
    do {
        err = kprod_init_transactions(p, 30000, errstr, sizeof errstr);
    } while (kprod_txn_error_class(err) == KPROD_TXN_ERROR_RETRIABLE);
    if (err != KPROD_OK) {
        fprintf(stderr, "init: %s\n", errstr);
        kprod_destroy(p);
        return 1;
    }
    long committed = 0;
    for (long txn = 0; txn < transactions;) {
        const int outcome = run_transaction(p, topic, txn, records);
        if (outcome < 0) break;
        if (outcome > 0) {
            ++committed;
            ++txn;
        }
    }
    printf("%ld transactions of %ld records committed\n", committed, records);
    kprod_destroy(p);
    return committed == transactions ? 0 : 1;
}
