//! Finds libkprod and generates the FFI from its `kprod.h`, so the bindings
//! always match the library that is linked. Two ways:
//!
//! - by default, with pkg-config (`kprod`: the installed `kprod.pc`, or a
//!   build tree's `kprod-uninstalled.pc` when `PKG_CONFIG_PATH` points at it),
//!   linking the shared libkprod;
//! - with the `vendored` feature, by building libkprod's static archive from
//!   the kprod repository this crate sits in (`bindings/rust/kprod-sys`) with
//!   CMake (the `cmake` crate), and linking it, so that nothing needs to be
//!   installed but the build's own dependencies (a C++ compiler, CMake, and
//!   the -dev packages of zstd, lz4, zlib, snappy, OpenSSL and Asio).

use std::env;
use std::path::{Path, PathBuf};

fn main() {
    #[cfg(feature = "vendored")]
    let header = build_vendored();
    #[cfg(not(feature = "vendored"))]
    let header = find_with_pkg_config();
    println!("cargo:rerun-if-changed={}", header.display());
    // The header's directory, for crates that compile C against the same kprod.h.
    println!("cargo:include={}", header.parent().unwrap().display());
    generate_bindings(&header);
}

#[cfg(not(feature = "vendored"))]
fn find_with_pkg_config() -> PathBuf {
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    let library = pkg_config::Config::new()
        .atleast_version("1.0.0")
        .probe("kprod")
        .unwrap_or_else(|error| {
            panic!(
                "kprod-sys: libkprod not found by pkg-config ({error}); install libkprod-dev, \
                 or set PKG_CONFIG_PATH to a kprod build directory (it holds kprod-uninstalled.pc), \
                 or build it from source with the `vendored` feature"
            )
        });
    // For programs to find libkprod.so at run time without LD_LIBRARY_PATH,
    // the directory must be in their rpath; a build script can set it only for
    // its own package's binaries, so the README says how (RUSTFLAGS).
    if let Some(libdir) = library.link_paths.first() {
        println!("cargo:libdir={}", libdir.display());
    }
    library
        .include_paths
        .iter()
        .map(|dir| dir.join("kprod.h"))
        .find(|path| path.is_file())
        .expect("kprod-sys: no kprod.h in the include paths pkg-config gave for kprod")
}

/// Builds libkprod.a with CMake from the repository around this crate and
/// links it; returns the path of its kprod.h.
#[cfg(feature = "vendored")]
fn build_vendored() -> PathBuf {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let source = manifest_dir.join("../../..");
    let source = source.canonicalize().unwrap_or(source);
    if !source.join("CMakeLists.txt").is_file() || !source.join("include/kprod.h").is_file() {
        panic!(
            "kprod-sys: the `vendored` feature builds libkprod from the kprod repository this \
             crate belongs to, and found none at {} (use kprod-sys from a kprod checkout, as a \
             path or git dependency)",
            source.display()
        );
    }
    for watched in ["CMakeLists.txt", "cmake", "src", "include", "pkgconfig"] {
        println!("cargo:rerun-if-changed={}", source.join(watched).display());
    }
    // Only the archive: no tests, tools or shared library. LTO off: the
    // archive drops the LTO bytecode anyway (cmake/packaging.cmake).
    let out = cmake::Config::new(&source)
        .define("KPROD_BUILD_STATIC", "ON")
        .define("KPROD_BUILD_TESTS", "OFF")
        .define("KPROD_LTO", "OFF")
        .profile("Release")
        .build_target("kprod_static")
        .build();
    let archive_dir = out.join("build");
    assert!(
        archive_dir.join("libkprod.a").is_file(),
        "kprod-sys: CMake did not make {}",
        archive_dir.join("libkprod.a").display()
    );
    println!("cargo:rustc-link-search=native={}", archive_dir.display());
    println!("cargo:rustc-link-lib=static=kprod");
    // What the archive needs, as kprod.pc's Requires.private and Libs.private
    // name it (cmake/packaging.cmake).
    for library in [
        "zstd", "lz4", "z", "ssl", "crypto", "snappy", "stdc++", "m", "pthread",
    ] {
        println!("cargo:rustc-link-lib={library}");
    }
    source.join("include/kprod.h")
}

fn generate_bindings(header: &Path) {
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .allowlist_function("kprod_.*")
        .allowlist_type("kprod_.*")
        .allowlist_var("KPROD_.*")
        // kprod_err_t and friends stay plain integers: C may hand back a code
        // appended after this build, which a Rust enum could not hold soundly.
        .default_enum_style(bindgen::EnumVariation::Consts)
        .prepend_enum_name(false)
        .layout_tests(true)
        .generate_comments(true)
        .generate()
        .expect("kprod-sys: bindgen could not generate bindings from kprod.h");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap()).join("bindings.rs");
    bindings
        .write_to_file(&out)
        .expect("kprod-sys: writing bindings.rs");
}
