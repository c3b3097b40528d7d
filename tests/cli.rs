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
fn help_and_unknown_commands() {
    // clap's help lists the commands
    let help = parsimony(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for cmd in ["list", "show-config", "run", "sweep", "merge"] {
        assert!(text.contains(cmd), "{text}");
    }
    let unknown = parsimony(&["sbl", "synthetic"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("'sbl'"));
}

/// One small run per solver family (and the core), each with its files and run.json.
#[test]
fn one_small_run_per_family() {
    let dir = out_dir("families");
    let run = |name: &str, sets: &[&str], files: &[&str]| {
        let out = dir.join(name);
        let mut args = vec!["run", name, "--out", out.to_str().unwrap()];
        for s in sets {
            args.extend(["--set", s]);
        }
        let text = ok(&parsimony(&args));
        for f in files.iter().chain(&["run.json"]) {
            let len = std::fs::metadata(out.join(f)).map_or(0, |m| m.len());
            assert!(len > 0, "{name}: {f} missing or empty");
        }
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
        assert_eq!(json["experiment"], name);
        (text, json)
    };
    // core: a 32 × 32 deblur
    let (_, json) = run(
        "kron-deblur",
        &["n=32"],
        &["image_recovered.png", "cg_residual.csv", "cg_residual.png"],
    );
    assert_eq!(json["report"]["cg_converged"], true);
    // medida: the KS equation from PySINDy's stored data set
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/solvers/medida/tests/data");
    let data_set = format!("data=\"{data}\"");
    let (text, json) = run(
        "medida-discover",
        &[&data_set],
        &["discovered.csv", "coefficients.png"],
    );
    assert!(text.contains("coefficient uu_x"), "{text}");
    assert_eq!(json["report"]["terms"].as_array().unwrap().len(), 3);
    // ot: two clouds of 60 points, Sinkhorn and SNS to the same error and cost
    let (_, json) = run(
        "ot-gaussians",
        &["n=60", "reg=1e-2", "tol=1e-9", "couplings=50"],
        &["plan.png", "convergence.png", "traces.csv", "couplings.csv"],
    );
    let runs = json["report"]["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert!(runs.iter().all(|r| r["converged"] == true), "{runs:?}");
    assert!(json["report"]["cost_agreement"].as_f64().unwrap() < 1e-6);
    // wht: n = 12, K = 8, noiseless and at 20 dB, 3 signals per curve point
    let (_, json) = run(
        "wht-sparse",
        &[
            "n=12",
            "k=8",
            "snr_db=20",
            "trials=3",
            "bins_log2=[3, 4]",
            "chains=[2]",
        ],
        &["spectrum.png", "success.png", "spectrum.csv", "success.csv"],
    );
    let recs = json["report"]["recoveries"].as_array().unwrap();
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|r| r["exact_support"] == true), "{recs:?}");
    assert_eq!(json["report"]["curves"].as_array().unwrap().len(), 3);
    // wht: a black-box landscape on 20 sites through the low-degree mode
    let (_, json) = run(
        "wht-blackbox",
        &["sizes=[20]", "singles=4", "pairs=4", "triples=2", "top=5"],
        &["shapley.png", "shapley.csv", "weights.csv"],
    );
    let case = &json["report"]["cases"][0];
    assert_eq!(case["exact"], true, "{case}");
    assert!(case["weight_error"].as_f64().unwrap() < 1e-12);
    // flame: a tiny forward PINN (2 × 8, 20 warm-up + 50 Adam steps at 101 points)
    let (_, json) = run(
        "flame-forward",
        &[
            "training.depth=2",
            "training.width=8",
            "training.warmup=20",
            "training.steps=50",
            "training.points=101",
        ],
        &[
            "temperature.png",
            "residual.png",
            "loss.png",
            "speed.png",
            "profile.csv",
            "history.csv",
        ],
    );
    assert_eq!(json["report"]["trained"]["steps"], 50);
    assert_eq!(json["config"]["training"]["width"], 8);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every experiment's default config round-trips through TOML: what `show-config` prints,
/// read back as a file, gives the same config.
#[test]
fn every_default_config_round_trips_through_toml() {
    let list = ok(&parsimony(&["list"]));
    let names: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(names.len() >= 11, "{list}");
    let dir = out_dir("round_trip");
    std::fs::create_dir_all(&dir).unwrap();
    for name in names {
        let toml = ok(&parsimony(&["show-config", name]));
        let file = dir.join(format!("{name}.toml"));
        std::fs::write(&file, &toml).unwrap();
        let back = ok(&parsimony(&[
            "show-config",
            name,
            "--config",
            file.to_str().unwrap(),
        ]));
        assert_eq!(back, toml, "{name}");
        // and a file that gives only one key keeps the other defaults
        let first = toml.lines().next().unwrap();
        std::fs::write(&file, format!("{first}\n")).unwrap();
        let partial = ok(&parsimony(&[
            "show-config",
            name,
            "--config",
            file.to_str().unwrap(),
        ]));
        assert_eq!(partial, toml, "{name}: partial file");
    }
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
    // a dotted key reaches into a table; a wrong one is named
    assert!(
        err(&[
            "run",
            "flame-forward",
            "--set",
            "training.stepz=3",
            "--out",
            d
        ])
        .contains("training.stepz")
    );
    assert!(err(&["run", "medida-ks", "--set", "geometry=huge", "--out", d]).contains("geometry"));
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
