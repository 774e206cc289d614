// The library's version: kprod_version() and kprod_version_str() say what the
// macros of kprod.h say, and that is 1.0.0, the version whose ABI abi/ freezes
// (CMakeLists.txt checks that its VERSION agrees with the macros).

#include <string>

#include "kprod.h"

extern "C" {
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
}

namespace {

void test_functions_agree_with_the_macros(void **) {
    assert_int_equal(kprod_version(), KPROD_VERSION_NUMBER);
    const std::string text = std::to_string(KPROD_VERSION_MAJOR) + "." +
                             std::to_string(KPROD_VERSION_MINOR) + "." +
                             std::to_string(KPROD_VERSION_PATCH);
    assert_string_equal(kprod_version_str(), text.c_str());
}

void test_version_is_1_0_0(void **) {
    assert_int_equal(KPROD_VERSION_MAJOR, 1);
    assert_int_equal(kprod_version(), 10000);
    assert_string_equal(kprod_version_str(), "1.0.0");
}

}  // namespace

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_functions_agree_with_the_macros),
        cmocka_unit_test(test_version_is_1_0_0),
    };
    return cmocka_run_group_tests(tests, nullptr, nullptr);
}
