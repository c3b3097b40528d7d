//! Experiments: the stories behind the examples and the `parsimony` command-line tool. Each
//! takes [`Flags`](crate::output::Flags) (`--out DIR` plus its own options), prints what it
//! did and writes PNG figures and CSV/JSON results into the output folder.

#[cfg(feature = "flame")]
pub mod flame_pinn;
#[cfg(feature = "medida")]
pub mod ks_discovery;
#[cfg(feature = "medida")]
pub mod ks_medida;
#[cfg(feature = "sbl")]
pub mod sbl_convergence;
#[cfg(feature = "sbl")]
pub mod sbl_irs;
#[cfg(feature = "sbl")]
pub mod sbl_synthetic;
pub mod shape;
pub mod sweep;

#[cfg(feature = "sbl")]
mod summary;
#[cfg(feature = "sbl")]
pub(crate) use summary::{mean, median, median_mean_plot};

#[cfg(all(test, feature = "sbl"))]
mod tests {
    use crate::output::Flags;

    /// The flag names a source file reads: the string literal after every `get("`, `list("`
    /// and `has("`.
    fn keys_read(source: &str) -> Vec<String> {
        let mut keys = Vec::new();
        for pat in ["get(\"", "list(\"", "has(\""] {
            for (i, _) in source.match_indices(pat) {
                let rest = &source[i + pat.len()..];
                keys.push(rest[..rest.find('"').unwrap()].to_string());
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// Every flag an experiment reads is declared in its list(s), and every declared flag is
    /// read, so `Flags::accept` neither refuses a real flag nor lets a dead one pass.
    #[test]
    fn declared_flags_are_the_flags_read() {
        #[allow(unused_mut)] // pushed to under the medida and flame features
        let mut cases: Vec<(&str, &str, Vec<&[&str]>)> = vec![
            (
                "sbl_synthetic",
                include_str!("sbl_synthetic.rs"),
                vec![super::sbl_synthetic::FLAGS],
            ),
            (
                "sbl_convergence",
                include_str!("sbl_convergence.rs"),
                vec![super::sbl_convergence::FLAGS],
            ),
            (
                "sbl_irs",
                include_str!("sbl_irs.rs"),
                vec![super::sbl_irs::FLAGS],
            ),
        ];
        #[cfg(feature = "medida")]
        {
            cases.push((
                "ks_medida",
                include_str!("ks_medida.rs"),
                vec![super::ks_medida::FLAGS],
            ));
            cases.push((
                "ks_discovery",
                include_str!("ks_discovery.rs"),
                vec![super::ks_discovery::FLAGS],
            ));
        }
        #[cfg(feature = "flame")]
        {
            use super::flame_pinn::{FORWARD_FLAGS, INVERSE_FLAGS, SWEEP_FLAGS, TRAINING_FLAGS};
            cases.push((
                "flame_pinn",
                include_str!("flame_pinn.rs"),
                vec![TRAINING_FLAGS, FORWARD_FLAGS, INVERSE_FLAGS, SWEEP_FLAGS],
            ));
        }
        for (name, source, lists) in cases {
            let read = keys_read(source);
            let mut declared: Vec<String> = lists.concat().iter().map(|k| k.to_string()).collect();
            declared.sort();
            declared.dedup();
            assert_eq!(read, declared, "{name}: flags read vs declared");
        }
    }

    /// A misspelt flag stops every experiment before it does any work.
    #[test]
    fn experiments_refuse_unknown_flags() {
        let dir = std::env::temp_dir().join("parsimony_experiment_flags_test");
        let parse = |flag: &str| {
            Flags::parse(
                "test",
                ["--out", &dir.display().to_string(), flag, "3"].map(String::from),
            )
            .unwrap()
        };
        type Run = fn(&Flags) -> crate::Result<()>;
        #[allow(unused_mut)] // pushed to under the medida and flame features
        let mut runs: Vec<(&str, Run)> = vec![
            ("sbl synthetic", super::sbl_synthetic::run_flags),
            ("sbl convergence", super::sbl_convergence::run),
            ("sbl irs", super::sbl_irs::run),
        ];
        #[cfg(feature = "medida")]
        {
            runs.push(("medida ks", super::ks_medida::run));
            runs.push(("medida discover", super::ks_discovery::run));
        }
        #[cfg(feature = "flame")]
        {
            runs.push(("flame forward", super::flame_pinn::run_forward));
            runs.push(("flame inverse", super::flame_pinn::run_inverse));
            runs.push(("flame sweep", super::flame_pinn::run_sweep));
        }
        for (name, run) in runs {
            let msg = run(&parse("--trails")).unwrap_err().to_string();
            assert!(msg.contains("unknown --trails"), "{name}: {msg}");
        }
        // flags of one flame experiment are refused by the others that have no use for them
        #[cfg(feature = "flame")]
        {
            use super::flame_pinn::{run_forward, run_inverse, run_sweep};
            let cases: [(Run, &str); 6] = [
                (run_inverse, "--warmup"),
                (run_forward, "--observations"),
                (run_forward, "--data-weights"),
                (run_forward, "--phis"),
                (run_sweep, "--noise"),
                (run_inverse, "--phis"),
            ];
            for (run, flag) in cases {
                let msg = run(&parse(flag)).unwrap_err().to_string();
                assert!(msg.contains(&format!("unknown {flag}")), "{flag}: {msg}");
            }
        }
    }
}
