//! The parsimony command-line tool.
//!
//! ```text
//! parsimony list                                   the experiments
//! parsimony show-config <experiment> [--config …] [--set …]   its config (TOML)
//! parsimony run <experiment> [--config FILE.toml] [--set key=value …] [--out DIR]
//! parsimony sweep <experiment> --grid key=v1,v2,… [--grid …] [--shard i/N] [--config …] [--set …] [--out DIR]
//! parsimony merge DIR… --out DIR                   one long table and a figure of a sweep
//! ```
//!
//! `run` writes the experiment's figures and tables and `run.json` (config, report, version,
//! seed) to `--out` (default `out/<experiment>`). `sweep` runs one point per grid combination
//! into `DIR/point-iiii/`; `--shard i/N` runs every N-th point, so a Slurm job array or GNU
//! parallel splits a sweep (docs/sweeps.md), and `merge` gathers the shards. Every experiment
//! is also an example: `cargo run --release --example ks_medida -- --set case=KS6`.

use clap::{Parser, Subcommand};
use parsimony::experiments::cli::{ConfigArgs, run_entry};
use parsimony::experiments::sweep::{
    self, find, parse_setting, parse_shard, registry, split_values,
};
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
    /// Prints an experiment's config as TOML: the defaults, or what --config and --set make of them.
    ShowConfig {
        /// The experiment (see `parsimony list`).
        experiment: String,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Runs an experiment: figures, tables and run.json into --out.
    Run {
        /// The experiment (see `parsimony list`).
        experiment: String,
        #[command(flatten)]
        config: ConfigArgs,
        /// The output folder (default `out/<experiment>`).
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
        #[command(flatten)]
        config: ConfigArgs,
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
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::List => {
            for e in registry() {
                println!("{:16} {}", e.name, e.about);
            }
            Ok(())
        }
        Command::ShowConfig { experiment, config } => (|| {
            let e = find(&experiment)?;
            print!(
                "{}",
                (e.config)(config.config.as_deref(), &config.settings()?)?
            );
            Ok(())
        })(),
        Command::Run {
            experiment,
            config,
            out,
        } => find(&experiment).and_then(|e| run_entry(&e, &config, out)),
        Command::Sweep {
            experiment,
            grid,
            shard,
            config,
            out,
        } => (|| {
            let e = find(&experiment)?;
            let s = config.settings()?;
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
            let ran = sweep::sweep(
                &e,
                config.config.as_deref(),
                &s,
                &grid,
                shard,
                &dir,
                &mut progress,
            )?;
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
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
