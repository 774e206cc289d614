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
