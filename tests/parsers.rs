//! Fuzzing the parsers of user input that are not `.npy` files (those are fuzzed in
//! core/tests/core/npy.rs): the command-line flags of every experiment. Arbitrary argument
//! lists and values never panic; they parse or give a typed error, and numbers are finite.

use parsimony::output::Flags;
use proptest::prelude::*;

fn out_dir() -> String {
    std::env::temp_dir()
        .join(format!("parsimony_parsers_{}", std::process::id()))
        .display()
        .to_string()
}

/// Tokens a user might type, hostile ones included (no `--out`: it creates folders).
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        "--[a-z-]{1,12}",
        "[0-9.eE+-]{0,12}",
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("1e999".to_string()),
        Just("18446744073709551616".to_string()),
        Just(",".to_string()),
        Just("4,8,,12".to_string()),
        "\\PC{0,8}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn flags_parse_arbitrary_arguments_without_panicking(args in prop::collection::vec(token(), 0..8)) {
        let mut all = vec!["--out".to_string(), out_dir()];
        all.extend(args.into_iter().filter(|a| a != "--out"));
        if let Ok(flags) = Flags::parse("fuzz", all) {
            for key in ["seed", "trials", "snrs", "noise", "n", "x"] {
                if let Ok(v) = flags.get::<f64>(key, 1.0) {
                    prop_assert!(v.is_finite());
                }
                let _ = flags.get::<usize>(key, 1);
                let _ = flags.get::<u64>(key, 1);
                if let Ok(list) = flags.list(key, &[1.0]) {
                    prop_assert!(list.iter().all(|v| v.is_finite()));
                }
            }
            let _ = flags.accept(&["seed", "trials"]);
        }
    }
}

#[test]
fn non_finite_numbers_are_refused() {
    let args = |v: &str| {
        vec![
            "--out".to_string(),
            out_dir(),
            "--snrs".to_string(),
            v.to_string(),
        ]
    };
    for bad in ["nan", "inf", "4,NaN", "-infinity", "1e999"] {
        let flags = Flags::parse("fuzz", args(bad)).unwrap();
        assert!(flags.list("snrs", &[]).is_err(), "{bad}");
        assert!(flags.get::<f64>("snrs", 0.0).is_err(), "{bad}");
    }
    let flags = Flags::parse("fuzz", args("4,8,12")).unwrap();
    assert_eq!(flags.list("snrs", &[]).unwrap(), vec![4.0, 8.0, 12.0]);
}
