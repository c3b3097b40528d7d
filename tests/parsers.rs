//! Fuzzing the parsers of user input that are not `.npy` files (those are fuzzed in
//! core/tests/core/npy.rs): the `key=value` settings and grids of the command line, applied to
//! every experiment's config. Arbitrary settings never panic; they give a config or a typed
//! error, and every number of an accepted config is finite.

use parsimony::experiments::sweep::{parse_setting, registry, split_values};
use proptest::prelude::*;

/// Keys a user might type: real ones of several experiments, dotted ones, misspelt ones.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("seed".to_string()),
        Just("trials".to_string()),
        Just("snr".to_string()),
        Just("noise".to_string()),
        Just("n".to_string()),
        Just("case".to_string()),
        Just("phis".to_string()),
        Just("training".to_string()),
        Just("training.steps".to_string()),
        Just("training.polish_weights".to_string()),
        Just("training.".to_string()),
        Just("seed.x".to_string()),
        "[a-z_.]{0,12}",
    ]
}

/// Values a user might type, hostile ones included.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9.eE+-]{0,12}",
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("[1, nan]".to_string()),
        Just("1e999".to_string()),
        Just("18446744073709551616".to_string()),
        Just("-1".to_string()),
        Just("[4,8],[12]".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("\"KS6\"".to_string()),
        Just("[".to_string()),
        "\\PC{0,8}",
    ]
}

/// Every float in a TOML value is finite.
fn all_finite(v: &toml::Value) -> bool {
    match v {
        toml::Value::Float(f) => f.is_finite(),
        toml::Value::Array(a) => a.iter().all(all_finite),
        toml::Value::Table(t) => t.values().all(all_finite),
        _ => true,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn settings_never_panic_and_accepted_configs_are_finite(
        settings in prop::collection::vec((key(), value()), 0..4),
        which in 0usize..64,
    ) {
        let all = registry();
        let entry = &all[which % all.len()];
        let joined: Vec<String> = settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let parsed: Result<Vec<_>, _> = joined.iter().map(|s| parse_setting(s)).collect();
        if let Ok(parsed) = parsed {
            for (_, v) in &parsed {
                let _ = split_values(v);
            }
            if let Ok(text) = (entry.config)(None, &parsed) {
                let table: toml::Table = text.parse().unwrap();
                prop_assert!(table.values().all(all_finite), "{}: {text}", entry.name);
            }
        }
    }
}

#[test]
fn non_finite_numbers_are_refused() {
    let all = registry();
    let synthetic = all.iter().find(|e| e.name == "sbl-synthetic").unwrap();
    for bad in ["nan", "inf", "[4.0, nan]", "-inf", "1e999"] {
        let err = (synthetic.config)(None, &[("snr".into(), bad.into())]).unwrap_err();
        assert!(err.to_string().contains("snr"), "{bad}: {err}");
    }
    let ok = (synthetic.config)(None, &[("snr".into(), "[4, 8, 12]".into())]).unwrap();
    assert!(ok.contains("snr = [4.0, 8.0, 12.0]"), "{ok}");
}
