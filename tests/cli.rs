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
    // clap's help lists the commands; the legacy commands keep their own usage
    let help = parsimony(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for cmd in ["list", "show-config", "run", "sweep", "merge"] {
        assert!(text.contains(cmd), "{text}");
    }
    let legacy = parsimony(&["sbl", "--help"]);
    assert!(legacy.status.success());
    assert!(String::from_utf8_lossy(&legacy.stderr).contains("usage: parsimony"));

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

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A small sbl-synthetic: one trial, no dense SBL.
const SMALL: [&str; 4] = ["--set", "trials=1", "--set", "csbl_trials=0"];

#[test]
fn list_show_config_and_run() {
    let list = ok(&parsimony(&["list"]));
    assert!(
        list.contains("sbl-synthetic") && list.contains("sbl-convergence"),
        "{list}"
    );
    // every experiment in the shape runs from its defaults changed by --set
    let conv = out_dir("run_convergence");
    let run = parsimony(&[
        "run",
        "sbl-convergence",
        "--set",
        "seeds=1",
        "--set",
        "svd_iters=5",
        "--set",
        "am_iters=5",
        "--out",
        conv.to_str().unwrap(),
    ]);
    assert!(ok(&run).contains("final nmse AM seed 1"));
    let csv = std::fs::read_to_string(conv.join("convergence.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 10);
    let irs = conv.join("irs");
    let run = parsimony(&[
        "run",
        "sbl-irs",
        "--set",
        "trials=2",
        "--set",
        "snr=20",
        "--set",
        "csbl_trials=0",
        "--set",
        "symbols=100",
        "--out",
        irs.to_str().unwrap(),
    ]);
    assert!(ok(&run).contains("fail_fraction PC-KroSBL 0.8 @ 20 dB"));
    for f in ["run.json", "summary.csv", "systems.csv", "trials.csv"] {
        assert!(irs.join(f).is_file(), "{f}");
    }
    // 2 trials × 5 methods (no classical SBL)
    let trials = std::fs::read_to_string(irs.join("trials.csv")).unwrap();
    assert_eq!(trials.lines().count(), 1 + 10);
    let _ = std::fs::remove_dir_all(&conv);
    // the default config round-trips through TOML: run it back as a file
    let toml = ok(&parsimony(&["show-config", "sbl-synthetic"]));
    assert!(
        toml.contains("trials = 20") && toml.contains("snr = ["),
        "{toml}"
    );
    let dir = out_dir("run");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("config.toml");
    std::fs::write(&file, &toml).unwrap();
    let out = dir.join("out");
    let run = parsimony(&[
        "run",
        "sbl-synthetic",
        "--config",
        file.to_str().unwrap(),
        SMALL[0],
        SMALL[1],
        SMALL[2],
        SMALL[3],
        "--set",
        "snr=20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok(&run).contains("median_nmse SVD-KroSBL @ 20 dB"));
    for f in ["run.json", "trials.csv", "nmse_vs_snr.png"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let json = std::fs::read_to_string(out.join("run.json")).unwrap();
    assert!(json.contains("\"experiment\": \"sbl-synthetic\"") && json.contains("\"version\""));
    assert!(json.contains("\"snr\": [\n      20.0\n    ]"), "{json}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_keys_flags_and_values_are_errors_naming_them() {
    let dir = out_dir("errors");
    let d = dir.to_str().unwrap();
    let err = |args: &[&str]| {
        let out = parsimony(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(err(&["run", "sbl-synthetic", "--set", "trails=3", "--out", d]).contains("trails"));
    assert!(err(&["run", "sbl-synthetic", "--set", "trials=many", "--out", d]).contains("trials"));
    assert!(err(&["run", "nonsense", "--out", d]).contains("unknown experiment 'nonsense'"));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(&file, "trials = 1\nsnrs = [10.0]\n").unwrap();
    assert!(
        err(&[
            "run",
            "sbl-synthetic",
            "--config",
            file.to_str().unwrap(),
            "--out",
            d
        ])
        .contains("snrs")
    );
    // a misspelt flag is clap's error (exit 2), naming it
    let typo = parsimony(&["run", "sbl-synthetic", "--sett", "trials=1"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("--sett"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The acceptance: three shards merged equal the unsharded sweep bit for bit.
#[test]
fn a_sharded_sweep_merges_to_the_unsharded_one() {
    let dir = out_dir("sweep");
    let grid = ["--grid", "snr=10,20,30", "--grid", "seed=0,1"];
    let sweep = |out: &PathBuf, shard: Option<&str>| {
        let mut args: Vec<&str> = vec!["sweep", "sbl-synthetic"];
        args.extend(grid);
        args.extend(SMALL);
        if let Some(s) = shard {
            args.extend(["--shard", s]);
        }
        args.extend(["--out", out.to_str().unwrap()]);
        ok(&parsimony(&args));
    };
    let whole = dir.join("whole");
    sweep(&whole, None);
    let shards: Vec<PathBuf> = (1..=3).map(|i| dir.join(format!("shard{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        sweep(s, Some(&format!("{}/3", i + 1)));
    }
    let (m1, m2) = (dir.join("merged_whole"), dir.join("merged_shards"));
    ok(&parsimony(&[
        "merge",
        whole.to_str().unwrap(),
        "--out",
        m1.to_str().unwrap(),
    ]));
    let mut args = vec!["merge"];
    args.extend(shards.iter().map(|s| s.to_str().unwrap()));
    args.extend(["--out", m2.to_str().unwrap()]);
    ok(&parsimony(&args));
    let a = std::fs::read(m1.join("sweep.csv")).unwrap();
    let b = std::fs::read(m2.join("sweep.csv")).unwrap();
    assert_eq!(a, b, "sharded and unsharded sweeps differ");
    let text = String::from_utf8(a).unwrap();
    assert!(text.starts_with("point,snr,seed,metric,value\n"), "{text}");
    // 6 points × 3 methods × 4 metrics
    assert_eq!(text.lines().count(), 1 + 6 * 3 * 4);
    assert!(m2.join("sweep.png").is_file());
    let _ = std::fs::remove_dir_all(&dir);
}
