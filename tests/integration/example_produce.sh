#!/usr/bin/env bash
# A C program compiled with only include/kprod.h and -lkprod (examples/produce.c)
# produces 100,000 records; Kafka's own console consumer reads them all back.
# Usage: example_produce.sh SOURCE_DIR LIBRARY_DIR
set -euo pipefail
source_dir=$1
library_dir=$2
kafka_local=${KPROD_KAFKA_LOCAL:-$source_dir/scripts/kafka-local}
bootstrap=${KPROD_BOOTSTRAP:-127.0.0.1:9092}
count=100000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shellcheck disable=SC2086 # KPROD_EXAMPLE_CFLAGS holds several flags (sanitizer builds)
cc -std=c99 -Wall -Wextra -Werror ${KPROD_EXAMPLE_CFLAGS:-} -o "$work/produce" "$source_dir/examples/produce.c" \
    -I"$source_dir/include" -L"$library_dir" -lkprod
topic="it-example-$(date +%s)-$$"
KAFKA_PORT=${bootstrap##*:} "$kafka_local" create-topic "$topic" 6 >&2

LD_LIBRARY_PATH=$library_dir "$work/produce" "$bootstrap" "$topic" "$count" >"$work/produce.out"
grep -qx "$count delivered, 0 failed" "$work/produce.out" || {
    cat "$work/produce.out" >&2
    echo "example_produce: the example did not report $count deliveries" >&2
    exit 1
}

KAFKA_PORT=${bootstrap##*:} KAFKA_CONSUME_TIMEOUT_MS=20000 "$kafka_local" consume "$topic" \
    --max-messages "$count" >"$work/consumed" 2>/dev/null
read_back=$(wc -l <"$work/consumed")
distinct=$(cut -f5 "$work/consumed" | sort -u | wc -l)
if [[ "$read_back" != "$count" || "$distinct" != "$count" ]]; then
    echo "example_produce: console consumer read $read_back records ($distinct distinct), expected $count" >&2
    exit 1
fi
# Every record kept its key, header and value.
bad=$(awk -F'\t' '{ split($5, words, " "); n = words[5];
                    if ($3 != "source:examples/produce.c" || $4 != "key-" n) print }' "$work/consumed" | head -3)
if [[ -n "$bad" ]]; then
    echo "example_produce: records read back differ from what was sent:" >&2
    echo "$bad" >&2
    exit 1
fi
echo "1 passed, 0 failed: $count records from examples/produce.c read back by Kafka's console consumer"
