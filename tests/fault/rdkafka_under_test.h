// librdkafka as the producer of a fault scenario, to measure the peer through
// the same harness (issue 13). Only the fault-peer executables include this;
// libkprod never links librdkafka.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <thread>
#include <utility>

#include "producer_under_test.h"

namespace fault {

class RdkafkaUnderTest final : public ProducerUnderTest {
public:
    // `props` are set after the harness's own (bootstrap, acks=all, idempotence).
    RdkafkaUnderTest(const std::string &bootstrap_servers,
                     std::initializer_list<std::pair<const char *, const char *>> props) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        auto set = [&](const char *name, const char *value) {
            CHECK_MSG(
                rd_kafka_conf_set(conf, name, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK,
                "librdkafka %s=%s: %s", name, value, errstr);
        };
        set("bootstrap.servers", bootstrap_servers.c_str());
        set("acks", "all");
        set("enable.idempotence", "true");
        set("max.in.flight.requests.per.connection", "5");
        // Room for every record a scenario sends while brokers are away, so
        // that the queue limit, which kprod has no counterpart of, plays no part.
        set("queue.buffering.max.messages", "2000000");
        set("queue.buffering.max.kbytes", "2000000");
        for (auto [name, value] : props) set(name, value);
        rd_kafka_conf_set_opaque(conf, this);
        rd_kafka_conf_set_dr_msg_cb(conf, &RdkafkaUnderTest::on_delivery);
        rd_kafka_conf_set_error_cb(conf, &RdkafkaUnderTest::on_error);
        handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
        CHECK_MSG(handle_ != nullptr, "rd_kafka_new: %s", errstr);
    }
    ~RdkafkaUnderTest() override { rd_kafka_destroy(handle_); }

    const char *name() const override { return "librdkafka"; }

    bool send(const std::string &topic, int32_t partition, const std::string &value, int64_t id,
              std::string &error) override {
        // Blocks while the queue is full, up to max.block.ms's default, as
        // kprod_send does; the reporter thread serves the queue meanwhile.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (true) {
            const rd_kafka_resp_err_t err = rd_kafka_producev(
                handle_, RD_KAFKA_V_TOPIC(topic.c_str()),
                RD_KAFKA_V_PARTITION(partition < 0 ? RD_KAFKA_PARTITION_UA : partition),
                RD_KAFKA_V_VALUE(const_cast<char *>(value.data()), value.size()),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_OPAQUE(reinterpret_cast<void *>(static_cast<intptr_t>(id) + 1)),
                RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
                std::chrono::steady_clock::now() >= deadline) {
                error = rd_kafka_err2str(err);
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    void poll(std::vector<Report> &out, int timeout_ms) override {
        rd_kafka_poll(handle_, timeout_ms);
        std::lock_guard<std::mutex> lock(mutex_);
        for (Report &r : ready_) out.push_back(std::move(r));
        ready_.clear();
    }

    // Queued, in flight, or reported and not yet polled.
    size_t outstanding() override { return static_cast<size_t>(rd_kafka_outq_len(handle_)); }

    // Waits without polling, so that the reports stay with the reporter thread.
    bool flush(int timeout_ms, std::string &error) override {
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (outstanding() > 0) {
            if (std::chrono::steady_clock::now() >= deadline) {
                error = std::to_string(outstanding()) + " records outstanding";
                return false;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return true;
    }

    // librdkafka's fatal error (an idempotent producer can enter one), or "".
    std::string fatal_error() {
        char text[512];
        return rd_kafka_fatal_error(handle_, text, sizeof text) == RD_KAFKA_RESP_ERR_NO_ERROR
                   ? std::string()
                   : std::string(text);
    }

private:
    static kprod_persisted_t persisted_of(const rd_kafka_message_t *message) {
        switch (rd_kafka_message_status(message)) {
        case RD_KAFKA_MSG_STATUS_PERSISTED:
            return KPROD_PERSISTED;
        case RD_KAFKA_MSG_STATUS_POSSIBLY_PERSISTED:
            return KPROD_POSSIBLY_PERSISTED;
        default:
            return KPROD_NOT_PERSISTED;
        }
    }

    static void on_delivery(rd_kafka_t *, const rd_kafka_message_t *message, void *opaque) {
        auto *self = static_cast<RdkafkaUnderTest *>(opaque);
        Report report;
        report.id = static_cast<int64_t>(reinterpret_cast<intptr_t>(message->_private)) - 1;
        report.topic = rd_kafka_topic_name(message->rkt);
        report.persisted = persisted_of(message);
        report.partition = message->partition;
        report.offset = message->offset;
        const rd_kafka_resp_err_t err = message->err;
        if (err == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT) {
            report.err = KPROD_ERR_MSG_TIMED_OUT;
        } else if (err == RD_KAFKA_RESP_ERR__TRANSPORT) {
            report.err = KPROD_ERR_TRANSPORT;
        } else if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            // Kafka's code, or librdkafka's own (negative).
            report.err = KPROD_ERR_BROKER;
            report.broker_error = static_cast<int16_t>(err);
        }
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->ready_.push_back(std::move(report));
    }

    // The first few errors, and every fatal one; an outage makes hundreds.
    static void on_error(rd_kafka_t *, int err, const char *reason, void *opaque) {
        auto *self = static_cast<RdkafkaUnderTest *>(opaque);
        if (err != RD_KAFKA_RESP_ERR__FATAL && ++self->errors_logged_ > 20) return;
        std::fprintf(stderr, "librdkafka: %s: %s\n",
                     rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }

    rd_kafka_t *handle_ = nullptr;
    std::mutex mutex_;
    std::vector<Report> ready_;
    std::atomic<int> errors_logged_{0};
};

}  // namespace fault
