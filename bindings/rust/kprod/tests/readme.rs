//! The README's program (bindings/rust/README.md), built exactly as printed in
//! a project of its own, as an application outside this repository would be:
//! its Cargo.toml (with `$KPROD_SRC` put in), its src/main.rs, and the README's
//! build command (the rpath from pkg-config's libdir), then run against the test
//! broker without LD_LIBRARY_PATH.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{bootstrap, create_topics, read_with_kcat};

/// The body of the first fenced block that starts with `opening`.
fn fenced_block(text: &str, opening: &str) -> String {
    let start = text
        .find(opening)
        .unwrap_or_else(|| panic!("README.md has no block starting {opening:?}"));
    let body = &text[start + opening.find('\n').unwrap() + 1..];
    let end = body.find("\n```").expect("an unclosed block in README.md");
    body[..end + 1].to_string()
}

#[test]
fn the_readme_program_builds_as_an_outside_project_and_runs_without_ld_library_path() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(crate_dir.join("../README.md")).unwrap();
    let manifest = fenced_block(&readme, "```toml\n[package]\nname = \"hello\"");
    let program = fenced_block(&readme, "```rust\nuse std::time::Duration;");
    let purge_program = fenced_block(&readme, "```rust\n//! purge");
    let build_command = readme
        .split('`')
        .find(|span| span.starts_with("RUSTFLAGS=") && span.ends_with("cargo build"))
        .expect("README.md names no RUSTFLAGS=... cargo build command");
    let source = crate_dir.join("../../..").canonicalize().unwrap();

    // Outside this workspace (a project inside it would be taken for a member),
    // with its own target directory kept between runs.
    let project = std::env::temp_dir().join(format!("kprod-readme-{}", std::process::id()));
    std::fs::create_dir_all(project.join("src")).unwrap();
    let manifest = manifest.replace("$KPROD_SRC", source.to_str().unwrap());
    std::fs::write(project.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(project.join("src/main.rs"), program).unwrap();
    std::fs::create_dir_all(project.join("src/bin")).unwrap();
    std::fs::write(project.join("src/bin/purge.rs"), purge_program).unwrap();
    // The workspace's lock: the same dependency versions, nothing to download.
    std::fs::copy(crate_dir.join("../Cargo.lock"), project.join("Cargo.lock")).unwrap();
    let target_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-program");
    let cargo = PathBuf::from(env!("CARGO"));
    let path = format!(
        "{}:{}",
        cargo.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let built = Command::new("bash")
        .args(["-euxc", build_command])
        .current_dir(&project)
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("RUSTFLAGS")
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD")
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "the README's build command failed:\n{}",
        String::from_utf8_lossy(&built.stderr)
    );

    let topic = &create_topics(&[("readme", 1)])[0];
    let stdout = run_program(&target_dir.join("debug/hello"), topic);
    assert!(
        stdout.contains("delivered to partition 0 at offset Some(0)"),
        "{stdout}"
    );
    assert!(stdout.contains("1000 more sent, 0 failed"), "{stdout}");
    assert_eq!(read_with_kcat(topic).len(), 1001);

    // The purge program, built by the same command: every draft purged, one kept.
    let topic = &create_topics(&[("readme-purge", 1)])[0];
    let stdout = run_program(&target_dir.join("debug/purge"), topic);
    assert!(
        stdout.contains("100 purged, then one delivered at offset Some(0); fatal error: None"),
        "{stdout}"
    );
    let read: Vec<String> = read_with_kcat(topic).into_iter().map(|r| r.value).collect();
    assert_eq!(read, ["kept"]);
    std::fs::remove_dir_all(&project).unwrap();
}

/// Runs a README program against the test broker, without LD_LIBRARY_PATH,
/// and returns what it printed on stdout.
fn run_program(program: &Path, topic: &str) -> String {
    let run = Command::new(program)
        .args([&bootstrap(), topic])
        .env_remove("LD_LIBRARY_PATH")
        .env_remove("LD_PRELOAD")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "{} failed: {stdout}{}",
        program.display(),
        String::from_utf8_lossy(&run.stderr)
    );
    stdout
}
