#!/usr/bin/env bash
# scripts/check-layers passes on src/ as it is, and on a copy of src/ reports each
# include that runs against the layer order with its file:line and the rule.
# Usage: test_check_layers.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
check=$source_dir/scripts/check-layers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "test_check_layers: FAILED: $*" >&2
    exit 1
}

"$check" "$source_dir/src" >/dev/null || fail "src/ as committed breaks the layer order"

# A copy with three wrong includes, each appended as the file's last line.
cp -r "$source_dir/src" "$work/src"
wrong_include() { # file include -> prints file:line
    echo "#include \"$2\"" >>"$work/src/$1"
    echo "$work/src/$1:$(wc -l <"$work/src/$1")"
}
net_up=$(wrong_include net/connection.h sender/sender.h)        # net (6) -> sender (3)
protocol_up=$(wrong_include protocol/wire.h config/config.h)   # protocol (5) -> config (4)
unqualified=$(wrong_include producer/producer.cpp producer.h)  # no folder
# Same rank, and downward: allowed.
echo '#include "accumulator/topic.h"' >>"$work/src/metrics/metrics.h"
echo '#include "base/logger.h"' >>"$work/src/net/in_flight_requests.h"

if "$check" "$work/src" >"$work/out" 2>&1; then
    cat "$work/out" >&2
    fail "check-layers passed a copy of src/ with three wrong includes"
fi
expect() { # text
    grep -F -- "$1" "$work/out" >/dev/null || { cat "$work/out" >&2; fail "no line saying: $1"; }
}
expect "$net_up: net (layer 6) must not include sender (layer 3)"
expect "$protocol_up: protocol (layer 5) must not include config (layer 4)"
expect "$unqualified: \"producer.h\": include src/ headers by their folder"
expect "check-layers: 3 include(s) against the layer order"
reported=$(grep -c '^/.*:[0-9]*: ' "$work/out")
[[ "$reported" == 3 ]] || { cat "$work/out" >&2; fail "expected 3 offending lines, got $reported"; }

# A new folder must be given a rank.
mkdir "$work/src/newlayer" && echo '#pragma once' >"$work/src/newlayer/thing.h"
if "$check" "$work/src" >"$work/out" 2>&1; then fail "check-layers accepted a folder with no layer"; fi
expect "src/newlayer/ has no layer"
echo "1 passed, 0 failed: check-layers passes src/ and reports each wrong include with its file:line"
