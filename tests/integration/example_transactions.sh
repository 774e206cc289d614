#!/usr/bin/env bash
# examples/transactions.c, compiled with only include/kprod.h and -lkprod,
# commits 20 transactions of 500 records; kcat with read_committed reads
# back each record exactly once.
# Usage: example_transactions.sh SOURCE_DIR LIBRARY_DIR
set -euo pipefail
source_dir=$1
library_dir=$2
kafka_local=${KPROD_KAFKA_LOCAL:-$source_dir/scripts/kafka-local}
bootstrap=${KPROD_BOOTSTRAP:-127.0.0.1:9092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2086 # KPROD_EXAMPLE_CFLAGS holds several flags (sanitizer builds)
cc -std=c99 -Wall -Wextra -Werror ${KPROD_EXAMPLE_CFLAGS:-} -o "$work/transactions" \
    "$source_dir/examples/transactions.c" -I"$source_dir/include" -L"$library_dir" -lkprod
topic="it-example-txn-$(date +%s)-$$"
KAFKA_PORT=${bootstrap##*:} "$kafka_local" create-topic "$topic" 3 >&2

LD_LIBRARY_PATH=$library_dir "$work/transactions" "$bootstrap" "$topic" "$topic-id" 20 500 \
    >"$work/out"
grep -qx "20 transactions of 500 records committed" "$work/out" || {
    cat "$work/out" >&2
    echo "example_transactions: the example did not commit 20 transactions" >&2
    exit 1
}
kcat -b "$bootstrap" -C -t "$topic" -o beginning -e -q -X isolation.level=read_committed \
    -f '%s\n' >"$work/read"
read_back=$(wc -l <"$work/read")
distinct=$(sort -u "$work/read" | wc -l)
if [[ "$read_back" != 10000 || "$distinct" != 10000 ]]; then
    echo "example_transactions: kcat read $read_back records ($distinct distinct), expected 10000" >&2
    exit 1
fi
echo "1 passed, 0 failed: 20 transactions from examples/transactions.c read back once each"
