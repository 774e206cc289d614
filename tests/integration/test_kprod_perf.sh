#!/usr/bin/env bash
# tools/kprod-perf, the benchmark tool bench/run drives: in both report modes (a
# report thread of its own; --sender-reports, kprod's Sender thread) it sends the
# records it was asked for, prints Kafka's summary line with every record counted,
# and kcat reads every record back.
# Usage: test_kprod_perf.sh SOURCE_DIR KPROD_PERF_BINARY
set -euo pipefail
source_dir=$1
kprod_perf=$2
kafka_local=${KPROD_KAFKA_LOCAL:-$source_dir/scripts/kafka-local}
bootstrap=${KPROD_BOOTSTRAP:-127.0.0.1:9092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "test_kprod_perf: $*" >&2
    exit 1
}

records=20000
for mode in report-thread sender-reports; do
    topic=it-perf-$mode-$(date +%s%N)
    KAFKA_PORT=${bootstrap##*:} "$kafka_local" create-topic "$topic" 2 >&2
    extra=()
    [[ $mode == sender-reports ]] && extra=(--sender-reports)
    "$kprod_perf" --topic "$topic" --num-records $records --record-size 100 \
        --throughput 10000 --producer-props bootstrap.servers="$bootstrap" linger.ms=0 \
        acks=all "${extra[@]}" >"$work/out" 2>"$work/err" ||
        fail "$mode: exit status $?: $(cat "$work/err")"
    summary=$(grep ' ms 99.9th\.$' "$work/out") || fail "$mode: no summary line in: $(cat "$work/out")"
    [[ $summary == "$records records sent, "* ]] || fail "$mode: summary says: $summary"
    grep '^Latency in microseconds: ' "$work/out" >/dev/null || fail "$mode: no latency line"
    read=0
    for attempt in 1 2 3 4 5; do
        if read=$(kcat -C -b "$bootstrap" -t "$topic" -e -q -f '%S\n' 2>"$work/kcat.err" | grep -c '^100$'); then
            break
        fi
        sleep "$attempt"
    done
    [[ $read == "$records" ]] || fail "$mode: kcat read $read records of 100 bytes, not $records"
    echo "kprod-perf ($mode): $records records sent and reported, kcat read them all: $summary" >&2
done
echo "1 passed, 0 failed: kprod-perf with a report thread and with --sender-reports"
