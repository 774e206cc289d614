#!/usr/bin/env bash
# tools/kprod-perf, the benchmark tool bench/run drives: in both report modes (a
# report thread of its own; --sender-reports, kprod's Sender thread), and with two
# sending threads spreading the records over three topics (--threads 2 --topics 3),
# it sends the records it was asked for, prints Kafka's summary line with every
# record counted and its CPU per thread, and kcat reads every record back.
# Usage: test_kprod_perf.sh SOURCE_DIR KPROD_PERF_BINARY
set -euo pipefail
source_dir=$1
kprod_perf=$2
test_name=test_kprod_perf
# shellcheck source=harness.sh
source "$source_dir/tests/integration/harness.sh"

records=20000

# Runs kprod-perf on topic $1 with the extra options after it; checks its output.
run_perf() { # mode topic [options]
    local mode=$1 topic=$2
    shift 2
    "$kprod_perf" --topic "$topic" --num-records $records --record-size 100 \
        --throughput 10000 --producer-props bootstrap.servers="$bootstrap" linger.ms=0 \
        acks=all "$@" >"$work/out" 2>"$work/err" ||
        fail "$mode: exit status $?: $(cat "$work/err")"
    summary=$(grep ' ms 99.9th\.$' "$work/out") || fail "$mode: no summary line in: $(cat "$work/out")"
    [[ $summary == "$records records sent, "* ]] || fail "$mode: summary says: $summary"
    grep '^Latency in microseconds: ' "$work/out" >/dev/null || fail "$mode: no latency line"
    grep -E '^threads: app=[0-9.]+ other=[0-9.]+$' "$work/out" >/dev/null ||
        fail "$mode: no 'threads:' line in: $(cat "$work/out")"
}

for mode in report-thread sender-reports; do
    topic=it-perf-$mode-$(date +%s%N)
    create_topic "$topic" 2
    extra=()
    [[ $mode == sender-reports ]] && extra=(--sender-reports)
    run_perf "$mode" "$topic" "${extra[@]}"
    read=$(read_back "$topic" '%S\n' | grep -c '^100$' || true)
    [[ $read == "$records" ]] || fail "$mode: kcat read $read records of 100 bytes, not $records"
    echo "kprod-perf ($mode): $records records sent and reported, kcat read them all: $summary" >&2
done

# Two sending threads, three topics: record i goes to topic-(i mod 3), so each topic
# holds a third of the records (6667, 6667, 6666), and both threads send.
mode="threads 2, topics 3"
topic=it-perf-threads-$(date +%s%N)
for k in 0 1 2; do create_topic "$topic-$k" 2; done
run_perf "$mode" "$topic" --threads 2 --topics 3
thread_cpu=$(grep '^thread cpu: ' "$work/out") || fail "$mode: no 'thread cpu:' line"
[[ " ${thread_cpu#thread cpu: }" == *" perf-send-0="*" perf-send-1="* ||
    " ${thread_cpu#thread cpu: }" == *" perf-send-1="*" perf-send-0="* ]] ||
    fail "$mode: not two sending threads in: $thread_cpu"
total=0
for k in 0 1 2; do
    read=$(read_back "$topic-$k" '%S\n' | grep -c '^100$' || true)
    expected=$(((records - k + 2) / 3))
    [[ $read == "$expected" ]] || fail "$mode: kcat read $read records from $topic-$k, not $expected"
    total=$((total + read))
done
[[ $total == "$records" ]] || fail "$mode: kcat read $total records in all, not $records"
echo "kprod-perf ($mode): $records records sent and reported, kcat read them all across the 3 topics: $summary" >&2

echo "1 passed, 0 failed: kprod-perf with a report thread, with --sender-reports, and with --threads 2 --topics 3"
