//! The `parsimony` command-line tool end to end: exit codes, error messages and the files two
//! small runs write.

use std::path::PathBuf;
use std::process::{Command, Output};

fn parsimony(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_parsimony"))
        .args(args)
        .output()
        .expect("the parsimony binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("parsimony_cli_{}_{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn help_unknown_commands_and_unknown_flags() {
    let help = parsimony(&["--help"]);
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stderr).contains("usage: parsimony"));

    let unknown = parsimony(&["sbl", "nonsense"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown command 'sbl nonsense'"));

    // a misspelt flag is an error naming it, before any work
    let dir = out_dir("typo");
    let typo = parsimony(&[
        "medida",
        "ks",
        "--out",
        dir.to_str().unwrap(),
        "--sample",
        "3",
    ]);
    assert_eq!(typo.status.code(), Some(1));
    let err = String::from_utf8_lossy(&typo.stderr);
    assert!(
        err.starts_with("error: ") && err.contains("unknown --sample"),
        "{err}"
    );
    // a value that does not parse names its flag
    let bad = parsimony(&[
        "sbl",
        "convergence",
        "--out",
        dir.to_str().unwrap(),
        "--seeds",
        "x",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("seeds"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn small_runs_write_their_tables_and_figures() {
    // SBL convergence: one seed, 20 SVD and 40 AM iterations → 60 NMSE rows
    let dir = out_dir("convergence");
    let run = parsimony(&[
        "sbl",
        "convergence",
        "--out",
        dir.to_str().unwrap(),
        "--seeds",
        "1",
        "--svd-iters",
        "20",
        "--am-iters",
        "40",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let csv = std::fs::read_to_string(dir.join("convergence.csv")).unwrap();
    assert_eq!(csv.lines().next(), Some("seed,method,iteration,nmse"));
    assert_eq!(csv.lines().count(), 1 + 60);
    assert!(
        std::fs::metadata(dir.join("convergence.png"))
            .unwrap()
            .len()
            > 0
    );
    let _ = std::fs::remove_dir_all(&dir);

    // a tiny forward PINN (2 × 8, 20 warm-up + 50 Adam steps at 101 points)
    let dir = out_dir("flame");
    let run = parsimony(&[
        "flame",
        "forward",
        "--out",
        dir.to_str().unwrap(),
        "--depth",
        "2",
        "--width",
        "8",
        "--warmup",
        "20",
        "--steps",
        "50",
        "--points",
        "101",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    for f in [
        "temperature.png",
        "residual.png",
        "loss.png",
        "speed.png",
        "profile.csv",
        "history.csv",
        "summary.json",
    ] {
        assert!(std::fs::metadata(dir.join(f)).unwrap().len() > 0, "{f}");
    }
    let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    assert!(summary.contains("\"steps\": 50"), "{summary}");
    let _ = std::fs::remove_dir_all(&dir);
}
