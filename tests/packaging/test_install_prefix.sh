#!/usr/bin/env bash
# `cmake --install BUILD_DIR --prefix DIR` into a temporary DIR, which is then moved:
# a C program builds against the moved tree with `pkg-config --cflags --libs kprod`
# (PKG_CONFIG_PATH=DIR/lib/pkgconfig) and with CMake's find_package(kprod CONFIG), and
# both run and report the installed library's version. Proves that kprod.pc and the
# CMake package name the prefix they lie in, not the one configured. No broker needed.
# Usage: test_install_prefix.sh BUILD_DIR
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "test_install_prefix: FAILED: $*" >&2
    exit 1
}
# A sanitized libkprod needs its runtime in the program too (as example_produce.sh).
read -r -a sanitizer_flags <<<"${KPROD_EXAMPLE_CFLAGS:-}"

cmake --install "$build_dir" --prefix "$work/installed" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "cmake --install $build_dir --prefix $work/installed"; }
libdir=$(cd "$work/installed" && find . -name kprod.pc -printf '%h\n' | sed 's|^\./||; s|/pkgconfig$||')
[[ -n "$libdir" ]] || fail "no kprod.pc under $work/installed"
mv "$work/installed" "$work/moved"
prefix=$work/moved

cat >"$work/version.c" <<'C'
#include <kprod.h>
#include <stdio.h>

int main(void) {
    kprod_conf_t *conf = kprod_conf_new();
    if (!conf) return 1;
    kprod_conf_destroy(conf);
    if (kprod_version() != KPROD_VERSION_NUMBER) {
        fprintf(stderr, "header %u, library %u\n", KPROD_VERSION_NUMBER, kprod_version());
        return 1;
    }
    printf("kprod %s\n", kprod_version_str());
    return 0;
}
C
expected="kprod $(sed -n 's/^Version: //p' "$prefix/$libdir/pkgconfig/kprod.pc")"

# 1. pkg-config, as the README says.
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
[[ "$(pkg-config --variable=includedir kprod)" -ef "$prefix/include" ]] ||
    fail "kprod.pc's includedir is $(pkg-config --variable=includedir kprod), not $prefix/include"
# shellcheck disable=SC2046 # pkg-config prints several flags
cc -std=c99 -Wall -Wextra -Werror "${sanitizer_flags[@]}" -o "$work/version-pc" "$work/version.c" \
    $(pkg-config --cflags --libs kprod) || fail "cc version.c \$(pkg-config --cflags --libs kprod)"
output=$(LD_LIBRARY_PATH=$prefix/$libdir "$work/version-pc") || fail "the pkg-config build does not run"
[[ "$output" == "$expected" ]] || fail "the pkg-config build printed \"$output\", expected \"$expected\""
LD_LIBRARY_PATH=$prefix/$libdir ldd "$work/version-pc" | grep -F "$prefix/$libdir/libkprod.so" >/dev/null ||
    fail "the pkg-config build does not load $prefix/$libdir/libkprod.so: $(ldd "$work/version-pc")"

# 2. CMake, find_package(kprod CONFIG) with CMAKE_PREFIX_PATH.
mkdir "$work/project"
cat >"$work/project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(uses_kprod C)
find_package(kprod CONFIG REQUIRED)
message(STATUS "kprod ${kprod_VERSION} from ${kprod_DIR}")
add_executable(version version.c)
target_compile_options(version PRIVATE -Wall -Wextra -Werror)
target_link_libraries(version PRIVATE kprod::kprod)
CMAKE
cp "$work/version.c" "$work/project/"
unset PKG_CONFIG_PATH
{ cmake -S "$work/project" -B "$work/project-build" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_FLAGS="${KPROD_EXAMPLE_CFLAGS:-}" && cmake --build "$work/project-build"; } \
    >"$work/project.log" 2>&1 || { cat "$work/project.log" >&2; fail "the find_package(kprod) project"; }
grep -F "from $prefix/" "$work/project.log" >/dev/null ||
    fail "find_package did not find the moved install: $(grep 'kprod .* from' "$work/project.log")"
output=$("$work/project-build/version") || fail "the CMake build does not run"
[[ "$output" == "$expected" ]] || fail "the CMake build printed \"$output\", expected \"$expected\""

echo "1 passed, 0 failed: an install moved from its --prefix builds and runs with pkg-config and find_package"
