# Shared helpers for the integration tests written in bash, as harness.h is for
# the C++ ones. Source it after setting test_name and source_dir; it sets
# kafka_local, bootstrap and a scratch directory $work removed on exit.
kafka_local=${KPROD_KAFKA_LOCAL:-$source_dir/scripts/kafka-local}
bootstrap=${KPROD_BOOTSTRAP:-127.0.0.1:9092}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
    echo "$test_name: $*" >&2
    exit 1
}

create_topic() { # name partitions
    KAFKA_PORT=${bootstrap##*:} "$kafka_local" create-topic "$1" "$2" >&2
}

# Every record of a topic, one line each in kcat's FORMAT (by default
# "partition<TAB>key<TAB>headers<TAB>value"), nulls as NULL. kcat is retried:
# right after a topic is created its leader may not be known yet.
read_back() { # topic [format]
    local attempt
    for attempt in 1 2 3 4 5; do
        if kcat -C -b "$bootstrap" -t "$1" -e -q -Z -f "${2:-%p\t%k\t%h\t%s\n}" \
            >"$work/read_back" 2>"$work/kcat.err"; then
            cat "$work/read_back"
            return 0
        fi
        sleep "$attempt"
    done
    fail "kcat cannot read $1: $(cat "$work/kcat.err")"
}

# The README's examples, as a reader would use them (readme_example.sh,
# readme_mock_example.sh). The first ```FENCE block of the section "## HEADING".
readme_block() { # heading fence
    awk -v heading="## $1" -v fence="$2" '
        /^## / { in_section = ($0 == heading) }
        in_section && !done && $0 == "```" fence { in_block = 1; next }
        in_block && $0 == "```" { in_block = 0; done = 1 }
        in_block { print }' "$source_dir/README.md"
}

# $work/readme: the top of a copy of the repository, include/ and build/ linked in.
make_readme_workspace() { # library_dir
    mkdir "$work/readme"
    ln -s "$source_dir/include" "$work/readme/include"
    ln -s "$1" "$work/readme/build"
}

# Runs the commands of a file in $work/readme one by one as printed, stopping
# at the first that fails; output to $work/output, the trace to $work/trace.
# A sanitized libkprod gets its runtime flags added to cc (KPROD_EXAMPLE_CFLAGS).
run_readme_commands() { # commands_file
    local cc_prefix=""
    if [[ -n "${KPROD_EXAMPLE_CFLAGS:-}" ]]; then
        cc_prefix="cc() { command cc $KPROD_EXAMPLE_CFLAGS \"\$@\"; }"
    fi
    (cd "$work/readme" && bash -e -x -c "$cc_prefix"$'\n'"$(cat "$1")") >"$work/output" 2>"$work/trace" || {
        cat "$work/trace" "$work/output" >&2
        fail "the README's commands failed"
    }
}
