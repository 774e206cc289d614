// kprod's own error codes by name: kprod_err_name spells each code as kprod.h
// does, for every code there is, and answers NULL for a value that is not one;
// kprod_err_str has a description for each.

#include <cstring>
#include <set>
#include <string>

#include "kprod.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

namespace {

constexpr int kLastCode = KPROD_ERR_PURGED;

void test_names_spell_the_header(void **) {
    assert_string_equal(kprod_err_name(KPROD_OK), "KPROD_OK");
    assert_string_equal(kprod_err_name(KPROD_ERR_INVALID_ARG), "KPROD_ERR_INVALID_ARG");
    assert_string_equal(kprod_err_name(KPROD_ERR_QUEUE_FULL), "KPROD_ERR_QUEUE_FULL");
    assert_string_equal(kprod_err_name(KPROD_ERR_FORKED), "KPROD_ERR_FORKED");
    assert_string_equal(kprod_err_name(KPROD_ERR_SSL_HANDSHAKE), "KPROD_ERR_SSL_HANDSHAKE");
    assert_string_equal(kprod_err_name(KPROD_ERR_TXN_ABORTED), "KPROD_ERR_TXN_ABORTED");
    assert_string_equal(kprod_err_name(KPROD_ERR_PURGED), "KPROD_ERR_PURGED");
}

// Each error a transactional call returns belongs to one of Java's classes (KIP-1050).
void test_transactional_error_classes(void **) {
    assert_int_equal(kprod_txn_error_class(KPROD_OK), KPROD_TXN_ERROR_NONE);
    assert_int_equal(kprod_txn_error_class(KPROD_ERR_STATE), KPROD_TXN_ERROR_NONE);
    assert_int_equal(kprod_txn_error_class(KPROD_ERR_INVALID_ARG), KPROD_TXN_ERROR_NONE);
    assert_int_equal(kprod_txn_error_class(KPROD_ERR_TIMED_OUT), KPROD_TXN_ERROR_RETRIABLE);
    assert_int_equal(kprod_txn_error_class(KPROD_ERR_TXN_ABORTABLE), KPROD_TXN_ERROR_ABORTABLE);
    const kprod_err_t fatal[] = {KPROD_ERR_FENCED, KPROD_ERR_AUTHORIZATION, KPROD_ERR_UNSUPPORTED,
                                 KPROD_ERR_FATAL,  KPROD_ERR_CLOSED,        KPROD_ERR_FORKED};
    for (kprod_err_t err : fatal)
        assert_int_equal(kprod_txn_error_class(err), KPROD_TXN_ERROR_FATAL);
}

// Every code from KPROD_OK to the last has a name of its own and a description.
void test_every_code_has_a_name(void **) {
    std::set<std::string> names;
    for (int code = KPROD_OK; code <= kLastCode; ++code) {
        const char *name = kprod_err_name(static_cast<kprod_err_t>(code));
        if (!name) fail_msg("code %d has no name", code);
        if (std::strncmp(name, code == 0 ? "KPROD_OK" : "KPROD_ERR_", code == 0 ? 9 : 10) != 0)
            fail_msg("code %d is named %s", code, name);
        names.insert(name);
        assert_string_not_equal(kprod_err_str(static_cast<kprod_err_t>(code)),
                                "unknown error code");
    }
    assert_int_equal(names.size(), kLastCode + 1);
}

void test_values_that_are_no_code_have_no_name(void **) {
    assert_null(kprod_err_name(static_cast<kprod_err_t>(kLastCode + 1)));
    assert_null(kprod_err_name(static_cast<kprod_err_t>(-1)));
    assert_string_equal(kprod_err_str(static_cast<kprod_err_t>(kLastCode + 1)),
                        "unknown error code");
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_spell_the_header),
        cmocka_unit_test(test_every_code_has_a_name),
        cmocka_unit_test(test_transactional_error_classes),
        cmocka_unit_test(test_values_that_are_no_code_have_no_name),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
