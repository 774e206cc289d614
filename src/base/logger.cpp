#include "base/logger.h"

#include <cstdio>

namespace kprod::client {

namespace {

const char *level_name(kprod_log_level_t level) {
    switch (level) {
    case KPROD_LOG_ERROR:
        return "ERROR";
    case KPROD_LOG_WARN:
        return "WARN";
    case KPROD_LOG_INFO:
        return "INFO";
    case KPROD_LOG_DEBUG:
        return "DEBUG";
    }
    return "LOG";
}

// "all" switches on every category.
uint32_t expand_all(uint32_t mask) {
    const uint32_t all = 1u << static_cast<uint32_t>(Logger::Category::kAll);
    return (mask & all) ? ~0u : mask;
}

}  // namespace

Logger::Logger(LogCallback callback, std::string client_id, uint32_t debug_categories)
    : callback_(callback),
      client_id_(std::move(client_id)),
      debug_mask_(expand_all(debug_categories)) {}

void Logger::log(kprod_log_level_t level, std::string_view about, std::string_view message) const {
    // Debug lines exist only for the categories `debug` switched on: asked for, they are shown.
    if (!callback_.fn && level == KPROD_LOG_INFO) return;
    std::string context = client_id_;
    if (!about.empty()) {
        context += ' ';
        context += about;
    }
    const std::string line(message);
    if (callback_.fn) return callback_.fn(level, context.c_str(), line.c_str(), callback_.opaque);
    // One write per line, so that lines from several threads do not mix.
    std::fprintf(stderr, "kprod %s [%s] %s\n", level_name(level), context.c_str(), line.c_str());
}

}  // namespace kprod::client
