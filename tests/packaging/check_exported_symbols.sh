#!/usr/bin/env bash
# Only the C ABI leaves the library: every symbol that libkprod.so defines in its
# dynamic symbol table is kprod_* (besides the version node of src/capi/kprod.map),
# and every function kprod.h declares is among them. When libkprod.a was built
# (KPROD_BUILD_STATIC), its strong global symbols must be kprod_* as well.
# Usage: check_exported_symbols.sh LIBKPROD_SO KPROD_H [LIBKPROD_A]
set -euo pipefail
library=$1
header=$2
archive=${3:-}
failed=0

# nm -D prints "address type name@@VERSION"; absolute (A) symbols are version nodes.
exported=$(nm -D --defined-only "$library" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' | sort -u)
version_nodes=$(nm -D --defined-only "$library" | awk '$2 == "A" { print $3 }')
foreign=$(grep -v '^kprod_' <<<"$exported" || true)
if [[ -n "$foreign" ]]; then
    echo "FAILED: $library exports symbols outside the kprod_ namespace:" >&2
    echo "$foreign" >&2
    failed=1
fi
if grep -qv '^KPROD_[0-9_.]*$' <<<"$version_nodes"; then
    echo "FAILED: unexpected absolute symbols in $library: $version_nodes" >&2
    failed=1
fi

declared=$(grep -oE '^KPROD_EXTERN[^(]*\bkprod_[a-z0-9_]+\(' "$header" | grep -oE 'kprod_[a-z0-9_]+\($' |
    tr -d '(' | sort -u)
missing=$(comm -23 <(echo "$declared") <(echo "$exported"))
if [[ -z "$declared" ]]; then
    echo "FAILED: found no KPROD_EXTERN declarations in $header" >&2
    failed=1
elif [[ -n "$missing" ]]; then
    echo "FAILED: declared in kprod.h but not exported by $library:" >&2
    echo "$missing" >&2
    failed=1
fi
echo "$library: $(wc -l <<<"$exported") symbols exported, all kprod_*; $(wc -l <<<"$declared") declared in kprod.h"

if [[ -n "$archive" && -e "$archive" ]]; then
    # Weak (W, V) and unique (u) symbols are template and inline instantiations that
    # the linker merges with the program's own; strong ones would collide.
    strong=$(nm -g --defined-only "$archive" | awk 'NF == 3 && $2 ~ /^[TDBRCG]$/ { print $3 }' | sort -u)
    foreign=$(grep -v '^kprod_' <<<"$strong" || true)
    if [[ -n "$foreign" ]]; then
        echo "FAILED: $archive defines global symbols outside the kprod_ namespace:" >&2
        head -n 20 <<<"$foreign" >&2
        failed=1
    else
        echo "$archive: $(wc -l <<<"$strong") strong global symbols, all kprod_*"
    fi
fi
exit $failed
