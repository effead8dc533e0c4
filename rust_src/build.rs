//! Records facts about this build for `python -m river_lite info`: the cargo profile, the
//! optimisation level and the versions of the binding crates, read from Cargo.lock so they
//! can never drift from what was actually compiled.
use std::{env, fs, path::Path};

fn locked_version(lock: &str, crate_name: &str) -> String {
    let header = format!("name = \"{crate_name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == header {
            if let Some(version_line) = lines.next() {
                if let Some(v) = version_line.trim().strip_prefix("version = ") {
                    return v.trim_matches('"').to_string();
                }
            }
        }
    }
    "unknown".to_string()
}

fn main() {
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let lock_path = Path::new(&manifest_dir).join("Cargo.lock");
    let lock = fs::read_to_string(&lock_path).unwrap_or_default();
    for (key, name) in [("PYO3", "pyo3"), ("RUST_NUMPY", "numpy")] {
        println!(
            "cargo:rustc-env=NATIVE_{key}_VERSION={}",
            locked_version(&lock, name)
        );
    }
    for key in ["PROFILE", "OPT_LEVEL"] {
        println!(
            "cargo:rustc-env=NATIVE_BUILD_{key}={}",
            env::var(key).unwrap_or_else(|_| "unknown".into())
        );
    }
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=build.rs");
}
