//! Build script: on Linux with glibc, link the unwinder into the binaries
//! instead of loading `libgcc_s.so.1` at every start.
//!
//! Why: the tools are short-lived and on the start path of every jailed
//! service.  Rust's standard library asks for `-lgcc_s` (its unwinder,
//! used here only for backtraces: the release profile aborts on panic),
//! and loading that library costs about 0.12 ms per run on the benchmark
//! machine, mostly its load-time CPU feature detection (`cpuid`, which
//! traps to the hypervisor in a VM) and the dynamic loader's work for a
//! second library (bench/run.sh, "binary start").  GCC ships the same
//! unwinder as a static archive, `libgcc_eh.a`; a copy of it named
//! `libgcc_s.a` in a directory searched before the compiler's own makes
//! `-lgcc_s` resolve to it, as `gcc -static-libgcc` does for C++.  glibc
//! itself stays a shared library.
//!
//! Nothing changes elsewhere: FreeBSD (whose unwinder is in its libc),
//! musl, `+crt-static` builds (std links `libgcc_eh` itself then), or a
//! compiler that has no `libgcc_eh.a` (the binaries then need
//! `libgcc_s.so.1` as before).  `SVCJ_STATIC_UNWIND` is set for the
//! package's code when the static unwinder is used, so that a test can
//! check the binaries.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    let var = |k: &str| env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux" || var("CARGO_CFG_TARGET_ENV") != "gnu" {
        return;
    }
    if var("CARGO_CFG_TARGET_FEATURE")
        .split(',')
        .any(|f| f == "crt-static")
    {
        return;
    }
    // The C compiler driver rustc links with (cargo names it when one is
    // configured).
    let cc = env::var("RUSTC_LINKER").unwrap_or_else(|_| "cc".into());
    let Some(eh) = Command::new(&cc)
        .arg("-print-file-name=libgcc_eh.a")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|p| p.is_absolute() && p.is_file())
    else {
        return;
    };
    let dir = Path::new(&var("OUT_DIR")).join("static-unwind");
    if std::fs::create_dir_all(&dir).is_err() || std::fs::copy(&eh, dir.join("libgcc_s.a")).is_err()
    {
        return;
    }
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-env=SVCJ_STATIC_UNWIND=1");
}
