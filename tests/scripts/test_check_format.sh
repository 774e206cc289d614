#!/usr/bin/env bash
# scripts/check-format fails, naming the file and the tool, for a tracked C++ file off
# .clang-format, a Go file gofmt would change and a Rust crate cargo fmt would change,
# in a small git repository made for it; it passes once they are formatted, and it
# ignores C++ files git does not track.
# Usage: test_check_format.sh SOURCE_DIR
set -euo pipefail
source_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
    echo "test_check_format: FAILED: $*" >&2
    exit 1
}

repo=$work/repo
mkdir -p "$repo/scripts" "$repo/src" "$repo/bindings/go" "$repo/bindings/rust/src"
cp "$source_dir/scripts/check-format" "$repo/scripts/"
cp "$source_dir/.clang-format" "$repo/"
printf 'int  add( int a,int b ){return a+b;}\n' >"$repo/src/off.cpp"
printf 'int add(int a, int b) {\n    return a + b;\n}\n' >"$repo/src/good.cpp"
printf 'int   untracked( ) ;\n' >"$repo/src/untracked.h"
printf 'package kprod\n\nfunc  Add(a int,b int) int {\nreturn a+b }\n' >"$repo/bindings/go/off.go"
cat >"$repo/bindings/rust/Cargo.toml" <<'TOML'
[package]
name = "format-check"
version = "0.1.0"
edition = "2021"
TOML
printf 'pub fn add( a:i32,b:i32)->i32{a+b}\n' >"$repo/bindings/rust/src/lib.rs"
git -C "$repo" init -q
git -C "$repo" add scripts .clang-format src/off.cpp src/good.cpp bindings

if "$repo/scripts/check-format" >"$work/out" 2>&1; then
    cat "$work/out" >&2
    fail "check-format passed badly formatted C++, Go and Rust"
fi
expect() { # text
    grep -F -- "$1" "$work/out" >/dev/null || { cat "$work/out" >&2; fail "no line saying: $1"; }
}
expect "src/off.cpp:1:"
expect "bindings/go/off.go: not gofmt-formatted"
expect "check-format: FAILED: clang-format gofmt cargo fmt (bindings/rust)"
if grep -F "good.cpp" "$work/out" >/dev/null; then fail "check-format named src/good.cpp"; fi
if grep -F "untracked.h" "$work/out" >/dev/null; then fail "check-format named an untracked file"; fi

# Formatted with the fixes it prints, it passes.
(cd "$repo" && clang-format -i src/off.cpp) || fail "clang-format -i"
gofmt=$(command -v gofmt || echo /usr/local/go/bin/gofmt)
"$gofmt" -w "$repo/bindings/go" || fail "gofmt -w"
cargo=$(command -v cargo || echo "$HOME/.cargo/bin/cargo")
(cd "$repo/bindings/rust" && "$cargo" fmt --all) || fail "cargo fmt"
"$repo/scripts/check-format" >"$work/out" 2>&1 || { cat "$work/out" >&2; fail "check-format failed formatted files"; }
echo "1 passed, 0 failed: check-format names each C++, Go and Rust file off its format, and passes them formatted"
