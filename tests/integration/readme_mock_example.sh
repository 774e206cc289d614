#!/usr/bin/env bash
# The README's "Testing without a broker", as a reader would use it: its C code
# saved as mock_example.c at the top of a copy of the repository (include/ and
# build/ linked in), its sh block run there line by line as printed, and what
# that prints compared with the section's text block, line for line. No broker:
# the example uses bootstrap.servers=mock://3. One change only: a sanitized
# libkprod gets its runtime flags added to cc (KPROD_EXAMPLE_CFLAGS).
# Usage: readme_mock_example.sh SOURCE_DIR LIBRARY_DIR
set -euo pipefail
test_name=readme_mock_example
source_dir=$1
library_dir=$2
# shellcheck source=harness.sh
source "$source_dir/tests/integration/harness.sh"

section() { readme_block "Testing without a broker" "$1"; }
make_readme_workspace "$library_dir"
readme=$work/readme
section c >"$readme/mock_example.c"
section sh >"$work/commands.sh"
section text >"$work/expected"
for fence in c sh text; do
    [[ -n "$(section "$fence")" ]] ||
        fail "no \`\`\`$fence block in the README's \"Testing without a broker\""
done
grep -F 'mock_example.c' "$work/commands.sh" >/dev/null ||
    fail "the README's commands no longer build mock_example.c; update this test"
grep -F '"mock://' "$readme/mock_example.c" >/dev/null ||
    fail "the README's example no longer uses bootstrap.servers=mock://N"

# The commands as printed, one by one, stopping at the first that fails.
run_readme_commands "$work/commands.sh"
diff -u "$work/expected" "$work/output" >&2 || {
    cat "$work/trace" >&2
    fail "the example printed something else than the README says (diff above: - README, + printed)"
}
echo "1 passed, 0 failed: the README's mock example built and ran as printed, and printed $(wc -l <"$work/expected") lines as the README says"
