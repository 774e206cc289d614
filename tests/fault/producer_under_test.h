// The producer a fault test drives: kprod, or a peer client (librdkafka, see
// rdkafka_under_test.h) run through the same scenario for comparison. The
// Tracker sends and collects reports through this interface only.
#pragma once

#include <kprod.h>

#include <cstdint>
#include <string>
#include <vector>

namespace fault {

// One delivery report, in kprod's terms whatever the client.
struct Report {
    int64_t id = -1;  // the id given to send(); -1 for a record sent outside the ids
    std::string topic;
    kprod_err_t err = KPROD_OK;
    int16_t broker_error = 0;  // Kafka's error code; a peer's own codes are negative
    kprod_persisted_t persisted = KPROD_NOT_PERSISTED;
    int32_t partition = -1;
    int64_t offset = -1;
};

class ProducerUnderTest {
public:
    virtual ~ProducerUnderTest() = default;
    virtual const char *name() const = 0;
    // Accepts one record (partition -1: the client chooses); false, with
    // `error` set, when the client refuses it.
    virtual bool send(const std::string &topic, int32_t partition, const std::string &value,
                      int64_t id, std::string &error) = 0;
    // Appends the reports that are ready, waiting up to timeout_ms for some.
    // Called from one thread only.
    virtual void poll(std::vector<Report> &out, int timeout_ms) = 0;
    // Records accepted and not yet reported.
    virtual size_t outstanding() = 0;
    // Waits until every accepted record is reported; false, with `error` set,
    // if that took longer than timeout_ms.
    virtual bool flush(int timeout_ms, std::string &error) = 0;
};

// kprod through its public API; destroys the handle if it owns it.
class KprodUnderTest final : public ProducerUnderTest {
public:
    explicit KprodUnderTest(kprod_t *producer, bool owned = false)
        : producer_(producer), owned_(owned) {}
    ~KprodUnderTest() override {
        if (owned_) kprod_destroy(producer_);
    }
    KprodUnderTest(const KprodUnderTest &) = delete;
    KprodUnderTest &operator=(const KprodUnderTest &) = delete;

    const char *name() const override { return "kprod"; }

    bool send(const std::string &topic, int32_t partition, const std::string &value, int64_t id,
              std::string &error) override {
        kprod_message_t msg = KPROD_MESSAGE_INIT;
        msg.topic = topic.c_str();
        msg.partition = partition < 0 ? KPROD_PARTITION_ANY : partition;
        msg.value = value.data();
        msg.value_len = value.size();
        // A null opaque marks a record outside the ids.
        msg.opaque = id < 0 ? nullptr : reinterpret_cast<void *>(static_cast<uintptr_t>(id) + 1);
        const kprod_err_t err = kprod_send(producer_, &msg);
        if (err != KPROD_OK) error = kprod_err_str(err);
        return err == KPROD_OK;
    }

    void poll(std::vector<Report> &out, int timeout_ms) override {
        kprod_report_t reports[512];
        const size_t n = kprod_poll_reports(producer_, reports, 512, sizeof reports[0], timeout_ms);
        for (size_t i = 0; i < n; ++i) {
            const kprod_report_t &r = reports[i];
            Report report;
            report.id = r.opaque == nullptr
                            ? -1
                            : static_cast<int64_t>(reinterpret_cast<uintptr_t>(r.opaque)) - 1;
            report.topic = r.topic;
            report.err = r.err;
            report.broker_error = r.broker_error;
            report.persisted = r.persisted;
            report.partition = r.partition;
            report.offset = r.offset;
            out.push_back(std::move(report));
        }
    }

    size_t outstanding() override { return kprod_outstanding(producer_); }

    bool flush(int timeout_ms, std::string &error) override {
        const kprod_err_t err = kprod_flush(producer_, timeout_ms);
        if (err != KPROD_OK) error = kprod_err_str(err);
        return err == KPROD_OK;
    }

    kprod_t *handle() const { return producer_; }

private:
    kprod_t *producer_;
    const bool owned_;
};

}  // namespace fault
