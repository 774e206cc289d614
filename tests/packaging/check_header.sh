#!/usr/bin/env bash
# include/kprod.h compiles on its own, with every macro it offers in use, as C99 and
# as C++11 and C++20, under -Wall -Wextra -pedantic -Werror; and once more as C99
# with its experimental section (KPROD_EXPERIMENTAL).
# Usage: check_header.sh INCLUDE_DIR C_COMPILER CXX_COMPILER
set -euo pipefail
include_dir=$1
c_compiler=$2
cxx_compiler=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The header first, alone: it must bring everything it needs.
cat >"$work/use_header.c" <<'SOURCE'
#include <kprod.h>

#if KPROD_VERSION_NUMBER != KPROD_VERSION_MAJOR * 10000 + KPROD_VERSION_MINOR * 100 + KPROD_VERSION_PATCH
#error "KPROD_VERSION_NUMBER"
#endif

static void on_report(const kprod_report_t *report, void *opaque) {
    (void)report;
    (void)opaque;
}

int use_header(kprod_conf_t *conf);
int use_header(kprod_conf_t *conf) {
    kprod_message_t msg = KPROD_MESSAGE_INIT;
    kprod_header_t header = {"name", 4, "value", 5};
    kprod_report_cb cb = on_report;
    msg.headers = &header;
    msg.header_count = 1;
    msg.header_size = sizeof header;
    msg.partition = KPROD_PARTITION_ANY;
    (void)kprod_conf_set_report_cb(conf, cb, NULL);
#ifdef KPROD_EXPERIMENTAL
    (void)kprod_conf_set_sender_report_cb(conf, cb, NULL);
#endif
    return (int)kprod_version() + (int)msg.version + (int)sizeof(kprod_report_t) + (int)KPROD_OK +
           (int)KPROD_PERSISTED + (int)KPROD_REPORT_VERSION + (kprod_err_name(KPROD_OK) != NULL) +
           (kprod_broker_error_name(0) != NULL);
}
SOURCE
cp "$work/use_header.c" "$work/use_header.cpp"

failed=0
check() { # label compiler args...
    local label=$1
    shift
    if "$@" -Wall -Wextra -pedantic -Werror -I"$include_dir" -c -o "$work/out.o"; then
        echo "ok: kprod.h as $label"
    else
        echo "FAILED: kprod.h as $label" >&2
        failed=1
    fi
}
check "C99" "$c_compiler" -std=c99 -Wstrict-prototypes -Wmissing-prototypes "$work/use_header.c"
check "C++11" "$cxx_compiler" -std=c++11 "$work/use_header.cpp"
check "C++20" "$cxx_compiler" -std=c++20 "$work/use_header.cpp"
check "C99 with KPROD_EXPERIMENTAL" "$c_compiler" -std=c99 -Wstrict-prototypes -Wmissing-prototypes \
    -DKPROD_EXPERIMENTAL "$work/use_header.c"
exit $failed
