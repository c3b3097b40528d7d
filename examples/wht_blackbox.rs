//! Story: An epistatic fitness landscape on 32 and on 200 sites, learnt through a black-box oracle by SPRIGHT's low-degree mode, and its Shapley values.
//! See [`parsimony::experiments::wht_blackbox::WhtBlackbox`] for the setting and the config keys.
//!
//! Run: `cargo run --release --example wht_blackbox -- --out out/wht_blackbox`
//! (`--set key=value` changes one key of the config, `--config FILE.toml` reads a file;
//! `parsimony show-config wht-blackbox` prints the defaults.)

fn main() -> std::process::ExitCode {
    parsimony::experiments::cli::example_main::<parsimony::experiments::wht_blackbox::WhtBlackbox>()
}
