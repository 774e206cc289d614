// RotatingCredentials: the SASL PLAIN/SCRAM user name and password of a
// running producer, replaced by kprod_sasl_set_credentials while records flow
// (librdkafka's rd_kafka_sasl_set_credentials). Each new connection and each
// re-authentication (KIP-368) reads the pair current when it starts; an
// exchange already under way finishes with the pair it began with, so nothing
// in flight is dropped.
// Runs on: any thread (replace), sender thread (current). mutex_ guards the pair.
#pragma once

#include <mutex>
#include <string>
#include <utility>

namespace kprod::client {

class RotatingCredentials {
public:
    RotatingCredentials(std::string username, std::string password)
        : username_(std::move(username)), password_(std::move(password)) {}

    void replace(std::string username, std::string password) {
        std::lock_guard lock(mutex_);
        username_ = std::move(username);
        password_ = std::move(password);
    }

    // Copies the pair current now.
    void current(std::string &username, std::string &password) const {
        std::lock_guard lock(mutex_);
        username = username_;
        password = password_;
    }

private:
    mutable std::mutex mutex_;  // guards the following
    std::string username_;
    std::string password_;
};

}  // namespace kprod::client
