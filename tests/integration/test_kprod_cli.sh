#!/usr/bin/env bash
# tools/kprod, the command-line producer: lines piped in arrive as records (keys,
# headers, values, a custom delimiter, a fixed partition), kcat reads them back,
# and the exit status and summary tell delivered from failed.
# Usage: test_kprod_cli.sh SOURCE_DIR KPROD_BINARY
set -euo pipefail
# Pipes end in `grep ... >/dev/null`, not `grep -q`: -q stops reading at the first
# match, and the writer's SIGPIPE would then fail the pipeline under pipefail.
source_dir=$1
kprod=$2
test_name=test_kprod_cli
# shellcheck source=harness.sh
source "$source_dir/tests/integration/harness.sh"
trap 'echo "test_kprod_cli: a command failed at line $LINENO" >&2' ERR

# --help and bad usage need no broker.
"$kprod" --help | grep -- '-K DELIM' >/dev/null || fail "--help does not describe -K"
status=0
"$kprod" -b "$bootstrap" -t x -X no.such.property=1 </dev/null 2>"$work/err" || status=$?
[[ $status == 2 ]] || fail "an unknown property exited $status, expected 2"
grep -q 'no.such.property' "$work/err" || fail "the error does not name the property: $(cat "$work/err")"

# 1. Keyed lines from standard input, two headers (one with a null value).
count=2000
topic="it-cli-$(date +%s)-$$"
create_topic "$topic" 3
for ((i = 0; i < count; i++)); do
    echo "user-$((i % 10)):event $i"
done >"$work/input"
"$kprod" -b "$bootstrap" -t "$topic" -K : -H source=kprod-cli -H trace -X linger.ms=20 \
    <"$work/input" 2>"$work/summary" || fail "kprod exited non-zero: $(cat "$work/summary")"
grep -qx "kprod: $count delivered, 0 failed (topic $topic)" "$work/summary" ||
    fail "unexpected summary: $(cat "$work/summary")"

read_back "$topic" >"$work/consumed"
[[ $(wc -l <"$work/consumed") == "$count" ]] || fail "kcat read $(wc -l <"$work/consumed") records, expected $count"
bad=$(awk -F'\t' '{ split($4, words, " "); n = words[2];
                    if ($2 != "user-" (n % 10) || $3 != "source=kprod-cli,trace=NULL" || $4 != "event " n) print }' \
    "$work/consumed" | head -n 3)
[[ -z "$bad" ]] || fail "records read back differ from the lines sent: $bad"
[[ $(cut -f4 "$work/consumed" | sort -u | wc -l) == "$count" ]] || fail "records are missing or duplicated"
# One key, one partition.
split_keys=$(cut -f1,2 "$work/consumed" | sort -u | cut -f2 | sort | uniq -d)
[[ -z "$split_keys" ]] || fail "keys spread over several partitions: $split_keys"

# 2. Records from two files split by a two-byte delimiter, all to partition 2; the
#    empty remainder after the final delimiter is no record, -Z makes the empty one null.
topic2="$topic-delim"
create_topic "$topic2" 3
printf 'alpha||beta||||gamma||' >"$work/one"
printf 'delta' >"$work/two"
"$kprod" -b "$bootstrap" -t "$topic2" -p 2 -D '||' -Z -q "$work/one" "$work/two" 2>"$work/summary" ||
    fail "kprod with -D exited non-zero: $(cat "$work/summary")"
[[ ! -s "$work/summary" ]] || fail "-q printed a summary although everything was delivered"
read_back "$topic2" | cut -f1,4 >"$work/consumed2"
printf '2\talpha\n2\tbeta\n2\tNULL\n2\tgamma\n2\tdelta\n' >"$work/expected2"
diff "$work/expected2" "$work/consumed2" >&2 || fail "records split by -D '||' differ (expected, read)"

# 3. A partition the topic lacks: nothing is delivered, the summary says why, status 1.
status=0
printf 'x\ny\n' | "$kprod" -b "$bootstrap" -t "$topic2" -p 7 2>"$work/summary" || status=$?
[[ $status == 1 ]] || fail "sending to a missing partition exited $status, expected 1"
grep -q "0 delivered, 2 failed" "$work/summary" || fail "unexpected summary: $(cat "$work/summary")"
grep -q "unknown partition" "$work/summary" || fail "the summary does not name the error: $(cat "$work/summary")"

# 4. Records trickling in (tail -f | kprod) are sent as they come, not when the input ends.
topic3="$topic-stream"
create_topic "$topic3" 1
mkfifo "$work/fifo"
"$kprod" -b "$bootstrap" -t "$topic3" -q <"$work/fifo" &
kprod_pid=$!
exec 7>"$work/fifo"
echo first >&7
for _ in $(seq 50); do
    [[ $(read_back "$topic3" | wc -l) == 1 ]] && break
    sleep 0.2
done
arrived=$(read_back "$topic3" | wc -l)
echo second >&7
exec 7>&-
wait "$kprod_pid" || fail "kprod reading a pipe exited non-zero"
[[ $arrived == 1 ]] || fail "a line written to an open pipe was not sent within 10 s"
[[ $(read_back "$topic3" | cut -f4 | paste -sd,) == "first,second" ]] || fail "the pipe's records differ"

echo "1 passed, 0 failed: kprod sent $count keyed lines, delimited files, a pipe and a failing partition; kcat agrees"
