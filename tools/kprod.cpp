// kprod: a command-line producer for scripts and operators, in the spirit of
// `kcat -P`. Reads records from standard input or files, split by a delimiter,
// sends them with libkprod's public C API only (kprod_send_batch, then
// kprod_poll_reports), and prints a summary of the delivery reports. The exit
// status says whether every record was delivered. Manual: docs/kprod.1.
#include <kprod.h>

#include <fcntl.h>
#include <getopt.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr int kExitDelivered = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
// Records handed to kprod_send_batch at once; reports are collected between batches.
constexpr size_t kBatchRecords = 1024;

void print_usage(std::FILE *out) {
    std::fputs(
        "usage: kprod -b BROKERS -t TOPIC [options] [FILE...]\n"
        "\n"
        "Sends records read from FILEs (or standard input, also as \"-\") to TOPIC, one\n"
        "per line, and prints a summary of the deliveries to standard error. Exits 0 when\n"
        "every record was delivered, 1 when any failed, 2 on bad usage or configuration.\n"
        "\n"
        "  -b BROKERS      bootstrap servers, host1:port1,host2:port2 (bootstrap.servers)\n"
        "  -t TOPIC        the topic to send to (required)\n"
        "  -p PARTITION    send every record to this partition (default: the partitioner)\n"
        "  -D DELIM        record delimiter (default: \\n)\n"
        "  -K DELIM        key delimiter: the part of a record before the first DELIM is its\n"
        "                  key, the rest its value; records without DELIM get a null key\n"
        "  -H NAME=VALUE   add a header to every record (repeatable); NAME alone: null value\n"
        "  -X NAME=VALUE   set a producer property (repeatable), e.g. -X acks=1\n"
        "  -Z              send empty keys and values as null\n"
        "  -q              print the summary only when a record failed\n"
        "  -P              accepted and ignored, as kcat's produce mode\n"
        "  -V, --version   print the version of libkprod and exit\n"
        "  -h, --help      print this help and exit\n"
        "\n"
        "DELIM may use the escapes \\n \\r \\t \\0 \\\\ and \\xHH.\n",
        out);
}

// Turns "\n", "\t", "\x1e", ... into their bytes; false on a malformed escape.
bool unescape(const char *text, std::string &out) {
    out.clear();
    for (const char *c = text; *c; ++c) {
        if (*c != '\\') {
            out += *c;
            continue;
        }
        switch (*++c) {
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case '0':
            out += '\0';
            break;
        case '\\':
            out += '\\';
            break;
        case 'x': {
            char hex[3] = {0, 0, 0};
            for (int i = 0; i < 2; ++i) {
                if (!std::isxdigit(static_cast<unsigned char>(c[1]))) return false;
                hex[i] = *++c;
            }
            out += static_cast<char>(std::strtol(hex, nullptr, 16));
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

struct Options {
    std::string bootstrap;
    std::string topic;
    int32_t partition = KPROD_PARTITION_ANY;
    std::string record_delimiter = "\n";
    std::string key_delimiter;  // empty: records have no key
    std::vector<std::pair<std::string, std::string>> properties;
    // Header names and values; a header without '=' has a null value.
    std::vector<std::pair<std::string, std::string>> headers;
    std::vector<bool> header_is_null;
    bool empty_is_null = false;
    bool quiet = false;
    std::vector<std::string> files;
};

bool split_assignment(const char *text, std::pair<std::string, std::string> &out) {
    const char *equals = std::strchr(text, '=');
    if (!equals || equals == text) return false;
    out = {std::string(text, equals), std::string(equals + 1)};
    return true;
}

// Returns -1 when the program should go on, else the exit status.
int parse_options(int argc, char **argv, Options &options) {
    static const struct option long_options[] = {{"help", no_argument, nullptr, 'h'},
                                                 {"version", no_argument, nullptr, 'V'},
                                                 {nullptr, 0, nullptr, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "b:t:p:D:K:H:X:ZqPVh", long_options, nullptr)) != -1) {
        std::pair<std::string, std::string> assignment;
        char *end = nullptr;
        switch (opt) {
        case 'b':
            options.bootstrap = optarg;
            break;
        case 't':
            options.topic = optarg;
            break;
        case 'p': {
            errno = 0;
            long partition = std::strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || partition < 0 || partition > INT32_MAX) {
                std::fprintf(stderr, "kprod: -p: expected a partition number, got \"%s\"\n",
                             optarg);
                return kExitUsage;
            }
            options.partition = static_cast<int32_t>(partition);
            break;
        }
        case 'D':
        case 'K': {
            std::string &delimiter = opt == 'D' ? options.record_delimiter : options.key_delimiter;
            if (!unescape(optarg, delimiter) || delimiter.empty()) {
                std::fprintf(stderr, "kprod: -%c: bad delimiter \"%s\"\n", opt, optarg);
                return kExitUsage;
            }
            break;
        }
        case 'H':
            if (split_assignment(optarg, assignment)) {
                options.headers.push_back(assignment);
                options.header_is_null.push_back(false);
            } else if (*optarg && !std::strchr(optarg, '=')) {
                options.headers.emplace_back(optarg, "");
                options.header_is_null.push_back(true);
            } else {
                std::fprintf(stderr, "kprod: -H: expected NAME=VALUE, got \"%s\"\n", optarg);
                return kExitUsage;
            }
            break;
        case 'X':
            if (!split_assignment(optarg, assignment)) {
                std::fprintf(stderr, "kprod: -X: expected NAME=VALUE, got \"%s\"\n", optarg);
                return kExitUsage;
            }
            options.properties.push_back(assignment);
            break;
        case 'Z':
            options.empty_is_null = true;
            break;
        case 'q':
            options.quiet = true;
            break;
        case 'P':
            break;
        case 'V':
            std::printf("kprod %s\n", kprod_version_str());
            return kExitDelivered;
        case 'h':
            print_usage(stdout);
            return kExitDelivered;
        default:
            print_usage(stderr);
            return kExitUsage;
        }
    }
    for (int i = optind; i < argc; ++i) options.files.emplace_back(argv[i]);
    if (options.files.empty()) options.files.emplace_back("-");
    if (options.topic.empty()) {
        std::fputs("kprod: no topic: use -t TOPIC (kprod --help tells more)\n", stderr);
        return kExitUsage;
    }
    return -1;
}

// Splits one input into records at each delimiter. It reads with read(2), which
// returns what is there instead of waiting for a full buffer, so that records piped
// in slowly (tail -f | kprod) are sent as they come.
class RecordReader {
public:
    RecordReader(int fd, std::string delimiter) : fd_(fd), delimiter_(std::move(delimiter)) {}

    // The next complete record among the bytes read so far, without reading more.
    bool next_buffered(std::string &record) {
        size_t at = pending_.find(delimiter_, scanned_);
        if (at == std::string::npos) {
            // The delimiter may straddle the end of what was read so far.
            scanned_ =
                pending_.size() >= delimiter_.size() ? pending_.size() - delimiter_.size() + 1 : 0;
            return false;
        }
        record.assign(pending_, 0, at);
        pending_.erase(0, at + delimiter_.size());
        scanned_ = 0;
        return true;
    }

    // Reads what is available (waiting for at least a byte); false at the end or on error.
    bool fill() {
        char buffer[65536];
        ssize_t n;
        do n = ::read(fd_, buffer, sizeof buffer);
        while (n < 0 && errno == EINTR);
        if (n < 0) failed_ = true;
        if (n <= 0) return false;
        pending_.append(buffer, static_cast<size_t>(n));
        return true;
    }

    // At the end: the last record when the input does not end with a delimiter.
    bool take_remainder(std::string &record) {
        if (pending_.empty()) return false;
        record.swap(pending_);
        pending_.clear();
        return true;
    }

    bool failed() const { return failed_; }

private:
    int fd_;
    std::string delimiter_;
    std::string pending_;
    size_t scanned_ = 0;  // pending_ before this offset holds no delimiter
    bool failed_ = false;
};

// Counts outcomes: delivered, or failed per error (and per broker error code).
struct Tally {
    long sent = 0;      // accepted by kprod_send_batch: each gets one report
    long reported = 0;  // reports taken so far
    long delivered = 0;
    std::map<std::pair<kprod_err_t, int>, long> failed;  // (err, broker_error) -> count

    long failed_total() const {
        long total = 0;
        for (const auto &entry : failed) total += entry.second;
        return total;
    }

    void count_report(const kprod_report_t &report) {
        ++reported;
        if (report.err == KPROD_OK)
            ++delivered;
        else
            ++failed[{report.err, report.broker_error}];
    }
};

class Producer {
public:
    Producer(kprod_t *handle, const Options &options) : handle_(handle), options_(options) {
        for (size_t i = 0; i < options.headers.size(); ++i) {
            const auto &[name, value] = options.headers[i];
            headers_.push_back({name.data(), name.size(),
                                options.header_is_null[i] ? nullptr : value.data(), value.size()});
        }
    }

    // Queues one record; sends the batch once it is full. False: stop reading.
    bool add(std::string record) {
        records_.push_back(std::move(record));
        return records_.size() < kBatchRecords || send_batch();
    }

    // Sends the records queued so far. False: stop reading.
    bool send_queued() { return records_.empty() || send_batch(); }

    // Sends what is queued, waits for every report, and returns the tally.
    const Tally &finish() {
        if (!records_.empty()) send_batch();
        // Every accepted record gets its report within delivery.timeout.ms.
        kprod_flush(handle_, -1);
        while (tally_.reported < tally_.sent && kprod_outstanding(handle_) > 0) take_reports(1000);
        return tally_;
    }

    const std::string &stop_reason() const { return stop_reason_; }

private:
    kprod_message_t message_for(const std::string &record) const {
        kprod_message_t message = KPROD_MESSAGE_INIT;
        message.topic = options_.topic.c_str();
        message.partition = options_.partition;
        message.headers = headers_.empty() ? nullptr : headers_.data();
        message.header_count = headers_.size();
        size_t value_start = 0;
        if (!options_.key_delimiter.empty()) {
            size_t at = record.find(options_.key_delimiter);
            if (at != std::string::npos) {
                message.key = record.data();
                message.key_len = at;
                value_start = at + options_.key_delimiter.size();
                if (at == 0 && options_.empty_is_null) message.key = nullptr;
            }
        }
        message.value = record.data() + value_start;
        message.value_len = record.size() - value_start;
        if (message.value_len == 0 && options_.empty_is_null) message.value = nullptr;
        return message;
    }

    bool send_batch() {
        std::vector<kprod_message_t> messages;
        messages.reserve(records_.size());
        for (const std::string &record : records_) messages.push_back(message_for(record));
        std::vector<kprod_err_t> results(messages.size(), KPROD_OK);
        kprod_send_batch(handle_, messages.data(), messages.size(), sizeof messages[0],
                         results.data());
        records_.clear();  // kprod_send_batch copied everything
        bool go_on = true;
        for (kprod_err_t result : results) {
            if (result == KPROD_OK) {
                ++tally_.sent;
                continue;
            }
            // Rejected records get no report: count them here.
            ++tally_.failed[{result, 0}];
            // Only a too-large record is its own problem; any other refusal (unknown
            // topic, no metadata, no buffer memory) would repeat for every record.
            if (result != KPROD_ERR_MSG_TOO_LARGE && go_on) {
                go_on = false;
                stop_reason_ = kprod_err_str(result);
            }
        }
        while (take_reports(0)) {  // every ready report, so that none pile up in a long stream
        }
        return go_on;
    }

    // Takes up to one array of reports; returns whether the array was filled.
    bool take_reports(int timeout_ms) {
        kprod_report_t reports[512];
        size_t n = kprod_poll_reports(handle_, reports, 512, sizeof reports[0], timeout_ms);
        for (size_t i = 0; i < n; ++i) tally_.count_report(reports[i]);
        return n == 512;
    }

    kprod_t *handle_;
    const Options &options_;
    std::vector<kprod_header_t> headers_;
    std::vector<std::string> records_;
    Tally tally_;
    std::string stop_reason_;
};

kprod_t *create_producer(const Options &options) {
    char errstr[512];
    kprod_conf_t *conf = kprod_conf_new();
    if (!conf) {
        std::fputs("kprod: out of memory\n", stderr);
        return nullptr;
    }
    auto set = [&](const std::string &name, const std::string &value) {
        if (kprod_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) == KPROD_OK)
            return true;
        std::fprintf(stderr, "kprod: %s\n", errstr);
        return false;
    };
    bool ok = options.bootstrap.empty() || set("bootstrap.servers", options.bootstrap);
    for (const auto &[name, value] : options.properties) ok = ok && set(name, value);
    if (!ok) {
        kprod_conf_destroy(conf);
        return nullptr;
    }
    kprod_t *producer = kprod_new(conf, errstr, sizeof errstr);  // takes conf
    if (!producer) std::fprintf(stderr, "kprod: %s\n", errstr);
    return producer;
}

// Feeds every record of every input to the producer; false when reading failed.
bool read_inputs(const Options &options, Producer &producer) {
    for (const std::string &file : options.files) {
        bool is_stdin = file == "-";
        int fd = is_stdin ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            std::fprintf(stderr, "kprod: %s: %s\n", file.c_str(), std::strerror(errno));
            return false;
        }
        RecordReader reader(fd, options.record_delimiter);
        std::string record;
        bool go_on = true;
        while (go_on) {
            while (go_on && reader.next_buffered(record)) go_on = producer.add(std::move(record));
            // Nothing complete is left: send what is queued before read() waits.
            if (go_on) go_on = producer.send_queued();
            if (go_on && !reader.fill()) break;
        }
        if (go_on && reader.take_remainder(record)) go_on = producer.add(std::move(record));
        if (!is_stdin) ::close(fd);
        if (reader.failed()) {
            std::fprintf(stderr, "kprod: error reading %s\n",
                         is_stdin ? "standard input" : file.c_str());
            return false;
        }
        if (!go_on) return true;
    }
    return true;
}

void print_summary(const Options &options, const Tally &tally, const std::string &stop_reason) {
    long failed = tally.failed_total();
    if (options.quiet && failed == 0 && stop_reason.empty()) return;
    std::fprintf(stderr, "kprod: %ld delivered, %ld failed (topic %s)\n", tally.delivered, failed,
                 options.topic.c_str());
    for (const auto &[error, count] : tally.failed) {
        if (error.first == KPROD_ERR_BROKER) {
            const char *name = kprod_broker_error_name(static_cast<int16_t>(error.second));
            std::fprintf(stderr, "  %ld failed: %s (broker error %s, code %d)\n", count,
                         kprod_err_str(error.first), name ? name : "unknown", error.second);
        } else {
            std::fprintf(stderr, "  %ld failed: %s\n", count, kprod_err_str(error.first));
        }
    }
    if (!stop_reason.empty())
        std::fprintf(stderr, "kprod: stopped reading input: %s\n", stop_reason.c_str());
}

}  // namespace

int main(int argc, char **argv) {
    Options options;
    int status = parse_options(argc, argv, options);
    if (status >= 0) return status;

    kprod_t *handle = create_producer(options);
    if (!handle) return kExitUsage;
    Producer producer(handle, options);
    bool read_ok = read_inputs(options, producer);
    const Tally &tally = producer.finish();
    print_summary(options, tally, producer.stop_reason());
    bool all_delivered = read_ok && tally.failed.empty() && producer.stop_reason().empty();
    kprod_destroy(handle);
    return all_delivered ? kExitDelivered : kExitFailed;
}
