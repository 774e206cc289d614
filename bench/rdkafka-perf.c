/*
 * rdkafka-perf: the librdkafka peer of tools/kprod-perf.cpp, for bench/run only.
 *
 * Same options, same progress lines every 5 s and the same final summary as Kafka's
 * kafka-producer-perf-test and kprod-perf, so that all three clients are driven alike.
 * Built against Debian's librdkafka-dev; libkprod never links librdkafka.
 *
 * Payloads, keys, statistics and throttling are kprod-perf's, line for line.
 *
 * How it uses librdkafka, the fastest way its API offers:
 *   - rd_kafka_produce() on a topic handle made once, RD_KAFKA_MSG_F_COPY (kprod_send and
 *     the Java producer copy too), RD_KAFKA_PARTITION_UA (the configured partitioner);
 *   - delivery reports through dr_msg_cb, served by rd_kafka_poll() on a dedicated thread,
 *     as kprod-perf takes kprod's reports on its own thread;
 *   - when librdkafka's queue is full (queue.buffering.max.messages/kbytes), the sending
 *     thread waits for the report thread to serve reports, as KafkaProducer.send and
 *     kprod_send block for buffer memory.
 * Latency: from just before rd_kafka_produce() to the report's callback; the send time and
 * the value's size travel in the message's opaque.
 *
 * Extra options (also in kprod-perf): --random-keys N, --check-props, --threads N (N sending
 * threads share the producer and the records), --topics N (record i to TOPIC-(i mod N)), and
 * the CPU time per thread at the end (librdkafka names its threads rdk:main, rdk:brokerN).
 *
 * Transactions (issue 25), as kprod-perf's: --transactional-id ID --transaction-records N inits
 * once (rd_kafka_init_transactions), then begins, sends N records and commits
 * (rd_kafka_commit_transaction, which flushes first), timing each commit from its call to its
 * return, and prints kprod-perf's "Transactions:" line. rd_kafka_commit_transaction serves
 * delivery reports on the committing thread while the report thread serves them too, so in this
 * mode on_delivery takes a mutex.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define NANOS_PER_MILLI 1000000LL
#define REPORTING_INTERVAL_MS 5000LL /* ProducerPerformance.Stats.reportingInterval */
#define MAX_LATENCY_SAMPLES 500000LL /* ProducerPerformance keeps at most this many */
#define MIN_SLEEP_NS (2 * NANOS_PER_MILLI)
#define SIZE_BITS 24 /* opaque: sent_us << 24 | value_len */
#define MAX_SIZE ((1ULL << SIZE_BITS) - 1)

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("rdkafka-perf: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    exit(1);
}

/* ------------------------------------------------------------------------
 * Options */

struct property {
    char *name, *value;
};

struct options {
    const char *topic;
    int64_t num_records;
    int64_t record_size;
    const char *payload_file;
    const char *payload_delimiter;
    double throughput;
    int throughput_given;
    struct property *props;
    size_t prop_count;
    const char *producer_config_file;
    uint64_t random_keys;
    int check_props;
    int64_t threads;
    int64_t topics;
    const char *transactional_id; /* --transactional-id: sets transactional.id */
    int64_t transaction_records;  /* --transaction-records: 0 unless transactional */
};

static void print_usage(FILE *out) {
    fputs(
        "usage: rdkafka-perf --topic TOPIC --num-records N\n"
        "                    (--record-size BYTES | --payload-file FILE)\n"
        "                    --throughput RECORDS_PER_SEC (-1: unlimited)\n"
        "                    (--producer-props NAME=VALUE ... | --producer.config FILE)\n"
        "                    [--payload-delimiter DELIM] [--random-keys N] [--check-props]\n"
        "                    [--threads N] [--topics N]\n"
        "                    [--transactional-id ID] [--transaction-records N]\n"
        "       rdkafka-perf --version\n"
        "\n"
        "The options of Kafka's kafka-producer-perf-test and of kprod-perf; properties are\n"
        "librdkafka's (it accepts the Java names linger.ms, batch.size, acks, ...).\n"
        "  --threads N  N threads send, sharing the producer, the records (split evenly)\n"
        "               and the throughput (each throttles to its share)\n"
        "  --topics N   spread the records round robin over TOPIC-0 .. TOPIC-(N-1)\n"
        "  --transactional-id ID  set transactional.id (also possible as a property)\n"
        "  --transaction-records N  with a transactional.id: init once, then begin, send N\n"
        "               records, commit, until every record is sent; one more line gives\n"
        "               the commits' latency (call to return), in microseconds\n"
        "At the end, CPU seconds per thread: \"threads: app=S other=S\" and\n"
        "\"thread cpu: NAME=S ... rest=S total=S\".\n",
        out);
}

static int64_t parse_integer(const char *option, const char *text) {
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0')
        die("%s: expected an integer, got \"%s\"", option, text);
    return value;
}

static void add_property(struct options *options, const char *text) {
    const char *equals = strchr(text, '=');
    if (!equals || equals == text) die("Invalid property: %s", text);
    options->props = realloc(options->props, (options->prop_count + 1) * sizeof *options->props);
    if (!options->props) die("out of memory");
    options->props[options->prop_count].name = strndup(text, (size_t)(equals - text));
    options->props[options->prop_count].value = strdup(equals + 1);
    options->prop_count++;
}

static void read_producer_config(const char *path, struct options *options) {
    FILE *in = fopen(path, "r");
    if (!in) die("cannot read --producer.config %s", path);
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    while ((length = getline(&line, &capacity, in)) >= 0) {
        while (length > 0 && (line[length - 1] == '\n' || line[length - 1] == '\r'))
            line[--length] = '\0';
        const char *start = line + strspn(line, " \t");
        if (*start == '\0' || *start == '#' || *start == '!') continue;
        add_property(options, start);
    }
    free(line);
    fclose(in);
}

static void parse_options(int argc, char **argv, struct options *options) {
    memset(options, 0, sizeof *options);
    options->num_records = -1;
    options->record_size = -1;
    options->payload_delimiter = "\n";
    options->threads = 1;
    options->topics = 1;
    struct options from_file = {0};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
#define VALUE() (i + 1 < argc ? argv[++i] : (die("%s needs a value", arg), ""))
        if (!strcmp(arg, "--topic")) {
            options->topic = VALUE();
        } else if (!strcmp(arg, "--num-records")) {
            options->num_records = parse_integer(arg, VALUE());
        } else if (!strcmp(arg, "--record-size")) {
            options->record_size = parse_integer(arg, VALUE());
        } else if (!strcmp(arg, "--payload-file")) {
            options->payload_file = VALUE();
        } else if (!strcmp(arg, "--payload-delimiter")) {
            options->payload_delimiter = VALUE();
            if (!strcmp(options->payload_delimiter, "\\n")) options->payload_delimiter = "\n";
        } else if (!strcmp(arg, "--throughput")) {
            const char *text = VALUE();
            char *end;
            options->throughput = strtod(text, &end);
            if (end == text || *end) die("--throughput: expected a number, got \"%s\"", text);
            options->throughput_given = 1;
        } else if (!strcmp(arg, "--producer-props")) {
            int taken = 0;
            while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
                add_property(options, argv[++i]);
                taken++;
            }
            if (!taken) die("--producer-props needs at least one NAME=VALUE");
        } else if (!strcmp(arg, "--producer.config")) {
            options->producer_config_file = VALUE();
        } else if (!strcmp(arg, "--random-keys")) {
            int64_t keys = parse_integer(arg, VALUE());
            if (keys <= 0) die("--random-keys should be greater than zero");
            options->random_keys = (uint64_t)keys;
        } else if (!strcmp(arg, "--check-props")) {
            options->check_props = 1;
        } else if (!strcmp(arg, "--threads")) {
            options->threads = parse_integer(arg, VALUE());
            if (options->threads <= 0 || options->threads > 1024)
                die("--threads should be between 1 and 1024");
        } else if (!strcmp(arg, "--topics")) {
            options->topics = parse_integer(arg, VALUE());
            if (options->topics <= 0) die("--topics should be greater than zero");
        } else if (!strcmp(arg, "--transactional-id")) {
            options->transactional_id = VALUE();
        } else if (!strcmp(arg, "--transaction-records")) {
            options->transaction_records = parse_integer(arg, VALUE());
            if (options->transaction_records <= 0)
                die("--transaction-records should be greater than zero");
        } else if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            print_usage(stdout);
            exit(0);
        } else if (!strcmp(arg, "--version")) {
            printf("rdkafka-perf (librdkafka %s)\n", rd_kafka_version_str());
            exit(0);
        } else {
            print_usage(stderr);
            die("unknown option %s", arg);
        }
#undef VALUE
    }
    /* --producer-props take precedence over --producer.config: set the file's first. */
    if (options->producer_config_file) {
        read_producer_config(options->producer_config_file, &from_file);
        for (size_t i = 0; i < options->prop_count; i++) {
            char text[4096];
            snprintf(text, sizeof text, "%s=%s", options->props[i].name, options->props[i].value);
            add_property(&from_file, text);
        }
        options->props = from_file.props;
        options->prop_count = from_file.prop_count;
    }
    if (options->transactional_id) {
        char text[4096];
        snprintf(text, sizeof text, "transactional.id=%s", options->transactional_id);
        add_property(options, text);
    }
    if (options->prop_count == 0)
        die("Either --producer-props or --producer.config must be specified.");
    if (options->check_props) return;
    int transactional = 0;
    for (size_t i = 0; i < options->prop_count; i++)
        transactional |= !strcmp(options->props[i].name, "transactional.id");
    if (transactional != (options->transaction_records > 0))
        die("--transaction-records and a transactional.id go together");
    if (transactional && options->threads != 1)
        die("--transaction-records: one sending thread only (transactional calls are serialised)");
    if (!options->topic) die("--topic is required");
    if (options->num_records <= 0) die("--num-records should be greater than zero");
    if (!options->throughput_given) die("--throughput is required");
    if ((options->record_size > 0) == (options->payload_file != NULL))
        die("either --record-size or --payload-file must be specified but not both.");
    if (!options->payload_file && options->record_size <= 0)
        die("--record-size should be greater than zero");
    if (options->record_size > (int64_t)MAX_SIZE) die("--record-size: at most 16 MiB");
}

/* ------------------------------------------------------------------------
 * Payloads and keys: the same generator and choices as kprod-perf. */

/* One generator per sending thread; thread 0's goes on from the one that drew the letters. */
struct random {
    uint64_t state;
};

static struct random random_stream(uint64_t stream) {
    struct random random = {0x9E3779B97F4A7C15ULL ^ (stream * 0xBF58476D1CE4E5B9ULL)};
    return random;
}

static uint64_t random_next(struct random *random) { /* xorshift64* */
    random->state ^= random->state >> 12;
    random->state ^= random->state << 25;
    random->state ^= random->state >> 27;
    return random->state * 0x2545F4914F6CDD1DULL;
}

/* With --record-size: random letters A-Z, different for every record (as Java's tool makes
 * them), drawn once into a 16 KiB pool (small enough to stay in the cache, as Java's refilled
 * buffer does); each record starts at a random place in it, so the harness costs one draw
 * per record. With --payload-file: a random payload of the file. */
#define LETTER_POOL (16u << 10)

struct payloads {
    char *letters;
    size_t record_size;
    char **items;
    size_t *item_sizes;
    size_t count;
};

static void read_payload_file(struct payloads *payloads, const char *path, const char *delimiter) {
    FILE *in = fopen(path, "rb");
    if (!in) die("File does not exist or empty file provided.");
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    if (size <= 0) die("File does not exist or empty file provided.");
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, in) != (size_t)size) die("cannot read %s", path);
    text[size] = '\0';
    fclose(in);
    printf("Reading payloads from: %s\n", path);
    const size_t delimiter_len = strlen(delimiter);
    char *start = text, *end_of_text = text + size;
    while (start <= end_of_text) {
        char *end = memmem(start, (size_t)(end_of_text - start), delimiter, delimiter_len);
        if (!end) end = end_of_text;
        if (end > start) {
            payloads->items = realloc(payloads->items, (payloads->count + 1) * sizeof(char *));
            payloads->item_sizes =
                realloc(payloads->item_sizes, (payloads->count + 1) * sizeof(size_t));
            if (!payloads->items || !payloads->item_sizes) die("out of memory");
            if ((size_t)(end - start) > MAX_SIZE) die("a payload in %s is over 16 MiB", path);
            payloads->items[payloads->count] = start;
            payloads->item_sizes[payloads->count] = (size_t)(end - start);
            payloads->count++;
        }
        start = end + delimiter_len;
    }
    if (payloads->count == 0) die("no payloads in %s", path);
    printf("Number of messages read: %zu\n", payloads->count);
}

static const char *next_payload(const struct payloads *payloads, struct random *random,
                                size_t *size) {
    if (payloads->count > 0) {
        size_t pick = (size_t)(random_next(random) % payloads->count);
        *size = payloads->item_sizes[pick];
        return payloads->items[pick];
    }
    *size = payloads->record_size;
    return payloads->letters + random_next(random) % LETTER_POOL;
}

/* ------------------------------------------------------------------------
 * Statistics: ProducerPerformance.Stats, fed by the report thread only. */

struct stats {
    int64_t start_ns, window_start_ns, sampling;
    int32_t *latencies_us; /* 32 bits as kprod-perf and the Java tool keep them */
    size_t latency_count, latency_capacity;
    int64_t iteration, count, bytes, total_latency_us, max_latency_us;
    int64_t window_count, window_bytes, window_total_latency_us, window_max_latency_us;
};

static void stats_init(struct stats *stats, int64_t num_records, int64_t start_ns) {
    memset(stats, 0, sizeof *stats);
    stats->start_ns = stats->window_start_ns = start_ns;
    stats->sampling =
        num_records / (num_records < MAX_LATENCY_SAMPLES ? num_records : MAX_LATENCY_SAMPLES);
    stats->latency_capacity = (size_t)(num_records / stats->sampling + 1);
    stats->latencies_us = malloc(stats->latency_capacity * sizeof(int32_t));
    if (!stats->latencies_us) die("out of memory");
}

static double average_ms(int64_t total_us, int64_t count) {
    return count == 0 ? 0.0 : (double)total_us / 1000.0 / (double)count;
}

static void stats_print_window(const struct stats *stats, int64_t now) {
    double elapsed_ms = (double)(now - stats->window_start_ns) / NANOS_PER_MILLI;
    printf("%" PRId64
           " records sent, %.1f records/sec (%.2f MB/sec), %.1f ms avg latency, "
           "%.1f ms max latency.\n",
           stats->window_count, 1000.0 * (double)stats->window_count / elapsed_ms,
           1000.0 * (double)stats->window_bytes / elapsed_ms / (1024.0 * 1024.0),
           average_ms(stats->window_total_latency_us, stats->window_count),
           (double)(stats->window_max_latency_us / 1000));
    fflush(stdout);
}

static void stats_record(struct stats *stats, int64_t latency_us, size_t bytes, int64_t now) {
    stats->count++;
    stats->bytes += (int64_t)bytes;
    stats->total_latency_us += latency_us;
    if (latency_us > stats->max_latency_us) stats->max_latency_us = latency_us;
    stats->window_count++;
    stats->window_bytes += (int64_t)bytes;
    stats->window_total_latency_us += latency_us;
    if (latency_us > stats->window_max_latency_us) stats->window_max_latency_us = latency_us;
    if (stats->iteration % stats->sampling == 0 && stats->latency_count < stats->latency_capacity)
        stats->latencies_us[stats->latency_count++] = (int32_t)latency_us;
    if (now - stats->window_start_ns >= REPORTING_INTERVAL_MS * NANOS_PER_MILLI) {
        stats_print_window(stats, now);
        stats->window_start_ns = now;
        stats->window_count = stats->window_bytes = 0;
        stats->window_total_latency_us = stats->window_max_latency_us = 0;
    }
    stats->iteration++;
}

static int compare_int32(const void *a, const void *b) {
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int64_t percentile(const struct stats *stats, double fraction) {
    if (stats->latency_count == 0) return 0;
    return stats->latencies_us[(size_t)(fraction * (double)stats->latency_count)];
}

static void stats_print_total(struct stats *stats, int64_t now) {
    double elapsed_ms = (double)(now - stats->start_ns) / NANOS_PER_MILLI;
    qsort(stats->latencies_us, stats->latency_count, sizeof(int32_t), compare_int32);
    int64_t p50 = percentile(stats, 0.5), p95 = percentile(stats, 0.95),
            p99 = percentile(stats, 0.99), p999 = percentile(stats, 0.999);
    printf("%" PRId64
           " records sent, %f records/sec (%.2f MB/sec), %.2f ms avg latency, "
           "%.2f ms max latency, %" PRId64 " ms 50th, %" PRId64 " ms 95th, %" PRId64
           " ms 99th, %" PRId64 " ms 99.9th.\n",
           stats->count, 1000.0 * (double)stats->count / elapsed_ms,
           1000.0 * (double)stats->bytes / elapsed_ms / (1024.0 * 1024.0),
           average_ms(stats->total_latency_us, stats->count),
           (double)(stats->max_latency_us / 1000), p50 / 1000, p95 / 1000, p99 / 1000, p999 / 1000);
    printf("Latency in microseconds: %" PRId64 " 50th, %" PRId64 " 95th, %" PRId64 " 99th, %" PRId64
           " 99.9th, %" PRId64 " max.\n",
           p50, p95, p99, p999, stats->max_latency_us);
}

/* ------------------------------------------------------------------------
 * Throttling: org.apache.kafka.server.util.ThroughputThrottler, step for step. */

struct throttler {
    int64_t start_ms, sleep_time_ns, sleep_deficit_ns;
    double target;
};

static int should_throttle(const struct throttler *t, int64_t amount_so_far,
                           int64_t send_start_ms) {
    if (t->target < 0) return 0;
    float elapsed_sec = (float)(send_start_ms - t->start_ms) / 1000.f;
    return elapsed_sec > 0 && (double)amount_so_far / elapsed_sec > t->target;
}

static void sleep_ns(int64_t ns) {
    struct timespec ts = {ns / 1000000000LL, ns % 1000000000LL};
    nanosleep(&ts, NULL);
}

static void throttle(struct throttler *t) {
    if (t->target == 0) { /* the Java tool waits for a wakeup that never comes */
        for (;;) sleep_ns(3600 * 1000000000LL);
    }
    t->sleep_deficit_ns += t->sleep_time_ns;
    if (t->sleep_deficit_ns < MIN_SLEEP_NS) return;
    int64_t sleep_start = now_ns(), remaining = t->sleep_deficit_ns;
    while (remaining > 0) {
        sleep_ns(remaining);
        remaining = t->sleep_deficit_ns - (now_ns() - sleep_start);
    }
    t->sleep_deficit_ns = 0;
}

/* ------------------------------------------------------------------------
 * CPU time per thread, printed at the end as kprod-perf prints it (tools/thread_cpu.h):
 *   threads: app=A other=O
 *   thread cpu: NAME=S ... rest=R total=T
 * in seconds of user + system time; "app" sums the sending threads. The tool's own threads
 * (perf-send-K, perf-reports, perf-main) report their own getrusage(RUSAGE_THREAD) (sender
 * 0 runs on the main thread, which reports its sending and the rest apart); librdkafka's (rdk:main,
 * rdk:brokerN, ...) are read from /proc/self/task by name: schedstat's run time in nanoseconds, or
 * stat's user and system ticks without it. "rest" is what no thread was seen to spend
 * (rd_kafka_destroy, ended threads). */

#define MAX_OWN_THREADS 1030 /* --threads at most 1024, the report thread, main */
#define MAX_THREAD_NAMES 1100

struct thread_cpu {
    pthread_mutex_t mutex; /* guards the following */
    long own_tids[MAX_OWN_THREADS];
    size_t own_count;
    char names[MAX_THREAD_NAMES][16];
    double seconds[MAX_THREAD_NAMES];
    size_t name_count;
};

static struct thread_cpu thread_cpu = {.mutex = PTHREAD_MUTEX_INITIALIZER};

static double seconds_of(const struct rusage *usage) {
    return (double)(usage->ru_utime.tv_sec + usage->ru_stime.tv_sec) +
           (double)(usage->ru_utime.tv_usec + usage->ru_stime.tv_usec) / 1e6;
}

static void thread_cpu_add(const char *name, double seconds) {
    pthread_mutex_lock(&thread_cpu.mutex);
    size_t i = 0;
    while (i < thread_cpu.name_count && strcmp(thread_cpu.names[i], name) != 0) i++;
    if (i == thread_cpu.name_count && i < MAX_THREAD_NAMES) {
        snprintf(thread_cpu.names[i], sizeof thread_cpu.names[i], "%s", name);
        thread_cpu.seconds[i] = 0;
        thread_cpu.name_count++;
    }
    if (i < MAX_THREAD_NAMES) thread_cpu.seconds[i] += seconds;
    pthread_mutex_unlock(&thread_cpu.mutex);
}

/* Runs on: the thread to name. Keeps it out of the /proc snapshot. */
static void thread_cpu_start(const char *name) {
    pthread_setname_np(pthread_self(), name);
    pthread_mutex_lock(&thread_cpu.mutex);
    if (thread_cpu.own_count < MAX_OWN_THREADS)
        thread_cpu.own_tids[thread_cpu.own_count++] = (long)syscall(SYS_gettid);
    pthread_mutex_unlock(&thread_cpu.mutex);
}

/* The calling thread's CPU time so far. */
static double thread_seconds(void) {
    struct rusage usage;
    getrusage(RUSAGE_THREAD, &usage);
    return seconds_of(&usage);
}

/* Runs on: the named thread, last thing before it ends. */
static void thread_cpu_finish(const char *name) {
    thread_cpu_add(name, thread_seconds());
}

static int thread_cpu_is_own(long tid) {
    pthread_mutex_lock(&thread_cpu.mutex);
    int own = 0;
    for (size_t i = 0; i < thread_cpu.own_count && !own; i++) own = thread_cpu.own_tids[i] == tid;
    pthread_mutex_unlock(&thread_cpu.mutex);
    return own;
}

/* Every live thread not started with thread_cpu_start(), by its name: librdkafka's. */
static void thread_cpu_snapshot_others(void) {
    DIR *tasks = opendir("/proc/self/task");
    if (!tasks) return;
    const double ticks = (double)sysconf(_SC_CLK_TCK);
    struct dirent *entry;
    while ((entry = readdir(tasks)) != NULL) {
        if (entry->d_name[0] == '.' || thread_cpu_is_own(strtol(entry->d_name, NULL, 10))) continue;
        char path[300], stat[1024];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", entry->d_name);
        FILE *in = fopen(path, "r");
        if (!in) continue;
        size_t length = fread(stat, 1, sizeof stat - 1, in);
        fclose(in);
        stat[length] = '\0';
        char *open = strchr(stat, '('), *close = strrchr(stat, ')');
        if (!open || !close || close < open) continue;
        *close = '\0';
        for (char *c = open + 1; *c; c++)
            if (*c == ' ') *c = '_'; /* the line stays NAME=S pairs */
        /* After "(comm)": state is field 3; utime and stime are fields 14 and 15. */
        unsigned long long user = 0, system = 0;
        if (sscanf(close + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &user,
                   &system) != 2)
            continue;
        double seconds = (double)(user + system) / ticks;
        snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", entry->d_name);
        unsigned long long run_ns;
        if ((in = fopen(path, "r")) != NULL) {
            if (fscanf(in, "%llu", &run_ns) == 1) seconds = (double)run_ns / 1e9;
            fclose(in);
        }
        thread_cpu_add(open + 1, seconds);
    }
    closedir(tasks);
}

static void thread_cpu_print(void) {
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    const double total = seconds_of(&usage);
    double app = 0, seen = 0;
    for (size_t i = 0; i < thread_cpu.name_count; i++) {
        if (!strncmp(thread_cpu.names[i], "perf-send-", 10)) app += thread_cpu.seconds[i];
        seen += thread_cpu.seconds[i];
    }
    printf("threads: app=%.3f other=%.3f\n", app, total - app);
    printf("thread cpu: ");
    for (size_t i = 0; i < thread_cpu.name_count; i++)
        printf("%s=%.3f ", thread_cpu.names[i], thread_cpu.seconds[i]);
    printf("rest=%.3f total=%.3f\n", total > seen ? total - seen : 0.0, total);
}

/* ------------------------------------------------------------------------
 * The producer and its report thread */

struct run {
    rd_kafka_t *rk;
    struct stats stats;
    int64_t start_ns;
    int64_t now_ns; /* read once per rd_kafka_poll batch by the report thread */
    int64_t failures;
    /* Written by one thread at a time (the report thread, or in transactional mode any thread
     * under report_mutex), read by the report thread to know when to stop. */
    atomic_llong taken;
    atomic_llong expected;
    /* Transactional mode: rd_kafka_commit_transaction serves reports on the sending thread
     * while the report thread does; this serialises on_delivery. */
    int transactional;
    pthread_mutex_t report_mutex;
    /* The sending thread waits here while librdkafka's queue is full. */
    pthread_mutex_t mutex;
    pthread_cond_t served;
};

static void take_report(struct run *run, const rd_kafka_message_t *message) {
    atomic_store_explicit(&run->taken, atomic_load_explicit(&run->taken, memory_order_relaxed) + 1,
                          memory_order_relaxed);
    uintptr_t tag = (uintptr_t)message->_private;
    if (message->err) { /* only successes count, as in ProducerPerformance.PerfCallback */
        if (run->failures++ < 10)
            fprintf(stderr, "rdkafka-perf: delivery failed: %s\n", rd_kafka_err2str(message->err));
        return;
    }
    /* One clock read per served event batch would be kinder to librdkafka, but its
     * dr_msg_cb gives no batch boundary; a vDSO clock read costs ~20 ns. */
    int64_t now = now_ns();
    int64_t latency_us = (now - run->start_ns) / 1000 - (int64_t)(tag >> SIZE_BITS);
    stats_record(&run->stats, latency_us, tag & MAX_SIZE, now);
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    struct run *run = opaque;
    if (!run->transactional) {
        take_report(run, message);
        return;
    }
    pthread_mutex_lock(&run->report_mutex);
    take_report(run, message);
    pthread_mutex_unlock(&run->report_mutex);
}

static void *report_thread(void *arg) {
    struct run *run = arg;
    thread_cpu_start("perf-reports");
    while (atomic_load_explicit(&run->taken, memory_order_relaxed) < atomic_load(&run->expected)) {
        if (rd_kafka_poll(run->rk, 100) > 0) {
            pthread_mutex_lock(&run->mutex);
            pthread_cond_broadcast(&run->served);
            pthread_mutex_unlock(&run->mutex);
        }
    }
    thread_cpu_finish("perf-reports");
    return NULL;
}

static rd_kafka_conf_t *make_conf(const struct options *options, struct run *run) {
    char error[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    int client_id_set = 0;
    for (size_t i = 0; i < options->prop_count; i++) {
        if (rd_kafka_conf_set(conf, options->props[i].name, options->props[i].value, error,
                              sizeof error) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return (void)printf("refused: %s\n", error), NULL;
        }
        client_id_set |= !strcmp(options->props[i].name, "client.id");
    }
    if (!client_id_set) rd_kafka_conf_set(conf, "client.id", "perf-producer-client", NULL, 0);
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, run);
    return conf;
}

/* ------------------------------------------------------------------------
 * Transactions (--transaction-records N): kprod-perf's tools/perf_transactions.h, line for
 * line. Runs on the one sending thread. */

struct transactions {
    rd_kafka_t *rk;
    int64_t records_each;
    int64_t in_transaction;
    int64_t failed;
    int64_t init_us;
    int64_t *commit_latencies_us;
    size_t commits;
};

static void txn_fail(const char *call, rd_kafka_error_t *error) {
    die("%s: %s: %s", call, rd_kafka_error_name(error), rd_kafka_error_string(error));
}

/* rd_kafka_init_transactions, again while it times out; before the clock starts. */
static void txn_init(struct transactions *txn, int64_t num_records) {
    txn->commit_latencies_us = malloc(
        (size_t)((num_records + txn->records_each - 1) / txn->records_each) * sizeof(int64_t));
    if (!txn->commit_latencies_us) die("out of memory");
    int64_t start = now_ns();
    rd_kafka_error_t *error;
    while ((error = rd_kafka_init_transactions(txn->rk, 30000)) &&
           rd_kafka_error_is_retriable(error))
        rd_kafka_error_destroy(error);
    if (error) txn_fail("rd_kafka_init_transactions", error);
    txn->init_us = (now_ns() - start) / 1000;
}

static void txn_begin(struct transactions *txn) {
    rd_kafka_error_t *error = rd_kafka_begin_transaction(txn->rk);
    if (error) txn_fail("rd_kafka_begin_transaction", error);
    txn->in_transaction = 0;
}

/* A commit that times out is retriable: calling it again waits for the same outcome, so the
 * time counted runs from the first call to the last return. */
static void txn_commit(struct transactions *txn) {
    int64_t start = now_ns();
    rd_kafka_error_t *error;
    while ((error = rd_kafka_commit_transaction(txn->rk, 30000)) &&
           rd_kafka_error_is_retriable(error))
        rd_kafka_error_destroy(error);
    int64_t end = now_ns();
    if (!error) {
        txn->commit_latencies_us[txn->commits++] = (end - start) / 1000;
        return;
    }
    if (!rd_kafka_error_txn_requires_abort(error)) txn_fail("rd_kafka_commit_transaction", error);
    if (txn->failed++ < 10)
        fprintf(stderr, "rdkafka-perf: commit failed, aborting: %s: %s\n",
                rd_kafka_error_name(error), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    while ((error = rd_kafka_abort_transaction(txn->rk, 30000)) &&
           rd_kafka_error_is_retriable(error))
        rd_kafka_error_destroy(error);
    if (error) txn_fail("rd_kafka_abort_transaction", error);
}

/* After each send: commit once the transaction holds records_each records, or when `last`,
 * and begin the next one unless `last`. */
static void txn_after_send(struct transactions *txn, int last) {
    if (++txn->in_transaction < txn->records_each && !last) return;
    txn_commit(txn);
    if (!last) txn_begin(txn);
}

static int compare_int64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void txn_print(struct transactions *txn) {
    int64_t *sorted = txn->commit_latencies_us;
    size_t n = txn->commits;
    qsort(sorted, n, sizeof *sorted, compare_int64);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) total += sorted[i];
#define AT(fraction) (n ? sorted[(size_t)((fraction) * (double)n)] : 0)
    printf("Transactions: %zu committed, %" PRId64 " failed, %" PRId64
           " records each, init_transactions %" PRId64
           " ms. Commit latency in microseconds: %.0f avg, %" PRId64 " 50th, %" PRId64
           " 95th, %" PRId64 " 99th, %" PRId64 " max.\n",
           n, txn->failed, txn->records_each, txn->init_us / 1000,
           n ? (double)total / (double)n : 0.0, AT(0.5), AT(0.95), AT(0.99), n ? sorted[n - 1] : 0);
#undef AT
}

/* Wait until the report thread served some reports (or 10 ms passed). */
static void wait_for_queue_space(struct run *run) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 10 * NANOS_PER_MILLI;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&run->mutex);
    pthread_cond_timedwait(&run->served, &run->mutex, &deadline);
    pthread_mutex_unlock(&run->mutex);
}

/* One sending thread's share of the records: with T threads, thread k sends records k, k + T,
 * k + 2T, ... (record i to topic i mod N), throttled to 1/T of --throughput by a throttler of
 * its own, as ProducerPerformance throttles the whole. */
struct sender {
    struct run *run;
    const struct options *options;
    rd_kafka_topic_t **topics;
    const struct payloads *payloads;
    struct random random;
    int64_t first;
    struct transactions *transactions; /* NULL unless --transaction-records */
    int64_t accepted, refused;         /* read after the thread is joined */
    double cpu_seconds;
    pthread_t thread;
};

static void send_share(struct sender *sender) {
    struct run *run = sender->run;
    const struct options *options = sender->options;
    const double cpu_before = thread_seconds();
    const int64_t step = options->threads;
    const double target =
        options->throughput > 0 ? options->throughput / (double)step : options->throughput;
    struct throttler throttler = {
        .start_ms = run->start_ns / NANOS_PER_MILLI,
        .target = target,
        .sleep_time_ns = target > 0 ? (int64_t)(1e9 / target) : INT64_MAX};
    char key[24];
    int64_t sent = 0;
    if (sender->transactions) txn_begin(sender->transactions);
    for (int64_t i = sender->first; i < options->num_records; i += step, sent++) {
        rd_kafka_topic_t *topic = sender->topics[i % options->topics];
        size_t value_len;
        const char *value = next_payload(sender->payloads, &sender->random, &value_len);
        const char *key_ptr = NULL;
        size_t key_len = 0;
        if (options->random_keys > 0) {
            key_len = (size_t)snprintf(key, sizeof key, "%" PRIu64,
                                       random_next(&sender->random) % options->random_keys);
            key_ptr = key;
        }
        int64_t send_start = now_ns();
        void *tag =
            (void *)(uintptr_t)(((uint64_t)((send_start - run->start_ns) / 1000) << SIZE_BITS) |
                                value_len);
        for (;;) {
            if (rd_kafka_produce(topic, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)value,
                                 value_len, key_ptr, key_len, tag) == 0) {
                sender->accepted++;
                break;
            }
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                wait_for_queue_space(run);
                continue;
            }
            if (sender->refused++ < 10)
                fprintf(stderr, "rdkafka-perf: produce: %s\n", rd_kafka_err2str(err));
            break;
        }
        if (sender->transactions)
            txn_after_send(sender->transactions, i + step >= options->num_records);
        if (should_throttle(&throttler, sent, send_start / NANOS_PER_MILLI)) throttle(&throttler);
    }
    sender->cpu_seconds = thread_seconds() - cpu_before;
    char name[16];
    snprintf(name, sizeof name, "perf-send-%d", (int)sender->first);
    thread_cpu_add(name, sender->cpu_seconds);
}

/* Senders 1 and up; sender 0 is the main thread: bench/count-allocations (malloc-count.c)
 * counts the main thread's allocations as the sending thread's. */
static void *sender_thread(void *arg) {
    struct sender *sender = arg;
    char name[16];
    snprintf(name, sizeof name, "perf-send-%d", (int)sender->first);
    thread_cpu_start(name);
    send_share(sender);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc == 1) {
        print_usage(stdout);
        return 0;
    }
    struct options options;
    parse_options(argc, argv, &options);

    static struct run run;
    pthread_mutex_init(&run.mutex, NULL);
    pthread_cond_init(&run.served, NULL);
    pthread_mutex_init(&run.report_mutex, NULL);
    run.transactional = options.transaction_records > 0;
    atomic_init(&run.expected, INT64_MAX);
    char error[512];
    rd_kafka_conf_t *conf = make_conf(&options, &run);
    if (!conf) return 1;
    run.rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
    if (!run.rk) {
        if (options.check_props) return printf("refused: %s\n", error), 1;
        die("%s", error);
    }
    if (options.check_props) {
        rd_kafka_destroy(run.rk);
        printf("accepted\n");
        return 0;
    }
    thread_cpu_start("perf-main");
    /* TOPIC itself, or with --topics N, TOPIC-0 .. TOPIC-(N-1): one handle each, made once. */
    rd_kafka_topic_t **topics = calloc((size_t)options.topics, sizeof *topics);
    if (!topics) die("out of memory");
    for (int64_t k = 0; k < options.topics; k++) {
        char name[1024];
        if (options.topics == 1)
            snprintf(name, sizeof name, "%s", options.topic);
        else
            snprintf(name, sizeof name, "%s-%" PRId64, options.topic, k);
        topics[k] = rd_kafka_topic_new(run.rk, name, NULL);
        if (!topics[k]) die("rd_kafka_topic_new: %s", rd_kafka_err2str(rd_kafka_last_error()));
    }

    struct random random = random_stream(0);
    struct payloads payloads = {0};
    if (options.payload_file) {
        read_payload_file(&payloads, options.payload_file, options.payload_delimiter);
    } else {
        payloads.record_size = (size_t)options.record_size;
        payloads.letters = malloc(LETTER_POOL + payloads.record_size);
        if (!payloads.letters) die("out of memory");
        for (size_t i = 0; i < LETTER_POOL + payloads.record_size; i++)
            payloads.letters[i] = (char)('A' + random_next(&random) % 26);
    }

    struct transactions transactions = {.rk = run.rk, .records_each = options.transaction_records};
    if (run.transactional) txn_init(&transactions, options.num_records);

    run.start_ns = now_ns();
    stats_init(&run.stats, options.num_records, run.start_ns);
    pthread_t reporter;
    if (pthread_create(&reporter, NULL, report_thread, &run)) die("pthread_create failed");

    struct sender *senders = calloc((size_t)options.threads, sizeof *senders);
    if (!senders) die("out of memory");
    for (int64_t k = 0; k < options.threads; k++) {
        senders[k] = (struct sender){.run = &run,
                                     .options = &options,
                                     .topics = topics,
                                     .payloads = &payloads,
                                     .random = k == 0 ? random : random_stream((uint64_t)k),
                                     .first = k,
                                     .transactions = run.transactional ? &transactions : NULL};
        if (k > 0 && pthread_create(&senders[k].thread, NULL, sender_thread, &senders[k]))
            die("pthread_create failed");
    }
    send_share(&senders[0]);
    int64_t accepted = 0, refused = 0;
    for (int64_t k = 0; k < options.threads; k++) {
        if (k > 0) pthread_join(senders[k].thread, NULL);
        accepted += senders[k].accepted;
        refused += senders[k].refused;
    }

    /* Not rd_kafka_flush(): it would serve reports on this thread too, concurrently with
     * the report thread. linger.ms sends the last batches; the report thread stops when it
     * has taken every report. */
    atomic_store(&run.expected, accepted);
    pthread_join(reporter, NULL);
    thread_cpu_snapshot_others(); /* every record is acknowledged; librdkafka's threads live */
    for (int64_t k = 0; k < options.topics; k++) rd_kafka_topic_destroy(topics[k]);
    rd_kafka_destroy(run.rk);
    int64_t end_ns = now_ns();
    stats_print_total(&run.stats, end_ns);
    if (run.transactional) txn_print(&transactions);
    thread_cpu_add("perf-main", thread_seconds() - senders[0].cpu_seconds);
    thread_cpu_print();
    if (refused > 0 || run.failures > 0 || transactions.failed > 0) {
        fprintf(stderr,
                "rdkafka-perf: %" PRId64 " sends refused, %" PRId64 " deliveries failed, %" PRId64
                " commits failed\n",
                refused, run.failures, transactions.failed);
        return 1;
    }
    return 0;
}
