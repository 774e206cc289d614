//! Finds libkprod with pkg-config (`kprod`: the installed `kprod.pc`, or a build
//! tree's `kprod-uninstalled.pc` when `PKG_CONFIG_PATH` points at it) and
//! generates the FFI from the `kprod.h` that pkg-config names, so the bindings
//! always match the library that is linked.

use std::env;
use std::path::PathBuf;

fn main() {
    let library = pkg_config::Config::new()
        .atleast_version("1.0.0")
        .probe("kprod")
        .unwrap_or_else(|error| {
            panic!(
                "kprod-sys: libkprod not found by pkg-config ({error}); install libkprod-dev, \
                 or set PKG_CONFIG_PATH to a kprod build directory (it holds kprod-uninstalled.pc)"
            )
        });
    let header = library
        .include_paths
        .iter()
        .map(|dir| dir.join("kprod.h"))
        .find(|path| path.is_file())
        .expect("kprod-sys: no kprod.h in the include paths pkg-config gave for kprod");
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");
    // The header's directory, for crates that compile C against the same kprod.h.
    println!("cargo:include={}", header.parent().unwrap().display());

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
