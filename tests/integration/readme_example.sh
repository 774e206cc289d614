#!/usr/bin/env bash
# The README's "A short example", as a reader would use it: its C code saved as
# example.c at the top of a copy of the repository (include/ and build/ linked in),
# its sh block run there line by line as printed, and the record it reports read back
# at the partition and offset it printed. Two changes only: the code's bootstrap
# address becomes KPROD_BOOTSTRAP when that differs, and a sanitized libkprod gets
# its runtime flags added to cc (KPROD_EXAMPLE_CFLAGS).
# Usage: readme_example.sh SOURCE_DIR LIBRARY_DIR
set -euo pipefail
test_name=readme_example
source_dir=$1
library_dir=$2
# shellcheck source=harness.sh
source "$source_dir/tests/integration/harness.sh"

section() { readme_block "A short example" "$1"; }
make_readme_workspace "$library_dir"
readme=$work/readme
section c >"$readme/example.c"
section sh >"$work/commands.sh"
[[ -s "$readme/example.c" ]] || fail "no \`\`\`c block in the README's \"A short example\""
[[ -s "$work/commands.sh" ]] || fail "no \`\`\`sh block in the README's \"A short example\""
grep -F '"127.0.0.1:9092"' "$readme/example.c" >/dev/null ||
    fail "the README's example no longer connects to 127.0.0.1:9092; update this test"
sed -i "s/\"127\.0\.0\.1:9092\"/\"$bootstrap\"/" "$readme/example.c"
topic=events
grep -F "msg.topic = \"$topic\";" "$readme/example.c" >/dev/null ||
    fail "the README's example no longer sends to \"$topic\"; update this test"
create_topic "$topic" 1

# The commands as printed, one by one, stopping at the first that fails.
run_readme_commands "$work/commands.sh"

# "events [P] @ OFFSET: success", then the record there is the one sent.
line=$(cat "$work/output")
[[ "$line" =~ ^$topic\ \[([0-9]+)\]\ @\ ([0-9]+):\ success$ ]] ||
    { cat "$work/trace" >&2; fail "the example printed \"$line\", not one successful report"; }
partition=${BASH_REMATCH[1]}
offset=${BASH_REMATCH[2]}
record=$(kcat -C -b "$bootstrap" -t "$topic" -p "$partition" -o "$offset" -c 1 -e -q -f '%k %s\n' 2>&1) ||
    fail "kcat cannot read $topic [$partition] @ $offset: $record"
[[ "$record" == "user-42 clicked" ]] || fail "$topic [$partition] @ $offset holds \"$record\", not \"user-42 clicked\""
echo "1 passed, 0 failed: the README's example built and ran as printed; $topic [$partition] @ $offset read back"
