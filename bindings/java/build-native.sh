#!/usr/bin/env bash
# Builds the Java binding's native side, called by Maven (generate-sources):
# SWIG generates the JNI layer from src/main/swig/kprod.i (Java sources into
# TARGET/generated-sources/swig, the C wrapper into TARGET/native), and the C
# compiler links it with src/main/c/kprod_jni.c into libkprod_jni.so against
# libkprod. The library and a copy of libkprod.so.1 go into the jar's resources
# (TARGET/classes/linux-x86_64/), where NativeLibrary.java finds them.
#
# kprod is found with pkg-config: KPROD_PKG_CONFIG_PATH (the pom's
# kprod.pkg.config.path, by default the repository's build/ with its
# kprod-uninstalled.pc) comes first in PKG_CONFIG_PATH, then the installed kprod.pc.
set -euo pipefail

target=${1:?usage: build-native.sh TARGET_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
java_home=${JAVA_HOME:?JAVA_HOME must name a JDK}

die() {
    echo "build-native.sh: $*" >&2
    exit 1
}

command -v swig >/dev/null || die "swig not found: install Debian's swig (scripts/install-deps does)"
[[ -f $java_home/include/jni.h ]] || die "no jni.h under $java_home/include: install a JDK (openjdk-17-jdk-headless), not only a JRE"
export PKG_CONFIG_PATH=${KPROD_PKG_CONFIG_PATH:-}${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
pkg-config --exists kprod ||
    die "kprod not found by pkg-config (PKG_CONFIG_PATH=$PKG_CONFIG_PATH): build it first (cmake -S . -B build && cmake --build build) or install libkprod-dev"

java_out=$target/generated-sources/swig/dev/kprod
native_out=$target/native
resources=$target/classes/linux-x86_64
rm -rf "$java_out"
mkdir -p "$java_out" "$native_out" "$resources"

read -ra kprod_cflags <<<"$(pkg-config --cflags kprod)"
read -ra kprod_libs <<<"$(pkg-config --libs kprod)"
# The build tree's .pc adds an rpath to itself: a jar must not carry this machine's paths.
for i in "${!kprod_libs[@]}"; do
    [[ ${kprod_libs[$i]} == -Wl,-rpath,* ]] && unset 'kprod_libs[i]'
done
libdir=$(pkg-config --variable=libdir kprod)

swig -java -Werror -package dev.kprod -outdir "$java_out" -o "$native_out/kprod_wrap.c" \
    "${kprod_cflags[@]}" -I"$here/src/main/c" "$here/src/main/swig/kprod.i"
# SWIG has no setting for its constants interface's modifier: make it package-private too.
sed -i 's/^public interface KprodNativeConstants/interface KprodNativeConstants/' \
    "$java_out/KprodNativeConstants.java"

# -fno-strict-aliasing: SWIG's wrappers cast between jlong and pointers.
# $ORIGIN first: the libkprod.so.1 extracted beside libkprod_jni.so wins.
cc -std=c99 -O2 -g -fPIC -shared -fno-strict-aliasing -Wall -Wextra -Werror \
    -Wno-unused-parameter \
    -I"$java_home/include" -I"$java_home/include/linux" "${kprod_cflags[@]}" -I"$here/src/main/c" \
    "$native_out/kprod_wrap.c" "$here/src/main/c/kprod_jni.c" \
    -o "$resources/libkprod_jni.so" \
    -Wl,-rpath,'$ORIGIN' "${kprod_libs[@]}" -Wl,--no-undefined

# Without its debug sections: 14 MB become about 2.
strip --strip-debug -o "$resources/libkprod.so.1" "$libdir/libkprod.so.1"
echo "build-native.sh: built $resources/libkprod_jni.so against $libdir/libkprod.so.1"
