// Logger: where a producer's log lines go. The application's callback
// (kprod_conf_set_log_cb) gets every error, warning and informational line,
// and debug lines of the categories the `debug` property switched on;
// without a callback, errors and warnings go to stderr, one line each
// ("kprod WARN [context] message"; tests/unit/test_logger.cpp).
// Immutable after construction, so any thread may log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kprod.h"

namespace kprod::client {

struct LogCallback {
    kprod_log_cb fn = nullptr;
    void *opaque = nullptr;
};

class Logger {
public:
    // In the order of the `debug` property's choices (config_table.cpp).
    enum class Category : uint32_t { kBroker = 0, kMetadata, kProduce, kIdempotence, kAll };

    Logger(LogCallback callback, std::string client_id, uint32_t debug_categories);

    // Whether a debug line of the category would go anywhere: check before building one.
    bool debug_enabled(Category category) const {
        return (debug_mask_ & (1u << static_cast<uint32_t>(category))) != 0;
    }

    // `about` adds to the context (e.g. "broker 2 127.0.0.1:9093"); may be empty.
    void log(kprod_log_level_t level, std::string_view about, std::string_view message) const;
    void error(std::string_view about, std::string_view message) const {
        log(KPROD_LOG_ERROR, about, message);
    }
    void warn(std::string_view about, std::string_view message) const {
        log(KPROD_LOG_WARN, about, message);
    }
    void info(std::string_view about, std::string_view message) const {
        log(KPROD_LOG_INFO, about, message);
    }
    void debug(Category category, std::string_view about, std::string_view message) const {
        if (debug_enabled(category)) log(KPROD_LOG_DEBUG, about, message);
    }

private:
    const LogCallback callback_;
    const std::string client_id_;
    const uint32_t debug_mask_;
};

}  // namespace kprod::client
