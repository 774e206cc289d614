// kprod-perf: kprod's counterpart of Kafka's kafka-producer-perf-test
// (org.apache.kafka.tools.ProducerPerformance). Same options, same progress lines every
// 5 s, same final summary, so that bench/run drives kprod, librdkafka (bench/rdkafka-perf.c)
// and the Java producer identically. Uses only the public C ABI (include/kprod.h).
//
// Differences from the Java tool, all additive:
//   --random-keys N   key each record with the decimal text of a random number in [0, N)
//                     (the Java tool sends no keys)
//   --check-props     create the producer with the given properties, print the verdict,
//                     exit 0 if kprod_new accepted them (1 if not); sends nothing
//   --sender-reports  take reports on kprod's Sender thread (kprod_conf_set_sender_report_cb),
//                     as Java's tool gets its callbacks on the producer's I/O thread
//   --threads N       N sending threads share the one producer and the records (split
//                     evenly), each with its own random generator and throttling share
//   --topics N        record i goes to topic TOPIC-(i mod N) (round robin); 1: TOPIC itself
//   --transactional-id ID --transaction-records N
//                     transactions of N records: begin, N sends, commit, each commit timed
//                     (tools/perf_transactions.h); one more summary line with the commits
//   two lines with the CPU time per thread at the end (tools/thread_cpu.h)
//   a second summary line with the percentiles in microseconds (the Java line has
//   whole milliseconds only)
//
// Latency is measured from just before kprod_send to the moment a dedicated thread takes the
// record's report with kprod_poll_reports (with --sender-reports: the moment the Sender hands
// it to the callback); the send time and the value's size travel in the message's opaque
// (SendTag), so the tool keeps no per-record state.
#define KPROD_EXPERIMENTAL  // --sender-reports: kprod_conf_set_sender_report_cb
#include <kprod.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "perf_transactions.h"
#include "producer_performance.h"
#include "thread_cpu.h"

namespace {

using kprod_perf::kNanosPerMilli;
using kprod_perf::now_ns;
using kprod_perf::Stats;
using kprod_perf::ThreadCpu;
using kprod_perf::Throttler;
using kprod_perf::Transactions;

constexpr size_t kReportBatch = 4096;  // reports taken per kprod_poll_reports call

[[noreturn]] void die(const std::string &message) {
    std::fprintf(stderr, "kprod-perf: %s\n", message.c_str());
    std::exit(1);
}

// What a report needs to know about its record, packed into kprod_message_t.opaque:
// microseconds since the start (40 bits, 12 days) and the value's size (24 bits, 16 MiB).
struct SendTag {
    static constexpr int kSizeBits = 24;
    static constexpr uint64_t kMaxSize = (uint64_t{1} << kSizeBits) - 1;

    static void *pack(int64_t sent_us, size_t value_len) {
        return reinterpret_cast<void *>(
            static_cast<uintptr_t>((static_cast<uint64_t>(sent_us) << kSizeBits) | value_len));
    }
    static int64_t sent_us(void *tag) {
        return static_cast<int64_t>(reinterpret_cast<uintptr_t>(tag) >> kSizeBits);
    }
    static size_t value_len(void *tag) { return reinterpret_cast<uintptr_t>(tag) & kMaxSize; }
};

// ---------------------------------------------------------------------------
// Options

struct Options {
    std::string topic;
    int64_t num_records = -1;
    int64_t record_size = -1;
    std::string payload_file;
    std::string payload_delimiter = "\n";
    double throughput = 0;
    bool throughput_given = false;
    std::vector<std::pair<std::string, std::string>> producer_props;
    std::string producer_config_file;
    uint64_t random_keys = 0;
    bool check_props = false;
    bool sender_reports = false;
    bool print_metrics = false;  // --print-metrics: the producer's metrics after the run
    int64_t threads = 1;
    int64_t topics = 1;
    std::string transactional_id;     // --transactional-id: sets transactional.id
    int64_t transaction_records = 0;  // --transaction-records: 0 unless transactional
};

void print_usage(FILE *out) {
    std::fputs(
        "usage: kprod-perf --topic TOPIC --num-records N\n"
        "                  (--record-size BYTES | --payload-file FILE)\n"
        "                  --throughput RECORDS_PER_SEC (-1: unlimited)\n"
        "                  (--producer-props NAME=VALUE ... | --producer.config FILE)\n"
        "                  [--payload-delimiter DELIM] [--random-keys N] [--check-props]\n"
        "                  [--sender-reports] [--print-metrics] [--threads N] [--topics N]\n"
        "                  [--transactional-id ID] [--transaction-records N]\n"
        "       kprod-perf --version\n"
        "\n"
        "Options mean what they mean to Kafka's kafka-producer-perf-test. In addition:\n"
        "  --random-keys N  key each record with the decimal text of a uniformly random\n"
        "                   number in [0, N); without it records have no key\n"
        "  --check-props    only create the producer; exit 0 if kprod_new accepts the\n"
        "                   properties, 1 (with kprod's message) if not\n"
        "  --sender-reports take the reports on kprod's Sender thread, as the Java tool\n"
        "                   takes them on the producer's I/O thread (default: on a thread\n"
        "                   of the tool's, with kprod_poll_reports)\n"
        "  --print-metrics  print the producer's metrics (kprod_metrics_json) at the end,\n"
        "                   as the Java tool's --print-metrics does\n"
        "  --threads N      N threads send, sharing the producer, the records (split\n"
        "                   evenly) and the throughput (each throttles to its share)\n"
        "  --topics N       spread the records round robin over the topics TOPIC-0 ..\n"
        "                   TOPIC-(N-1) (record i to TOPIC-(i mod N)); 1 (default): TOPIC\n"
        "  --transactional-id ID  set transactional.id (also possible as a property)\n"
        "  --transaction-records N  with a transactional.id: init once, then begin, send\n"
        "                   N records, commit, until every record is sent; one more line\n"
        "                   gives the commits' latency (call to return), in microseconds\n"
        "At the end two lines give the CPU seconds (user + system) per thread:\n"
        "  threads: app=<the sending threads> other=<the rest of the process>\n"
        "  thread cpu: NAME=S ... rest=S total=S (kprod's Sender thread is \"kprod-perf\")\n",
        out);
}

int64_t parse_integer(const std::string &option, const std::string &text) {
    char *end = nullptr;
    errno = 0;
    const long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno != 0 || end == text.c_str() || *end != '\0')
        die(option + ": expected an integer, got \"" + text + "\"");
    return value;
}

double parse_number(const std::string &option, const std::string &text) {
    char *end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0')
        die(option + ": expected a number, got \"" + text + "\"");
    return value;
}

std::pair<std::string, std::string> split_property(const std::string &text) {
    const size_t equals = text.find('=');
    if (equals == std::string::npos || equals == 0) die("Invalid property: " + text);
    return {text.substr(0, equals), text.substr(equals + 1)};
}

// Java's Utils.loadProps, reduced to NAME=VALUE lines with # comments.
void read_producer_config(const std::string &path, Options &options) {
    std::ifstream in(path);
    if (!in) die("cannot read --producer.config " + path);
    std::string line;
    while (std::getline(in, line)) {
        const size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos || line[start] == '#' || line[start] == '!') continue;
        options.producer_props.push_back(split_property(line.substr(start)));
    }
}

Options parse_options(int argc, char **argv) {
    Options options;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto value_of = [&](size_t &i) -> const std::string & {
        if (i + 1 >= args.size()) die(args[i] + " needs a value");
        return args[++i];
    };
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string &arg = args[i];
        if (arg == "--topic") {
            options.topic = value_of(i);
        } else if (arg == "--num-records") {
            options.num_records = parse_integer(arg, value_of(i));
        } else if (arg == "--record-size") {
            options.record_size = parse_integer(arg, value_of(i));
        } else if (arg == "--payload-file") {
            options.payload_file = value_of(i);
        } else if (arg == "--payload-delimiter") {
            options.payload_delimiter = value_of(i);
            if (options.payload_delimiter == "\\n") options.payload_delimiter = "\n";
        } else if (arg == "--throughput") {
            options.throughput = parse_number(arg, value_of(i));
            options.throughput_given = true;
        } else if (arg == "--producer-props") {
            // nargs("+"): every following argument up to the next option.
            size_t taken = 0;
            while (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
                options.producer_props.push_back(split_property(args[++i]));
                ++taken;
            }
            if (taken == 0) die("--producer-props needs at least one NAME=VALUE");
        } else if (arg == "--producer.config") {
            options.producer_config_file = value_of(i);
        } else if (arg == "--random-keys") {
            const int64_t keys = parse_integer(arg, value_of(i));
            if (keys <= 0) die("--random-keys should be greater than zero");
            options.random_keys = static_cast<uint64_t>(keys);
        } else if (arg == "--check-props") {
            options.check_props = true;
        } else if (arg == "--sender-reports") {
            options.sender_reports = true;
        } else if (arg == "--print-metrics") {
            options.print_metrics = true;
        } else if (arg == "--threads") {
            options.threads = parse_integer(arg, value_of(i));
            if (options.threads <= 0 || options.threads > 1024)
                die("--threads should be between 1 and 1024");
        } else if (arg == "--topics") {
            options.topics = parse_integer(arg, value_of(i));
            if (options.topics <= 0) die("--topics should be greater than zero");
        } else if (arg == "--transactional-id") {
            options.transactional_id = value_of(i);
        } else if (arg == "--transaction-records") {
            options.transaction_records = parse_integer(arg, value_of(i));
            if (options.transaction_records <= 0)
                die("--transaction-records should be greater than zero");
        } else if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            std::exit(0);
        } else if (arg == "--version") {
            std::printf("kprod-perf (kprod %s)\n", kprod_version_str());
            std::exit(0);
        } else {
            print_usage(stderr);
            die("unknown option " + arg);
        }
    }
    // --producer-props take precedence over --producer.config, as in the Java tool.
    if (!options.producer_config_file.empty()) {
        Options from_file;
        read_producer_config(options.producer_config_file, from_file);
        options.producer_props.insert(options.producer_props.begin(),
                                      from_file.producer_props.begin(),
                                      from_file.producer_props.end());
    }
    if (!options.transactional_id.empty())
        options.producer_props.emplace_back("transactional.id", options.transactional_id);
    if (options.producer_props.empty())
        die("Either --producer-props or --producer.config must be specified.");
    if (options.check_props) return options;
    const bool transactional =
        std::any_of(options.producer_props.begin(), options.producer_props.end(),
                    [](const auto &property) { return property.first == "transactional.id"; });
    if (transactional != (options.transaction_records > 0))
        die("--transaction-records and a transactional.id go together");
    if (transactional && options.threads != 1)
        die("--transaction-records: one sending thread only (transactional calls are serialised)");
    if (options.topic.empty()) die("--topic is required");
    if (options.num_records <= 0) die("--num-records should be greater than zero");
    if (!options.throughput_given) die("--throughput is required");
    if ((options.record_size > 0) == !options.payload_file.empty())
        die("either --record-size or --payload-file must be specified but not both.");
    if (options.payload_file.empty() && options.record_size <= 0)
        die("--record-size should be greater than zero");
    if (options.record_size > static_cast<int64_t>(SendTag::kMaxSize))
        die("--record-size: at most 16 MiB");
    return options;
}

// ---------------------------------------------------------------------------
// Payloads and keys

// xorshift64*: fast and good enough for payload letters, payload picks and keys.
class Random {
public:
    Random() = default;
    // Sending thread k > 0 gets its own sequence; thread 0's is the single-thread one.
    explicit Random(uint64_t stream)
        : state_(0x9E3779B97F4A7C15ULL ^ (stream * 0xBF58476D1CE4E5B9ULL)) {}

    uint64_t next() {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        return state_ * 0x2545F4914F6CDD1DULL;
    }
    uint64_t below(uint64_t bound) { return next() % bound; }

private:
    uint64_t state_ = 0x9E3779B97F4A7C15ULL;
};

// With --record-size, random letters A-Z, different for every record, as
// ProducerPerformance.generateRandomPayload makes them; with --payload-file, a random line
// of the file, as there. Java draws a letter per byte for every record; here the letters
// are drawn once into a 16 KiB pool and each record starts at a random place in it, so
// that the harness costs one draw per record instead of a third of kprod's CPU. The pool
// stays in the cache, as Java's refilled buffer does (1 MiB made kprod's copy miss).
class PayloadSource {
public:
    explicit PayloadSource(const Options &options, Random &random) {
        if (options.record_size > 0) {
            record_size_ = static_cast<size_t>(options.record_size);
            letters_.resize(kLetterPool + record_size_);
            for (char &letter : letters_) letter = static_cast<char>('A' + random.below(26));
        } else {
            read_payload_file(options.payload_file, options.payload_delimiter);
        }
    }

    std::pair<const char *, size_t> next(Random &random) const {
        if (!payloads_.empty()) {
            const std::string_view payload = payloads_[random.below(payloads_.size())];
            return {payload.data(), payload.size()};
        }
        return {letters_.data() + random.below(kLetterPool), record_size_};
    }

private:
    void read_payload_file(const std::string &path, const std::string &delimiter) {
        // Read once at its size, and the payloads point into it: the file's
        // bytes are held once (the peak RSS counts the tool's memory too).
        std::ifstream in(path, std::ios::binary | std::ios::ate);
        if (!in.is_open()) die("File does not exist or empty file provided.");
        const std::streamoff file_size = in.tellg();
        if (file_size < 0) die("cannot read --payload-file " + path);
        text_.resize(static_cast<size_t>(file_size));
        in.seekg(0);
        if (!in.read(text_.data(), static_cast<std::streamsize>(text_.size())))
            die("cannot read --payload-file " + path);
        const std::string &text = text_;
        if (text.empty()) die("File does not exist or empty file provided.");
        std::printf("Reading payloads from: %s\n", path.c_str());
        size_t start = 0;
        while (start <= text.size()) {
            size_t end = text.find(delimiter, start);
            if (end == std::string::npos) end = text.size();
            if (end > start) payloads_.push_back(std::string_view(text).substr(start, end - start));
            start = end + delimiter.size();
        }
        if (payloads_.empty()) die("no payloads in " + path);
        for (const std::string_view payload : payloads_)
            if (payload.size() > SendTag::kMaxSize) die("a payload in " + path + " is over 16 MiB");
        std::printf("Number of messages read: %zu\n", payloads_.size());
    }

    static constexpr size_t kLetterPool = 16 << 10;
    size_t record_size_ = 0;
    std::string letters_;
    std::string text_;  // the payload file
    std::vector<std::string_view> payloads_;
};

// ---------------------------------------------------------------------------
// Reports and the producer

// Feeds each report to Stats, on one thread at a time: the ReportTaker's, or with
// --sender-reports kprod's Sender thread, as Java's callbacks run on its I/O thread.
class ReportSink {
public:
    // Before the first send: reports come only for records sent after this.
    void begin(Stats &stats, int64_t start_ns) {
        stats_ = &stats;
        start_ns_ = start_ns;
    }

    void take(const kprod_report_t &report, int64_t now) {
        // Only successes count, as in ProducerPerformance.PerfCallback.
        if (report.err != KPROD_OK) {
            if (failures_++ < 10) {
                const char *name = kprod_broker_error_name(report.broker_error);
                std::fprintf(stderr, "kprod-perf: delivery failed: %s (broker error %s, code %d)\n",
                             kprod_err_str(report.err), name ? name : "none", report.broker_error);
            }
            return;
        }
        const int64_t latency_us = (now - start_ns_) / 1000 - SendTag::sent_us(report.opaque);
        stats_->record(latency_us, SendTag::value_len(report.opaque), now);
    }

    // kprod_conf_set_sender_report_cb's callback.
    static void on_sender_thread(const kprod_report_t *report, void *sink) {
        static_cast<ReportSink *>(sink)->take(*report, now_ns());
    }

    // Read once every report was taken.
    int64_t failures() const { return failures_; }

private:
    Stats *stats_ = nullptr;
    int64_t start_ns_ = 0;
    int64_t failures_ = 0;
};

// Takes every report on its own thread with kprod_poll_reports and hands it to the sink.
// Stops once `expected` reports were taken (set when sending ends).
class ReportTaker {
public:
    ReportTaker(kprod_t *producer, ReportSink &sink, ThreadCpu &cpu)
        : producer_(producer), sink_(sink), cpu_(cpu), thread_([this] { run(); }) {}

    // The thread stops once it has taken `expected` reports, or when a poll
    // returns nothing after that (kprod_close wakes a waiting poll).
    void expect(int64_t expected) { expected_.store(expected, std::memory_order_release); }
    void join() { thread_.join(); }

private:
    void run() {
        cpu_.start_thread("perf-reports");
        std::vector<kprod_report_t> reports(kReportBatch);
        while (taken_ < expected_.load(std::memory_order_acquire)) {
            const size_t n = kprod_poll_reports(producer_, reports.data(), reports.size(),
                                                sizeof reports[0], 100);
            if (n == 0) continue;
            const int64_t now = now_ns();
            for (size_t i = 0; i < n; ++i) sink_.take(reports[i], now);
            taken_ += static_cast<int64_t>(n);
        }
        cpu_.finish_thread("perf-reports");
    }

    kprod_t *producer_;
    ReportSink &sink_;
    ThreadCpu &cpu_;
    std::atomic<int64_t> expected_{INT64_MAX};
    int64_t taken_ = 0;
    std::thread thread_;
};

kprod_t *create_producer(const Options &options, ReportSink *sender_reports) {
    char error[512];
    kprod_conf_t *conf = kprod_conf_new();
    if (!conf) die("kprod_conf_new: out of memory");
    bool client_id_set = false;
    for (const auto &[name, value] : options.producer_props) {
        if (kprod_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != KPROD_OK) {
            kprod_conf_destroy(conf);
            die(error);
        }
        client_id_set = client_id_set || name == "client.id";
    }
    if (!client_id_set)
        kprod_conf_set(conf, "client.id", "perf-producer-client", error, sizeof error);
    if (sender_reports)
        kprod_conf_set_sender_report_cb(conf, ReportSink::on_sender_thread, sender_reports);
    kprod_t *producer = kprod_new(conf, error, sizeof error);  // takes conf
    if (!producer) die(error);
    return producer;
}

void print_metrics(kprod_t *producer) {
    char *json = nullptr;
    if (kprod_metrics_json(producer, &json) != KPROD_OK) return;
    std::printf("%s\n", json);
    kprod_metrics_text_free(json);
}

int check_props(const Options &options) {
    char error[512];
    kprod_conf_t *conf = kprod_conf_new();
    for (const auto &[name, value] : options.producer_props) {
        if (kprod_conf_set(conf, name.c_str(), value.c_str(), error, sizeof error) != KPROD_OK) {
            kprod_conf_destroy(conf);
            std::printf("refused: %s\n", error);
            return 1;
        }
    }
    kprod_t *producer = kprod_new(conf, error, sizeof error);
    if (!producer) {
        std::printf("refused: %s\n", error);
        return 1;
    }
    kprod_destroy(producer);
    std::printf("accepted\n");
    return 0;
}

// The topics records go to: TOPIC itself, or with --topics N, TOPIC-0 .. TOPIC-(N-1).
std::vector<std::string> topic_names(const Options &options) {
    if (options.topics == 1) return {options.topic};
    std::vector<std::string> names;
    for (int64_t k = 0; k < options.topics; ++k)
        names.push_back(options.topic + "-" + std::to_string(k));
    return names;
}

struct SendCounts {
    int64_t accepted = 0, refused = 0;
};

// One sending thread's share of the records: with T threads, thread k sends records k,
// k + T, k + 2T, ... (record i to topic i mod N), and throttles to 1/T of --throughput as
// ProducerPerformance throttles the whole (its own ThroughputThrottler, its own count).
struct SendShare {
    kprod_t *producer;
    const Options &options;
    const std::vector<std::string> &topics;
    const PayloadSource &payloads;
    Random random;
    int64_t first;
    int64_t start_ns;
    Transactions *transactions;  // nullptr unless --transaction-records

    SendCounts run() {
        const int64_t step = options.threads;
        const double target = options.throughput > 0
                                  ? options.throughput / static_cast<double>(step)
                                  : options.throughput;
        Throttler throttler(target, start_ns / kNanosPerMilli);
        char key[24];
        kprod_message_t message = KPROD_MESSAGE_INIT;
        SendCounts counts;
        int64_t sent = 0;
        if (transactions) transactions->begin();
        for (int64_t i = first; i < options.num_records; i += step, ++sent) {
            message.topic = topics[static_cast<size_t>(i) % topics.size()].c_str();
            const auto [value, value_len] = payloads.next(random);
            message.value = value;
            message.value_len = value_len;
            if (options.random_keys > 0) {
                const int key_len =
                    std::snprintf(key, sizeof key, "%" PRIu64, random.below(options.random_keys));
                message.key = key;
                message.key_len = static_cast<size_t>(key_len);
            }
            const int64_t send_start = now_ns();
            message.opaque = SendTag::pack((send_start - start_ns) / 1000, value_len);
            const kprod_err_t err = kprod_send(producer, &message);
            if (err == KPROD_OK) {
                ++counts.accepted;
            } else if (counts.refused++ < 10) {
                std::fprintf(stderr, "kprod-perf: kprod_send: %s\n", kprod_err_str(err));
            }
            if (transactions) transactions->after_send(i + step >= options.num_records);
            if (throttler.should_throttle(sent, send_start / kNanosPerMilli)) throttler.throttle();
        }
        return counts;
    }
};

}  // namespace

int main(int argc, char **argv) {
    if (argc == 1) {
        print_usage(stdout);
        return 0;
    }
    const Options options = parse_options(argc, argv);
    if (options.check_props) return check_props(options);

    ReportSink sink;
    kprod_t *producer = create_producer(options, options.sender_reports ? &sink : nullptr);
    // After kprod_new: kprod's Sender thread keeps the process's name, this one is renamed.
    ThreadCpu cpu;
    cpu.start_thread("perf-main");
    Random random;
    const PayloadSource payloads(options, random);
    const std::vector<std::string> topics = topic_names(options);
    std::optional<Transactions> transactions;
    if (options.transaction_records > 0) {
        transactions.emplace(producer, options.transaction_records, options.num_records);
        transactions->init();
    }

    const int64_t start_ns = now_ns();
    Stats stats(options.num_records, start_ns);
    sink.begin(stats, start_ns);
    std::optional<ReportTaker> reports;
    if (!options.sender_reports) reports.emplace(producer, sink, cpu);

    std::vector<SendCounts> counts(static_cast<size_t>(options.threads));
    auto send_share = [&](int64_t k) {
        const double before = ThreadCpu::thread_seconds();
        // Sender 0 goes on with the generator that drew the letters, as one sender did.
        SendShare share{producer,
                        options,
                        topics,
                        payloads,
                        k == 0 ? random : Random(k),
                        k,
                        start_ns,
                        transactions ? &*transactions : nullptr};
        counts[static_cast<size_t>(k)] = share.run();
        const double seconds = ThreadCpu::thread_seconds() - before;
        cpu.add("perf-send-" + std::to_string(k), seconds);
        return seconds;
    };
    std::vector<std::thread> senders;
    for (int64_t k = 1; k < options.threads; ++k) {
        senders.emplace_back([&, k] {
            cpu.start_thread("perf-send-" + std::to_string(k));
            send_share(k);
        });
    }
    // Sender 0 is the main thread: bench/count-allocations (malloc-count.c) counts the
    // main thread's allocations as the sending thread's.
    const double main_sending_seconds = send_share(0);
    for (std::thread &sender : senders) sender.join();
    int64_t accepted = 0, refused = 0;
    for (const SendCounts &sent : counts) {
        accepted += sent.accepted;
        refused += sent.refused;
    }

    // The count first: once every report is taken the thread stops at once,
    // instead of finishing a 100 ms poll that no report will end (that wait
    // used to count in the elapsed time, up to 3 % of scenario 1's).
    if (reports) reports->expect(accepted);
    kprod_flush(producer, -1);
    cpu.snapshot_other_threads();  // every record is acknowledged; the Sender is still alive
    if (options.print_metrics) print_metrics(producer);
    kprod_close(producer, -1);  // with --sender-reports, the last report was taken
    if (reports) reports->join();
    const int64_t end_ns = now_ns();
    kprod_destroy(producer);
    stats.print_total(end_ns);
    if (transactions) transactions->print();
    cpu.add("perf-main", ThreadCpu::thread_seconds() - main_sending_seconds);
    cpu.print("perf-send-");
    const int64_t failed_commits = transactions ? transactions->failed() : 0;
    if (refused > 0 || sink.failures() > 0 || failed_commits > 0) {
        std::fprintf(stderr,
                     "kprod-perf: %" PRId64 " sends refused, %" PRId64
                     " deliveries failed, %" PRId64 " commits failed\n",
                     refused, sink.failures(), failed_commits);
        return 1;
    }
    return 0;
}
