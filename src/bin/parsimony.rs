//! The parsimony command-line tool.
//!
//! ```text
//! parsimony list                                   the experiments in the config → report shape
//! parsimony show-config <experiment>               its default config (TOML)
//! parsimony run <experiment> [--config FILE.toml] [--set key=value …] [--out DIR]
//! parsimony sweep <experiment> --grid key=v1,v2,… [--grid …] [--shard i/N] [--config …] [--set …] [--out DIR]
//! parsimony merge DIR… --out DIR                   one long table and a figure of a sweep
//! parsimony <solver> <experiment> [--flag value …] the experiments not yet in the config shape
//! ```
//!
//! `run` writes the experiment's figures and tables and `run.json` (config, report, version,
//! seed) to `--out` (default `out/<experiment>`). `sweep` runs one point per grid combination
//! into `DIR/point-iiii/`; `--shard i/N` runs every N-th point, so a Slurm job array or GNU
//! parallel splits a sweep (docs/sweeps.md), and `merge` gathers the shards.
//!
//! The legacy commands (flags per experiment, see `parsimony::experiments`):
//!
//! | command | what it runs |
//! |---|---|
//! | `parsimony sbl synthetic` | NMSE vs SNR of SVD-/AM-KroSBL, KSBL, classical SBL (paper Fig. 3a) |
//! | `parsimony sbl convergence` | NMSE per EM iteration of AM and SVD without pruning (Fig. 4) |
//! | `parsimony sbl irs` | IRS-MIMO channel estimation vs SNR (paper §VI) |
//! | `parsimony medida ks` | MEDIDA on Kuramoto–Sivashinsky: model-error discovery, noise-free and with the EnKF |
//! | `parsimony medida discover` | the whole KS equation from PySINDy's data set (or a simulated one) |
//! | `parsimony flame forward` | FlamePINN-1D Case 1 forward PINN (T(x), s_L) vs the FD reference |
//! | `parsimony flame inverse` | Case 1 inverse PINN: s_L, λ, E_a from noisy observations |
//! | `parsimony flame sweep` | s_L(φ) from the forward PINN and the FD solver |

use clap::{Parser, Subcommand};
use parsimony::experiments::sweep::{
    self, find, parse_setting, parse_shard, registry, split_values,
};
use parsimony::experiments::{
    flame_pinn, ks_discovery, ks_medida, sbl_convergence, sbl_irs, sbl_synthetic,
};
use parsimony::output::Flags;
use parsimony::plot::ProgressObserver;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "parsimony",
    version,
    about = "Sparse recovery and physics-informed models: run, sweep and merge experiments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lists the experiments (name and what each computes).
    List,
    /// Prints an experiment's default config as TOML.
    ShowConfig {
        /// The experiment (see `parsimony list`).
        experiment: String,
    },
    /// Runs an experiment: figures, tables and run.json into --out.
    Run {
        /// The experiment (see `parsimony list`).
        experiment: String,
        /// A TOML config (unknown keys are errors); the defaults otherwise.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Changes one key of the config: key=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The output folder (default out/<experiment>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Runs an experiment over a grid of configs, one point per folder.
    Sweep {
        /// The experiment (see `parsimony list`).
        experiment: String,
        /// A grid axis: key=v1,v2,… (repeatable; the first varies slowest).
        #[arg(long = "grid", value_name = "KEY=V1,V2", required = true)]
        grid: Vec<String>,
        /// Runs only shard i of N (points whose index is i − 1 modulo N).
        #[arg(long, value_name = "I/N")]
        shard: Option<String>,
        /// A TOML config (unknown keys are errors); the defaults otherwise.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Changes one key of the base config: key=value (repeatable).
        #[arg(long = "set", value_name = "KEY=VALUE")]
        set: Vec<String>,
        /// The output folder (default out/sweep-<experiment>).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Merges the points of one or more sweep folders into sweep.csv and sweep.png.
    Merge {
        /// Sweep folders (each holding point-*/ folders).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Where to write sweep.csv and sweep.png.
        #[arg(long)]
        out: PathBuf,
    },
    /// The experiments not yet in the config shape: `parsimony <solver> <experiment> [--flag value …]`.
    #[command(external_subcommand)]
    Legacy(Vec<String>),
}

const LEGACY: &str = "usage: parsimony <solver> <experiment> [--out DIR] [--flag value ...]

  sbl synthetic     NMSE vs SNR: SVD-/AM-KroSBL, KSBL, classical SBL   (--trials --snrs --m1 --k --csbl-trials)
  sbl convergence   NMSE per EM iteration, AM vs SVD, no pruning        (--seeds --svd-iters --am-iters)
  sbl irs           IRS-MIMO channel NMSE vs SNR                         (--systems --trials --snrs --csbl-trials --seed --symbols --threads)
  medida ks         MEDIDA model-error discovery on KS                   (--case --geometry --samples --noise --members --noisy-library --seed --input-lowpass --horizon)
  medida discover   the KS equation from a space-time data set           (--data --generate --stencil)
  flame forward     Case 1 forward PINN: T(x) and s_L vs FD              (--phi --t-in --p --steps --warmup --depth --width --points --precision --threads --lbfgs --polish-weights --seed --lr --residual-weight)
  flame inverse     Case 1 inverse PINN: s_L, λ, E_a from noisy data     (same but no --warmup, plus --observations --noise --noise-seed --data-weights --init-s --init-lambda --init-ea --classical-draws)
  flame sweep       s_L(φ): forward PINN vs FD                           (same as forward but --phis instead of --phi)";

fn settings(set: &[String]) -> parsimony::Result<Vec<(String, String)>> {
    set.iter().map(|s| parse_setting(s)).collect()
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List => {
            for e in registry() {
                println!("{:16} {}", e.name, e.about);
            }
            println!(
                "(and the legacy commands: parsimony <solver> <experiment>, see `parsimony sbl --help`)"
            );
            Ok(())
        }
        Command::ShowConfig { experiment } => find(&experiment)
            .and_then(|e| (e.default_toml)())
            .map(|t| print!("{t}")),
        Command::Run {
            experiment,
            config,
            set,
            out,
        } => (|| {
            let e = find(&experiment)?;
            let s = settings(&set)?;
            let dir = out.unwrap_or_else(|| PathBuf::from("out").join(e.name));
            let mut progress = ProgressObserver::new(e.name, 0);
            let metrics = (e.run)(config.as_deref(), &s, &dir, &mut progress)?;
            progress.bar().finish_and_clear();
            for (m, v) in &metrics {
                println!("  {m:48} {v:.4e}");
            }
            println!("wrote run.json, figures and tables to {}", dir.display());
            Ok(())
        })(),
        Command::Sweep {
            experiment,
            grid,
            shard,
            config,
            set,
            out,
        } => (|| {
            let e = find(&experiment)?;
            let s = settings(&set)?;
            let grid: Vec<(String, Vec<String>)> = grid
                .iter()
                .map(|g| parse_setting(g).map(|(k, v)| (k, split_values(&v))))
                .collect::<parsimony::Result<_>>()?;
            let shard = shard
                .as_deref()
                .map(parse_shard)
                .transpose()?
                .unwrap_or((0, 1));
            let dir = out.unwrap_or_else(|| PathBuf::from("out").join(format!("sweep-{}", e.name)));
            let mut progress = ProgressObserver::new(e.name, 0);
            let ran = sweep::sweep(&e, config.as_deref(), &s, &grid, shard, &dir, &mut progress)?;
            progress.bar().finish_and_clear();
            println!(
                "ran {ran} grid points (shard {}/{}) into {}",
                shard.0 + 1,
                shard.1,
                dir.display()
            );
            Ok(())
        })(),
        Command::Merge { dirs, out } => sweep::merge(&dirs, &out).map(|rows| {
            println!(
                "wrote sweep.csv ({rows} rows) and sweep.png to {}",
                out.display()
            );
        }),
        Command::Legacy(args) => legacy(&args),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn legacy(args: &[String]) -> parsimony::Result<()> {
    if args.len() < 2 || args.iter().any(|a| a == "--help" || a == "-h") {
        eprintln!("{LEGACY}");
        std::process::exit(if args.iter().any(|a| a == "--help" || a == "-h") {
            0
        } else {
            2
        });
    }
    let name = format!("{}_{}", args[0], args[1]);
    let run = |f: fn(&Flags) -> parsimony::Result<()>| {
        Flags::parse(&name, args[2..].iter().cloned()).and_then(|flags| f(&flags))
    };
    match (args[0].as_str(), args[1].as_str()) {
        ("sbl", "synthetic") => run(sbl_synthetic::run_flags),
        ("sbl", "convergence") => run(sbl_convergence::run),
        ("sbl", "irs") => run(sbl_irs::run),
        ("medida", "ks") => run(ks_medida::run),
        ("medida", "discover") => run(ks_discovery::run),
        ("flame", "forward") => run(flame_pinn::run_forward),
        ("flame", "inverse") => run(flame_pinn::run_inverse),
        ("flame", "sweep") => run(flame_pinn::run_sweep),
        _ => {
            eprintln!("unknown command '{} {}'\n\n{LEGACY}", args[0], args[1]);
            std::process::exit(2);
        }
    }
}
