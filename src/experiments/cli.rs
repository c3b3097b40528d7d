//! What the command line and the examples share: the config arguments (`--config FILE.toml`,
//! `--set key=value`), running one experiment into a folder with a progress bar, and printing
//! its metrics.
//!
//! Every example is `fn main() -> ExitCode { example_main::<E>() }`, so
//! `cargo run --release --example ks_medida -- --set case=KS6 --out out/ks6` and
//! `parsimony run medida-ks --set case=KS6 --out out/ks6` do the same thing.

use super::shape::Experiment;
use super::sweep::{Entry, entry, parse_setting};
use crate::Result;
use crate::plot::ProgressObserver;
use std::path::PathBuf;

/// The config of an experiment on the command line.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConfigArgs {
    /// A TOML config laid over the defaults (unknown keys are errors).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Changes one key of the config: key=value, or table.key=value (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl ConfigArgs {
    /// The `--set` arguments as (key, value) pairs; an error names one that is not key=value.
    pub fn settings(&self) -> Result<Vec<(String, String)>> {
        self.set.iter().map(|s| parse_setting(s)).collect()
    }
}

/// The arguments of one run: the config and the output folder.
#[derive(clap::Parser, Clone, Debug)]
pub struct RunArgs {
    /// The config.
    #[command(flatten)]
    pub config: ConfigArgs,
    /// The output folder (default `out/<experiment>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs `entry` with `args` into `out` (default `out/<name>`) with a progress bar, then prints
/// the metrics and where the files went.
pub fn run_entry(entry: &Entry, args: &ConfigArgs, out: Option<PathBuf>) -> Result<()> {
    let settings = args.settings()?;
    let dir = out.unwrap_or_else(|| PathBuf::from("out").join(entry.name));
    let mut progress = ProgressObserver::new(entry.name, 0);
    let result = (entry.run)(args.config.as_deref(), &settings, &dir, &mut progress);
    progress.bar().finish_and_clear();
    let outcome = result?;
    println!("{}: {}", entry.name, entry.about);
    print!("{}", outcome.summary);
    for (m, v) in &outcome.metrics {
        println!("  {m:48} {}", number(*v));
    }
    println!("wrote run.json, figures and tables to {}", dir.display());
    Ok(())
}

/// The `main` of an example: parses `--config`, `--set` and `--out` for `E`, runs it and
/// returns the exit status (an error is printed as `error: …` with status 1).
pub fn example_main<E: Experiment>() -> std::process::ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let command = RunArgs::command().name(E::NAME).about(E::ABOUT);
    let parsed = RunArgs::from_arg_matches(&command.get_matches());
    let args = match parsed {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
    crate::output::report(run_entry(&entry::<E>(), &args.config, args.out))
}

/// A metric as printed: an integer as one, anything else with six significant digits.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.6e}")
    }
}
