#!/usr/bin/env bash
# The Debian packages, end to end: builds them with CPack, checks their control
# fields and contents, installs them with dpkg, then builds examples/ against the
# INSTALLED files only, twice (cc with pkg-config, and a CMake project with
# find_package(kprod CONFIG)), plus once against libkprod.a, runs every program
# against a broker and checks with kcat that the records arrived. The packages are
# removed (purged) again on exit, whatever happened.
#
# Usage: test_debian_packages.sh SOURCE_DIR [BUILD_DIR]
#   BUILD_DIR is kept between runs so that later runs rebuild only what changed
#   (default: a temporary directory). Needs root (or password-less sudo) for dpkg.
#   Broker: KPROD_BOOTSTRAP (default 127.0.0.1:9092) and KPROD_KAFKA_LOCAL, as the
#   integration tests. Runs only with KPROD_TEST_PACKAGES=1, since it changes the
#   machine: `KPROD_TEST_PACKAGES=1 ctest -L packaging`. Exit 77 (skipped): not asked
#   to, no root, or kprod packages or files already on the machine, which this test
#   would otherwise replace and remove.
set -euo pipefail
# Pipes end in `grep ... >/dev/null`, not `grep -q`: -q stops reading at the first
# match, and the writer's SIGPIPE would then fail the pipeline under pipefail.
source_dir=$(cd "$1" && pwd)
build_dir=${2:-}
kafka_local=${KPROD_KAFKA_LOCAL:-$source_dir/scripts/kafka-local}
bootstrap=${KPROD_BOOTSTRAP:-127.0.0.1:9092}

say() { echo "test_debian_packages: $*"; }
fail() {
    echo "test_debian_packages: FAILED: $*" >&2
    exit 1
}
skip() {
    echo "test_debian_packages: SKIPPED: $*"
    exit 77
}

[[ "${KPROD_TEST_PACKAGES:-}" == 1 ]] ||
    skip "it installs packages with dpkg; run it with KPROD_TEST_PACKAGES=1"
as_root=()
if ((EUID != 0)); then
    sudo -n true 2>/dev/null || skip "dpkg needs root or password-less sudo"
    as_root=(sudo -n)
fi
for tool in cpack dpkg dpkg-deb pkg-config kcat; do
    command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
done

work=$(mktemp -d)
[[ -n "$build_dir" ]] || build_dir=$work/build
installed=() # packages this run installed, removed on exit
cleanup() {
    local status=$?
    if ((${#installed[@]} > 0)); then
        say "removing ${installed[*]}"
        "${as_root[@]}" dpkg --purge "${installed[@]}" >/dev/null || status=1
    fi
    rm -rf "$work"
    exit $status
}
trap cleanup EXIT
trap 'echo "test_debian_packages: a command failed at line $LINENO" >&2' ERR

# ---------------------------------------------------------------------------
# Build the packages, as a distribution would: prefix /usr, static library too.

started=$SECONDS
cmake -S "$source_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr \
    -DKPROD_BUILD_STATIC=ON -DKPROD_BUILD_TESTS=OFF >"$work/configure.log" ||
    { cat "$work/configure.log" >&2; fail "cmake configure"; }
cmake --build "$build_dir" -j2 >"$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; fail "build"; }
rm -f "$build_dir"/*.deb "$build_dir"/*.ddeb
(cd "$build_dir" && cpack -G DEB >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack"; }
say "built in $((SECONDS - started)) s:" "$(cd "$build_dir" && echo *.deb)"

soversion=$(readelf -d "$build_dir/libkprod.so" | sed -n 's/.*SONAME.*\[libkprod\.so\.\([0-9]*\)\].*/\1/p')
[[ -n "$soversion" ]] || fail "no SONAME in $build_dir/libkprod.so"
runtime=libkprod$soversion
declare -A deb_of
for deb in "$build_dir"/*.deb; do
    deb_of[$(dpkg-deb -f "$deb" Package)]=$deb
done
for package in "$runtime" libkprod-dev kprod; do
    [[ -n "${deb_of[$package]:-}" ]] || fail "cpack made no $package package (made: ${!deb_of[*]})"
done

# ---------------------------------------------------------------------------
# Control fields and contents.

depends_of() { dpkg-deb -f "${deb_of[$1]}" Depends; }
expect_depends() { # package word...
    local package=$1 depends word
    depends=$(depends_of "$package")
    shift
    for word in "$@"; do
        [[ ", $depends," == *", $word"[\ ,]* ]] || fail "$package Depends lacks $word: $depends"
    done
}
contents_of() { dpkg-deb -c "${deb_of[$1]}" | awk '{ print $6 }' | sed 's|^\./|/|'; }
expect_file() { # package path-regex
    contents_of "$1" | grep -E "$2" >/dev/null || fail "$1 does not contain $2"
}
expect_no_file() { # package path-regex
    if contents_of "$1" | grep -E "$2" >/dev/null; then fail "$1 contains $2"; fi
}

for package in "$runtime" libkprod-dev kprod; do
    say "$package: Depends: $(depends_of "$package")"
done
codec_runtime=(libzstd1 liblz4-1 zlib1g)
codec_dev=(libzstd-dev liblz4-dev zlib1g-dev)
if readelf -d "$build_dir/libkprod.so" | grep 'libsnappy' >/dev/null; then
    codec_runtime+=(libsnappy1v5)
    codec_dev+=(libsnappy-dev)
fi
# Kerberos (KPROD_GSSAPI): the runtime needs MIT's GSS-API library, the static archive its headers' package.
if readelf -d "$build_dir/libkprod.so" | grep 'libgssapi_krb5' >/dev/null; then
    codec_runtime+=(libgssapi-krb5-2)
    codec_dev+=(libkrb5-dev)
fi
expect_depends "$runtime" libc6 libstdc++6 "${codec_runtime[@]}"
expect_depends libkprod-dev "$runtime" "${codec_dev[@]}"
expect_depends kprod "$runtime" libc6
expect_file "$runtime" "/libkprod\.so\.$soversion\$"
expect_file "$runtime" "/libkprod\.so\.$soversion\.[0-9]+\.[0-9]+\$"
expect_no_file "$runtime" '/libkprod\.so$|\.h$|/bin/'
dpkg-deb -I "${deb_of[$runtime]}" shlibs | grep "^libkprod $soversion $runtime" >/dev/null ||
    fail "$runtime has no shlibs entry for libkprod $soversion"
expect_file libkprod-dev '/include/kprod\.h$'
expect_file libkprod-dev '/libkprod\.so$'
expect_file libkprod-dev '/libkprod\.a$'
expect_file libkprod-dev '/pkgconfig/kprod\.pc$'
expect_file libkprod-dev '/cmake/kprod/kprodConfig\.cmake$'
expect_file libkprod-dev '/cmake/kprod/kprodConfigVersion\.cmake$'
expect_file libkprod-dev '/cmake/kprod/kprodTargets\.cmake$'
expect_file kprod '^/usr/bin/kprod$'
expect_file kprod '/man/man1/kprod\.1\.gz$'

# ---------------------------------------------------------------------------
# Install. Nothing of kprod may be on the machine already: it would be replaced,
# then removed on exit.

for package in "$runtime" libkprod-dev kprod; do
    if dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null | grep installed >/dev/null; then
        skip "$package is already installed; remove it first (dpkg -r $package)"
    fi
done
for path in /usr/include/kprod.h /usr/local/include/kprod.h /usr/bin/kprod; do
    [[ ! -e "$path" ]] || skip "$path already exists; this test installs kprod into /usr"
done
installed=(kprod libkprod-dev "$runtime")
"${as_root[@]}" dpkg -i "${deb_of[$runtime]}" "${deb_of[libkprod-dev]}" "${deb_of[kprod]}" >"$work/dpkg.log" 2>&1 ||
    { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
say "installed ${installed[*]}"
[[ -f /usr/include/kprod.h ]] || fail "/usr/include/kprod.h is not installed"
/sbin/ldconfig -p | grep "libkprod\.so\.$soversion " >/dev/null || fail "ldconfig does not know libkprod.so.$soversion"

# ---------------------------------------------------------------------------
# Build the examples against the installed package only: a copy of the .c files
# and nothing else from the source tree.

mkdir -p "$work/examples" "$work/pc"
cp "$source_dir"/examples/*.c "$work/examples/"
examples=(produce keyed_callbacks threaded)
cflags=(-std=c99 -Wall -Wextra -Werror -pedantic)

# 1. cc with pkg-config.
# shellcheck disable=SC2046 # pkg-config prints several flags
for example in "${examples[@]}"; do
    cc "${cflags[@]}" -pthread -o "$work/pc/$example" "$work/examples/$example.c" \
        $(pkg-config --cflags --libs kprod) || fail "cc $example.c \$(pkg-config --cflags --libs kprod)"
done
ldd "$work/pc/produce" | grep -E "libkprod\.so\.$soversion => (/usr)?/lib/" >/dev/null ||
    fail "the pkg-config build does not use the installed libkprod: $(ldd "$work/pc/produce")"
# And against libkprod.a: pkg-config --static adds the codecs and libstdc++.
static_libs=$(pkg-config --static --libs kprod)
# shellcheck disable=SC2086 # several flags
cc "${cflags[@]}" -o "$work/pc/produce_static" "$work/examples/produce.c" $(pkg-config --cflags kprod) \
    ${static_libs/-lkprod/-l:libkprod.a} || fail "cc produce.c with libkprod.a and pkg-config --static ($static_libs)"
if ldd "$work/pc/produce_static" | grep libkprod >/dev/null; then fail "produce_static loads libkprod.so"; fi

# 2. A CMake project with find_package(kprod CONFIG), C only.
mkdir -p "$work/cmake-project"
cat >"$work/cmake-project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(uses_kprod C)
set(CMAKE_C_STANDARD 99)
set(CMAKE_C_EXTENSIONS OFF)
add_compile_options(-Wall -Wextra -Werror -pedantic)
find_package(kprod 1.0 CONFIG REQUIRED)
find_package(Threads REQUIRED)
message(STATUS "kprod ${kprod_VERSION} from ${kprod_DIR}")
foreach(example produce keyed_callbacks threaded)
  add_executable(${example} ${EXAMPLES}/${example}.c)
  target_link_libraries(${example} PRIVATE kprod::kprod Threads::Threads)
endforeach()
add_executable(produce_static ${EXAMPLES}/produce.c)
target_link_libraries(produce_static PRIVATE kprod::kprod_static)
CMAKE
cmake -S "$work/cmake-project" -B "$work/cmake" -DEXAMPLES="$work/examples" >"$work/cmake-project.log" 2>&1 &&
    cmake --build "$work/cmake" >>"$work/cmake-project.log" 2>&1 ||
    { cat "$work/cmake-project.log" >&2; fail "the find_package(kprod CONFIG) project does not build"; }
grep -q "kprod 1.0.0 from /usr/lib" "$work/cmake-project.log" || fail "find_package did not find the installed package"
ldd "$work/cmake/produce" | grep -E "libkprod\.so\.$soversion => (/usr)?/lib/" >/dev/null || fail "the CMake build does not use the installed libkprod"
if ldd "$work/cmake/produce_static" | grep libkprod >/dev/null; then fail "the CMake produce_static loads libkprod.so"; fi

# ---------------------------------------------------------------------------
# Run everything against the broker; kcat counts what arrived.

create_topic() { # name
    KAFKA_PORT=${bootstrap##*:} "$kafka_local" create-topic "$1" 3 >/dev/null
}
count_records() { # topic; kcat is retried, as a new topic's leader may not be known yet
    local attempt
    for attempt in 1 2 3 4 5; do
        if kcat -C -b "$bootstrap" -t "$1" -e -q -f 'x\n' >"$work/read_back" 2>"$work/kcat.err"; then
            wc -l <"$work/read_back"
            return 0
        fi
        sleep "$attempt"
    done
    fail "kcat cannot read $1: $(cat "$work/kcat.err")"
}
run_expect() { # expected-count topic program args...
    local expected=$1 topic=$2 output
    shift 2
    output=$("$@" 2>&1) || fail "$* failed: $output"
    grep -qx "$expected delivered, 0 failed" <<<"$output" || fail "$*: $output"
}

topic_prefix="pkg-test-$(date +%s)-$$"
for build in pc cmake; do
    topic="$topic_prefix-$build"
    create_topic "$topic"
    run_expect 1000 "$topic" "$work/$build/produce" "$bootstrap" "$topic" 1000
    run_expect 1000 "$topic" "$work/$build/produce_static" "$bootstrap" "$topic" 1000
    run_expect 800 "$topic" "$work/$build/keyed_callbacks" "$bootstrap" "$topic" 800
    run_expect 2000 "$topic" "$work/$build/threaded" "$bootstrap" "$topic" 4 500
    read_back=$(count_records "$topic")
    [[ "$read_back" == 4800 ]] || fail "kcat read $read_back records from $topic, expected 4800"
    say "$build build: produce, produce_static, keyed_callbacks, threaded delivered 4800 records; kcat read them"
done

# The installed command-line producer.
topic="$topic_prefix-cli"
create_topic "$topic"
seq 1 500 | /usr/bin/kprod -b "$bootstrap" -t "$topic" -q || fail "/usr/bin/kprod failed"
[[ $(count_records "$topic") == 500 ]] || fail "kcat did not read the 500 records /usr/bin/kprod sent"
/usr/bin/kprod --version | grep -x "kprod $(pkg-config --modversion kprod)" >/dev/null || fail "kprod --version"
say "/usr/bin/kprod delivered 500 records"

# ---------------------------------------------------------------------------
# Remove, and check that nothing is left behind.

"${as_root[@]}" dpkg --purge "${installed[@]}" >/dev/null || fail "dpkg --purge ${installed[*]}"
installed=()
for path in /usr/include/kprod.h /usr/bin/kprod; do
    [[ ! -e "$path" ]] || fail "$path is still there after dpkg --purge"
done
for package in "$runtime" libkprod-dev kprod; do
    if dpkg-query -W "$package" >/dev/null 2>&1; then fail "dpkg still knows $package after the purge"; fi
done
say "1 passed, 0 failed in $((SECONDS - started)) s"
