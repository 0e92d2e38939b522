//! Test support for runs of the binary on fixtures, with no emulator: the command as a user
//! meets it (no colour), the fixtures the CLI tests audit, and temporary input files.

use assert_cmd::Command;
use std::path::PathBuf;

pub(crate) const REFERENCE: &str = "fixtures/reference-architecture.json";
pub(crate) const REPAIRED: &str = "fixtures/reference-architecture-repaired.json";

/// The drscan binary, with colour off so that output compares as text.
pub(crate) fn drscan() -> Command {
    let mut cmd = Command::cargo_bin("drscan").expect("binary is built");
    cmd.env("NO_COLOR", "1");
    cmd
}

/// `contents` written to `name` in a fresh directory (removed when the `TempDir` drops).
pub(crate) fn temp_file(name: &str, contents: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, contents).expect("write temp file");
    (dir, path)
}
