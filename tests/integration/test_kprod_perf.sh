#!/usr/bin/env bash
# tools/kprod-perf, the benchmark tool bench/run drives: in both report modes (a
# report thread of its own; --sender-reports, kprod's Sender thread) it sends the
# records it was asked for, prints Kafka's summary line with every record counted,
# and kcat reads every record back.
# Usage: test_kprod_perf.sh SOURCE_DIR KPROD_PERF_BINARY
set -euo pipefail
source_dir=$1
kprod_perf=$2
test_name=test_kprod_perf
# shellcheck source=harness.sh
source "$source_dir/tests/integration/harness.sh"

records=20000
for mode in report-thread sender-reports; do
    topic=it-perf-$mode-$(date +%s%N)
    create_topic "$topic" 2
    extra=()
    [[ $mode == sender-reports ]] && extra=(--sender-reports)
    "$kprod_perf" --topic "$topic" --num-records $records --record-size 100 \
        --throughput 10000 --producer-props bootstrap.servers="$bootstrap" linger.ms=0 \
        acks=all "${extra[@]}" >"$work/out" 2>"$work/err" ||
        fail "$mode: exit status $?: $(cat "$work/err")"
    summary=$(grep ' ms 99.9th\.$' "$work/out") || fail "$mode: no summary line in: $(cat "$work/out")"
    [[ $summary == "$records records sent, "* ]] || fail "$mode: summary says: $summary"
    grep '^Latency in microseconds: ' "$work/out" >/dev/null || fail "$mode: no latency line"
    read=$(read_back "$topic" '%S\n' | grep -c '^100$' || true)
    [[ $read == "$records" ]] || fail "$mode: kcat read $read records of 100 bytes, not $records"
    echo "kprod-perf ($mode): $records records sent and reported, kcat read them all: $summary" >&2
done
echo "1 passed, 0 failed: kprod-perf with a report thread and with --sender-reports"
