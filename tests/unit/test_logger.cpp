// Tests for base/logger: without a log callback, a warning and an error each
// reach stderr as exactly one line, "kprod LEVEL [context] message", so do
// the debug lines of the categories `debug` names (asked for, they must show:
// they once went nowhere without a callback), and informational lines go
// nowhere (kprod.h, kprod_conf_set_log_cb).
// stderr is redirected to a temporary file around each call.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "base/logger.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
// cmocka 1.1.5's header has no extern "C" guard of its own; it also defines
// fail() and skip() as macros, so it comes after every other header.
extern "C" {
#include <cmocka.h>
}

namespace {

using kprod::client::Logger;

// Every debug category on: only the missing callback keeps debug lines out.
constexpr uint32_t kAllCategories = 1u << static_cast<uint32_t>(Logger::Category::kAll);

// What `log_something` wrote to file descriptor 2.
template <typename Action>
std::string captured_stderr(Action log_something) {
    std::FILE *capture = std::tmpfile();
    assert_non_null(capture);
    std::fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(capture), STDERR_FILENO) >= 0);
    log_something();
    std::fflush(stderr);
    assert_true(dup2(saved, STDERR_FILENO) >= 0);
    close(saved);
    std::rewind(capture);
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, capture)) > 0) text.append(buffer, n);
    std::fclose(capture);
    return text;
}

void test_warning_is_one_line_on_stderr(void **) {
    const Logger logger({}, "app-1", kAllCategories);
    const std::string text =
        captured_stderr([&] { logger.warn("broker 2 127.0.0.1:9093", "connection lost"); });
    assert_string_equal(text.c_str(),
                        "kprod WARN [app-1 broker 2 127.0.0.1:9093] connection lost\n");
}

void test_error_is_one_line_on_stderr(void **) {
    const Logger logger({}, "app-1", kAllCategories);
    const std::string text = captured_stderr([&] { logger.error("", "authentication failed"); });
    assert_string_equal(text.c_str(), "kprod ERROR [app-1] authentication failed\n");
}

void test_info_stays_off_stderr_and_debug_shows_when_asked_for(void **) {
    const Logger logger({}, "app-1", 1u << static_cast<uint32_t>(Logger::Category::kMetadata));
    assert_true(logger.debug_enabled(Logger::Category::kMetadata));
    assert_false(logger.debug_enabled(Logger::Category::kProduce));
    const std::string text = captured_stderr([&] {
        logger.info("", "connected");
        logger.debug(Logger::Category::kMetadata, "broker 1 127.0.0.1:9092", "metadata for t");
        logger.debug(Logger::Category::kProduce, "", "not asked for");
    });
    assert_string_equal(text.c_str(),
                        "kprod DEBUG [app-1 broker 1 127.0.0.1:9092] metadata for t\n");
}

// In one run: the warning and the error, one line each, nothing between them.
void test_levels_together(void **) {
    const Logger logger({}, "app-2", kAllCategories);
    const std::string text = captured_stderr([&] {
        logger.debug(Logger::Category::kProduce, "", "debug");
        logger.warn("", "first");
        logger.info("", "info");
        logger.error("", "second");
    });
    assert_string_equal(text.c_str(),
                        "kprod DEBUG [app-2] debug\nkprod WARN [app-2] first\nkprod "
                        "ERROR [app-2] second\n");
}

}  // namespace

int main() {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_warning_is_one_line_on_stderr),
        cmocka_unit_test(test_error_is_one_line_on_stderr),
        cmocka_unit_test(test_info_stays_off_stderr_and_debug_shows_when_asked_for),
        cmocka_unit_test(test_levels_together),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
