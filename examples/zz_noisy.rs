//! scratch
use parsimony::medida::cases::{TruthConfig, case};
use parsimony::medida::cnab2::Cnab2;
use parsimony::medida::library::{Derivatives, Library};
use parsimony::medida::model_error::{Medida, MedidaParams, NoisyConfig, Target};
use parsimony::random::seeded_rng;
fn main() -> parsimony::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let paper = args.iter().any(|a| a == "paper");
    let cfg = if paper {
        TruthConfig::paper()
    } else {
        TruthConfig::ci()
    };
    let t0 = std::time::Instant::now();
    let samples = cfg.generate(|_, _| {})?;
    println!("truth {:.2}s", t0.elapsed().as_secs_f64());
    let members: usize = args
        .get(2)
        .map(|s| s.parse().unwrap())
        .unwrap_or(10 * cfg.n);
    let names: Vec<&str> = args.get(3).map(|s| s.split(',').collect()).unwrap_or(vec![
        "KS1", "KS2", "KS6", "KS7", "KS8", "KS12", "KS3", "KS4", "KS5", "KS9", "KS10", "KS11",
    ]);
    for name in names {
        let c = case(name).unwrap();
        for seed in 0..std::env::var("SEEDS")
            .map(|s| s.parse().unwrap())
            .unwrap_or(3u64)
        {
            let mut m = Cnab2::new(cfg.model_params(c.lambda))?;
            let fd = std::env::var("FD").is_ok();
            let mut mp = MedidaParams::new(Target::Plain);
            if fd {
                mp = mp.library(Library::new(4, 4, Derivatives::FiniteDifference)?);
            }
            if let Ok(k) = std::env::var("KC") {
                mp = mp.lowpass(k.parse().unwrap());
            }
            if std::env::var("RC").is_ok() {
                mp.target = Target::ResponseCorrected;
            }
            let md = Medida::new(mp)?;
            let conf = NoisyConfig {
                members: Some(members),
                noise: std::env::var("NOISE")
                    .map(|v| v.parse().unwrap())
                    .unwrap_or(0.01),
                background_std: std::env::var("SB")
                    .map(|v| v.parse().unwrap())
                    .unwrap_or(0.25),
                input_lowpass: std::env::var("IKC").ok().map(|v| v.parse().unwrap()),
                ..NoisyConfig::default()
            };
            let t = std::time::Instant::now();
            let fit = md.discover_noisy(&mut m, &samples, &conf, &mut seeded_rng(seed))?;
            println!(
                "{name} seed {seed}: {}   [{:.2}s] exact {:?}",
                fit.equation(),
                t.elapsed().as_secs_f64(),
                c.exact_error()
            );
        }
    }
    Ok(())
}
