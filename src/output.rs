//! Writing results: command-line flags of the examples and the tool, CSV tables and flat JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// `--key value` flags with a `--out DIR` output folder (default `out/<name>`), parsed from a
/// list of arguments.
#[derive(Clone, Debug)]
pub struct Flags {
    /// The output folder (created on parse).
    pub out: PathBuf,
    values: HashMap<String, String>,
    /// Whether `parse` created `out` (so that `accept` may remove it again, empty, on a typo).
    created: bool,
}

impl Flags {
    /// Parses `--key value` pairs; creates the output folder.
    pub fn parse(name: &str, args: impl IntoIterator<Item = String>) -> crate::Result<Self> {
        let mut values = HashMap::new();
        let mut it = args.into_iter();
        while let Some(k) = it.next() {
            let Some(key) = k.strip_prefix("--") else {
                return Err(crate::Error::invalid(
                    "arguments",
                    format!("unexpected '{k}' (flags are --key value)"),
                ));
            };
            let Some(v) = it.next() else {
                return Err(crate::Error::invalid(key, "flag needs a value"));
            };
            values.insert(key.to_string(), v);
        }
        let out = values
            .remove("out")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("out").join(name));
        let created = !out.exists();
        std::fs::create_dir_all(&out)?;
        Ok(Self {
            out,
            values,
            created,
        })
    }

    /// Checks that every flag given (besides `--out`) is one of `known`, so that a misspelt flag
    /// (`--sample` for `--samples`) is an error naming it and the flags the experiment takes,
    /// rather than silently running with the default. On that error an output folder that
    /// [`parse`](Self::parse) created and nothing has written to is removed again.
    pub fn accept(&self, known: &[&str]) -> crate::Result<()> {
        let mut unknown: Vec<&str> = self
            .values
            .keys()
            .map(String::as_str)
            .filter(|k| !known.contains(k))
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        unknown.sort_unstable();
        if self.created {
            // only succeeds while the folder is empty
            let _ = std::fs::remove_dir(&self.out);
        }
        let takes = if known.is_empty() {
            String::new()
        } else {
            format!(", --{}", known.join(", --"))
        };
        Err(crate::Error::invalid(
            "flags",
            format!(
                "unknown --{} (this takes --out{takes})",
                unknown.join(", --")
            ),
        ))
    }

    /// The value of `--key` parsed as `T`, or `default`. A number must be finite (`nan`,
    /// `inf` are refused whatever `T`).
    pub fn get<T: std::str::FromStr>(&self, key: &str, default: T) -> crate::Result<T> {
        match self.values.get(key) {
            None => Ok(default),
            Some(v) => {
                refuse_non_finite(key, v)?;
                v.parse()
                    .map_err(|_| crate::Error::invalid(key, format!("cannot parse '{v}'")))
            }
        }
    }

    /// Whether `--key` was given.
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }

    /// A comma-separated list of numbers, or `default`.
    pub fn list(&self, key: &str, default: &[f64]) -> crate::Result<Vec<f64>> {
        match self.values.get(key) {
            None => Ok(default.to_vec()),
            Some(v) => v
                .split(',')
                .map(|s| {
                    refuse_non_finite(key, s)?;
                    s.trim()
                        .parse()
                        .map_err(|_| crate::Error::invalid(key, format!("cannot parse '{s}'")))
                })
                .collect(),
        }
    }
}

/// A value that reads as NaN or ±inf is an error naming the flag.
fn refuse_non_finite(key: &str, v: &str) -> crate::Result<()> {
    match v.trim().parse::<f64>() {
        Ok(x) if !x.is_finite() => Err(crate::Error::invalid(
            key,
            format!("'{v}' is not a finite number"),
        )),
        _ => Ok(()),
    }
}

/// Writes rows of numbers as CSV with a header line (full double precision).
pub fn write_csv(path: &Path, header: &[&str], rows: &[Vec<f64>]) -> crate::Result<()> {
    let mut s = header.join(",");
    s.push('\n');
    for r in rows {
        let line: Vec<String> = r.iter().map(|v| format!("{v:.17e}")).collect();
        s.push_str(&line.join(","));
        s.push('\n');
    }
    std::fs::write(path, s)?;
    Ok(())
}

/// A JSON value for [`write_json`].
#[derive(Clone, Debug)]
pub enum JsonValue {
    /// A number (non-finite numbers are written as null).
    Num(f64),
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
    /// A string.
    Str(String),
}

/// The exit status of a program whose work returned `result`: success, or the error's message
/// on standard error (`error: …`, the `Display` form rather than the `Debug` form a
/// `main() -> Result` prints) and exit code 1.
pub fn report(result: crate::Result<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Writes a flat JSON object.
pub fn write_json(path: &Path, fields: &[(&str, JsonValue)]) -> crate::Result<()> {
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| match v {
            JsonValue::Num(x) if x.is_finite() => format!("  \"{k}\": {x:e}"),
            JsonValue::Num(_) => format!("  \"{k}\": null"),
            JsonValue::Int(i) => format!("  \"{k}\": {i}"),
            JsonValue::Bool(b) => format!("  \"{k}\": {b}"),
            JsonValue::Str(s) => format!(
                "  \"{k}\": \"{}\"",
                s.replace('\\', "\\\\").replace('"', "\\\"")
            ),
        })
        .collect();
    std::fs::write(path, format!("{{\n{}\n}}\n", body.join(",\n")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(args: &[&str]) -> Flags {
        let dir = std::env::temp_dir().join("parsimony_output_flags_test");
        // made beforehand, so these flags never remove it
        std::fs::create_dir_all(&dir).unwrap();
        let mut all = vec!["--out".to_string(), dir.display().to_string()];
        all.extend(args.iter().map(|a| a.to_string()));
        Flags::parse("test", all).unwrap()
    }

    #[test]
    fn accept_passes_known_flags_and_names_unknown_ones() {
        let f = flags(&["--samples", "3", "--seed", "1"]);
        assert!(f.accept(&["samples", "seed", "noise"]).is_ok());
        let f = flags(&["--sample", "3", "--seed", "1", "--nosie", "0.1"]);
        let msg = f
            .accept(&["samples", "seed", "noise"])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("--nosie, --sample"), "{msg}");
        assert!(msg.contains("--out, --samples, --seed, --noise"), "{msg}");
        // a folder parse created is removed again on the error, an existing one is kept
        let fresh =
            std::env::temp_dir().join(format!("parsimony_flags_fresh_{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&fresh);
        let f = Flags::parse(
            "test",
            ["--out", fresh.to_str().unwrap(), "--sampels", "3"].map(String::from),
        )
        .unwrap();
        assert!(fresh.is_dir());
        assert!(f.accept(&["samples"]).is_err());
        assert!(!fresh.exists());
        let f = flags(&["--sampels", "3"]);
        assert!(f.accept(&["samples"]).is_err());
        assert!(f.out.is_dir());
        // --out is always accepted, also by an experiment without flags of its own
        assert!(flags(&[]).accept(&[]).is_ok());
        let msg = flags(&["--n", "2"]).accept(&[]).unwrap_err().to_string();
        assert!(msg.contains("unknown --n (this takes --out)"), "{msg}");
    }

    #[test]
    fn values_parse_or_name_the_flag() {
        let f = flags(&["--n", "12", "--xs", "1, 2.5", "--bad", "x1"]);
        assert_eq!(f.get("n", 0usize).unwrap(), 12);
        assert_eq!(f.get("missing", 7usize).unwrap(), 7);
        assert_eq!(f.list("xs", &[]).unwrap(), vec![1.0, 2.5]);
        assert!(f.has("bad") && !f.has("missing"));
        let msg = f.get("bad", 0.0f64).unwrap_err().to_string();
        assert!(msg.contains("bad") && msg.contains("x1"), "{msg}");
    }
}
